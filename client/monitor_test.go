package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeMonitor serves the Monitor stream from an appendable list of events.
// Cursors are "cur_<index>"; an ISO time cursor starts at the first event at
// or after it; no cursor starts at the first event.
type fakeMonitor struct {
	mu          sync.Mutex
	events      []string
	faults      []string // consumed one per request: "429", "500", "401", "truncate", "halfjson", "nocursor", "reverse", "stuck", "lie"
	requests    []url.Values
	emptyCursor string // endCursor sent with empty pages ("" omits it)
}

func (f *fakeMonitor) add(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < n; i++ {
		f.events = append(f.events, testEventJSON(len(f.events)))
	}
}

func (f *fakeMonitor) fault(faults ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

func (f *fakeMonitor) cursors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, q := range f.requests {
		out = append(out, q.Get("cursor"))
	}
	return out
}

func (f *fakeMonitor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/monitor"+monitorStreamPath {
		http.Error(w, "wrong path "+r.URL.Path, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	f.requests = append(f.requests, q)
	fault := ""
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	switch fault {
	case "429":
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":"too many requests"}`, http.StatusTooManyRequests)
		return
	case "500":
		http.Error(w, `{"error":"internal"}`, http.StatusInternalServerError)
		return
	case "401":
		http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
		return
	}
	start := 0
	if c := q.Get("cursor"); strings.HasPrefix(c, "cur_") {
		start, _ = strconv.Atoi(strings.TrimPrefix(c, "cur_"))
	} else if c != "" {
		t, err := ParseTimestamp(c)
		if err != nil {
			http.Error(w, `{"error":"bad cursor"}`, http.StatusBadRequest)
			return
		}
		start = len(f.events)
		for i := range f.events {
			var e Event
			_ = e.UnmarshalJSON([]byte(f.events[i]))
			if !e.Timestamp.Before(t) {
				start = i
				break
			}
		}
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	end := min(start+limit, len(f.events))
	page := slices.Clone(f.events[start:end])
	if fault == "reverse" {
		slices.Reverse(page)
	}
	var b bytes.Buffer
	b.WriteString(`{`)
	switch {
	case fault == "nocursor":
	case fault == "stuck": // hands back the cursor it was asked for
		fmt.Fprintf(&b, `"endCursor":%q,`, q.Get("cursor"))
	case len(page) == 0 && f.emptyCursor == "":
	case len(page) == 0:
		fmt.Fprintf(&b, `"endCursor":%q,`, f.emptyCursor)
	default:
		fmt.Fprintf(&b, `"endCursor":"cur_%d",`, end)
	}
	b.WriteString(`"data":[` + strings.Join(page, ",") + `]`)
	if fault == "lie" { // the member read last says where the page ends
		b.Reset()
		fmt.Fprintf(&b, `{"endCursor":"cur_%d","data":[%s],"endCursor":"cur_%d"`, end+3, strings.Join(page, ","), end)
	}
	b.WriteString(`}`)
	if fault == "halfjson" { // the HTTP exchange succeeds; the JSON ends early
		w.Header().Set("Content-Type", "application/json")
		w.Write(b.Bytes()[:b.Len()/2])
		return
	}
	if fault == "truncate" {
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		w.Write(b.Bytes()[:b.Len()/2])
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, _ := hj.Hijack()
			conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}

// startFakeMonitor serves f under a non-root base path, so a client that
// drops the path prefix fails.
func startFakeMonitor(t testing.TB, f *fakeMonitor) (pageDoer, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/monitor/", f)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.Client(), srv.URL + "/monitor"
}

func testMonitorPager(t testing.TB, d pageDoer, base string, opts MonitorEventsOptions) *Pager[Event] {
	t.Helper()
	p, err := newMonitorPager(d, base, opts, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	p.src.(*monitorSource).g.retryWait = time.Millisecond
	return p
}

// idSeq extracts the sequence number the test record builders encode in
// the last 12 hex digits of an id.
func idSeq(t testing.TB, id string) int {
	t.Helper()
	n, err := strconv.ParseInt(id[max(len(id)-12, 0):], 16, 64)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return int(n)
}

// collectSeqs drains p and returns the records' sequence numbers (of the
// ids id returns), failing on error.
func collectSeqs[T any](t testing.TB, p *Pager[T], id func(T) string) []int {
	t.Helper()
	var got []int
	for r, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatalf("after %d records: %v", len(got), err)
		}
		got = append(got, idSeq(t, id(r)))
	}
	return got
}

// processThenCheckpoint reads the first k records of p (of the ids id
// returns) and takes the checkpoint after them, as a collector does before
// it stops; it returns their sequence numbers and the checkpoint.
func processThenCheckpoint[T any](t testing.TB, p *Pager[T], k int, id func(T) string) ([]int, Checkpoint) {
	t.Helper()
	var first []int
	if k == 0 {
		return nil, p.Checkpoint()
	}
	for r, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if first = append(first, idSeq(t, id(r))); len(first) == k {
			break
		}
	}
	return first, p.Checkpoint()
}

// eventSeq extracts the sequence numbers testEventJSON encoded in event ids.
func eventSeq(t testing.TB, e Event) int { t.Helper(); return idSeq(t, e.EventID) }

// collectEvents drains p and returns the sequence numbers, failing on error.
func collectEvents(t testing.TB, p *Pager[Event]) []int {
	t.Helper()
	return collectSeqs(t, p, func(e Event) string { return e.EventID })
}

// checkExactlyOnce fails unless got is 0..n-1 in order.
func checkExactlyOnce(t testing.TB, got []int, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d events, want %d", len(got), n)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("event %d has sequence %d: lost or repeated events", i, v)
		}
	}
}

func TestMonitorYieldsEveryEventExactlyOnce(t *testing.T) {
	const limit = 7
	for _, n := range []int{0, 1, limit - 1, limit, limit + 1, 10 * limit} {
		t.Run(fmt.Sprintf("%d events", n), func(t *testing.T) {
			f := &fakeMonitor{}
			f.add(n)
			d, base := startFakeMonitor(t, f)
			p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: limit})
			checkExactlyOnce(t, collectEvents(t, p), n)
			if p.HasMorePages() {
				t.Error("a drained stream still reports more pages")
			}
			if cp := p.Checkpoint(); cp.Done() || cp.Offset() != 0 || (n > 0 && cp.Cursor() != "cur_"+strconv.Itoa(n)) {
				t.Errorf("final checkpoint = %v (cursor %q)", cp, cp.Cursor())
			}
		})
	}
}

func TestMonitorResumesAtEveryOffsetWithoutLossOrRepeat(t *testing.T) {
	const limit, n = 5, 13
	f := &fakeMonitor{}
	f.add(n)
	d, base := startFakeMonitor(t, f)
	for k := 0; k <= n; k++ {
		// Process k events, checkpoint, "crash".
		p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: limit})
		first, cpAt := processThenCheckpoint(t, p, k, func(e Event) string { return e.EventID })
		saved := cpAt.String()
		// Restart from the saved text.
		cp, err := ParseCheckpoint(saved)
		if err != nil {
			t.Fatalf("k=%d: ParseCheckpoint(%q): %v", k, saved, err)
		}
		if want := k % limit; k < n && cp.Offset() != want && !(want == 0 && cp.Offset() == 0) {
			t.Errorf("k=%d: checkpoint offset %d, want %d", k, cp.Offset(), want)
		}
		rest := collectEvents(t, testMonitorPager(t, d, base, MonitorEventsOptions{Checkpoint: cp, Limit: limit}))
		checkExactlyOnce(t, append(first, rest...), n)
	}
}

func TestMonitorPageCheckpointResumesInsideThePage(t *testing.T) {
	const limit, n = 4, 10
	f := &fakeMonitor{}
	f.add(n)
	d, base := startFakeMonitor(t, f)
	p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: limit})
	var done []int
	for pageNo := 0; p.HasMorePages(); pageNo++ {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if pageNo < 2 {
			for _, e := range page.Items {
				done = append(done, eventSeq(t, e))
			}
			continue
		}
		for k := 0; k <= len(page.Items); k++ {
			rest := collectEvents(t, testMonitorPager(t, d, base, MonitorEventsOptions{Checkpoint: page.Checkpoint(k), Limit: limit}))
			got := append(slices.Clone(done), seqs(t, page.Items[:k])...)
			checkExactlyOnce(t, append(got, rest...), n)
		}
		break
	}
}

func seqs(t testing.TB, evs []Event) []int {
	var out []int
	for _, e := range evs {
		out = append(out, eventSeq(t, e))
	}
	return out
}

func TestMonitorResumeSkipsProcessedEventsWhenThePageChanged(t *testing.T) {
	const limit = 6
	f := &fakeMonitor{}
	f.add(4) // a partial last page
	d, base := startFakeMonitor(t, f)
	p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: limit})
	var got []int
	for e, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, eventSeq(t, e))
		if len(got) == 3 {
			break
		}
	}
	cp := p.Checkpoint()
	// Meanwhile the page filled up and, on the refetch, DocuSign orders it
	// differently: the checkpoint's fingerprints, not the offset, decide.
	f.add(5)
	f.fault("reverse")
	rest := collectEvents(t, testMonitorPager(t, d, base, MonitorEventsOptions{Checkpoint: cp, Limit: limit}))
	all := append(got, rest...)
	slices.Sort(all)
	checkExactlyOnce(t, all, 9)
}

func TestMonitorRepeatedEventIDInAPageIsYieldedOnce(t *testing.T) {
	body := `{"endCursor":"c2","data":[{"eventId":"a"},{"eventId":"b"},{"eventId":"a"}]}`
	d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("cursor") == "c2" {
			return pageJSONResponse(r, `{"endCursor":"c3","data":[]}`), nil
		}
		return pageJSONResponse(r, body), nil
	})
	p := testMonitorPager(t, d, "https://lens.example", MonitorEventsOptions{})
	page, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Skipped != 1 || page.Items[1].EventID != "b" {
		t.Fatalf("items %v, skipped %d; want a, b and one skipped", page.Items, page.Skipped)
	}
}

func TestMonitorFaultsBetweenPagesLoseAndRepeatNothing(t *testing.T) {
	const limit, n = 5, 23
	for _, fault := range []string{"429", "500", "401", "truncate", "nocursor"} {
		t.Run(fault, func(t *testing.T) {
			f := &fakeMonitor{}
			f.add(n)
			d, base := startFakeMonitor(t, f)
			p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: limit})
			var got []int
			var errs int
			for attempt := 0; p.HasMorePages() && attempt < 10; attempt++ {
				for e, err := range p.All(context.Background()) {
					if err != nil {
						errs++
						break
					}
					got = append(got, eventSeq(t, e))
					if len(got) == 2*limit {
						// Inject the fault right after a page boundary.
						f.fault(fault)
					}
				}
			}
			checkExactlyOnce(t, got, n)
			wantErrs := 1
			if fault == "truncate" {
				wantErrs = 0 // refetched transparently
			}
			if errs != wantErrs {
				t.Errorf("iteration reported %d errors, want %d", errs, wantErrs)
			}
		})
	}
}

func TestMonitorTruncatedBodyIsRefetchedAndThenReported(t *testing.T) {
	f := &fakeMonitor{}
	f.add(3)
	f.fault("truncate", "truncate", "truncate")
	d, base := startFakeMonitor(t, f)
	p := testMonitorPager(t, d, base, MonitorEventsOptions{})
	_, err := p.NextPage(context.Background())
	if !isTruncatedBody(err) {
		t.Fatalf("three truncated bodies: error = %v, want a truncation error", err)
	}
	if got := len(f.cursors()); got != truncatedRetries+1 {
		t.Fatalf("%d requests, want %d", got, truncatedRetries+1)
	}
	checkExactlyOnce(t, collectEvents(t, p), 3)
}

func TestMonitorMissingEndCursorIsAnError(t *testing.T) {
	f := &fakeMonitor{}
	f.add(3)
	f.fault("nocursor")
	d, base := startFakeMonitor(t, f)
	p := testMonitorPager(t, d, base, MonitorEventsOptions{})
	before := p.Checkpoint()
	_, err := p.NextPage(context.Background())
	if !errors.Is(err, ErrMissingEndCursor) {
		t.Fatalf("error = %v, want ErrMissingEndCursor", err)
	}
	if after := p.Checkpoint(); after.String() != before.String() {
		t.Fatalf("a failed page moved the checkpoint from %v to %v", before, after)
	}
}

func TestMonitorNonAdvancingEndCursorOnAPageWithEventsIsAnError(t *testing.T) {
	f := &fakeMonitor{}
	f.add(9)
	f.fault("", "stuck", "stuck")
	d, base := startFakeMonitor(t, f)
	p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 3})
	if _, err := p.NextPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := p.Checkpoint()
	for try := 1; try <= 2; try++ {
		pg, err := p.NextPage(context.Background())
		if err == nil {
			t.Fatalf("try %d: the page at cursor cur_3 came back with endCursor cur_3 and %d events, and the pager took it: following it repeats them forever", try, len(pg.Items))
		}
		if !errors.Is(err, ErrCursorStuck) || !strings.Contains(err.Error(), `"cur_3"`) {
			t.Fatalf("try %d: error = %v, want ErrCursorStuck naming the cursor", try, err)
		}
		if after := p.Checkpoint(); after.String() != before.String() {
			t.Fatalf("a refused page moved the checkpoint from %v to %v", before, after)
		}
	}
	// Once the server advances again, the stream continues with nothing lost.
	rest := collectEvents(t, p)
	checkExactlyOnce(t, append([]int{0, 1, 2}, rest...), 9)
}

func TestMonitorEmptyPageKeepsTheCursor(t *testing.T) {
	for _, emptyCursor := range []string{"", "bogus"} {
		t.Run("endCursor "+strconv.Quote(emptyCursor), func(t *testing.T) {
			f := &fakeMonitor{emptyCursor: emptyCursor}
			f.add(3)
			d, base := startFakeMonitor(t, f)
			p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 3})
			checkExactlyOnce(t, collectEvents(t, p), 3)
			// Page of 3, then an empty page: the stream is drained.
			if got := f.cursors(); !slices.Equal(got, []string{"", "cur_3"}) {
				t.Fatalf("cursors sent = %q", got)
			}
			if cp := p.Checkpoint(); cp.Cursor() != "cur_3" {
				t.Fatalf("checkpoint cursor after an empty page = %q, want cur_3", cp.Cursor())
			}
			// Events arrive later; the next run picks them up from the kept cursor.
			f.add(2)
			rest := collectEvents(t, testMonitorPager(t, d, base, MonitorEventsOptions{Checkpoint: p.Checkpoint()}))
			if !slices.Equal(rest, []int{3, 4}) {
				t.Fatalf("next run got %v, want [3 4]", rest)
			}
		})
	}
}

func TestMonitorFollowPicksUpAppendedEvents(t *testing.T) {
	f := &fakeMonitor{}
	f.add(5)
	d, base := startFakeMonitor(t, f)
	p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 4, Follow: true, PollInterval: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []int
	for e, err := range p.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, eventSeq(t, e))
		switch len(got) {
		case 5:
			go f.add(6) // arrives while the stream polls
		case 11:
			cancel()
		}
	}
	checkExactlyOnce(t, got, 11)
	if !p.HasMorePages() {
		t.Error("a followed stream reports no more pages")
	}
}

func TestMonitorFollowFetchesAtOnceAfterAFullPage(t *testing.T) {
	f := &fakeMonitor{}
	f.add(8)
	_, base := startFakeMonitor(t, f)
	// An hour-long interval: only full pages are fetched without waiting.
	// The test cancels when the third request (an empty page) arrives; the
	// deadline only turns a wrong wait into a failure instead of a hang.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var requests atomic.Int32
	d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
		if requests.Add(1) == 3 {
			cancel()
		}
		return http.DefaultClient.Do(r)
	})
	p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 4, Follow: true, PollInterval: time.Hour})
	// Serially, the third request means the first two pages were handed
	// out; with read-ahead it could arrive, and cancel, earlier.
	p.ahead = 0
	var got []int
	for e, err := range p.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, eventSeq(t, e))
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("the stream waited for the poll interval after a full page")
	}
	checkExactlyOnce(t, got, 8)
	if n := requests.Load(); n != 3 {
		t.Fatalf("%d requests, want 3 (two full pages at once, then one poll)", n)
	}
}

func TestMonitorStartOptions(t *testing.T) {
	now := time.Date(2024, 6, 30, 7, 8, 6, 0, time.UTC)
	tests := []struct {
		name string
		opts MonitorEventsOptions
		want url.Values
	}{
		{"default start sends no cursor", MonitorEventsOptions{}, url.Values{"limit": {"2000"}}},
		{"cursor is sent as is", MonitorEventsOptions{Cursor: "aa_1_2_0", Limit: 10}, url.Values{"cursor": {"aa_1_2_0"}, "limit": {"10"}}},
		{"since is sent as ISO UTC", MonitorEventsOptions{Since: now.In(time.FixedZone("x", 3600)).Add(500 * time.Millisecond)}, url.Values{"cursor": {"2024-06-30T07:08:06.5Z"}, "limit": {"2000"}}},
		{"from now uses the clock", MonitorEventsOptions{FromNow: true, Limit: 1}, url.Values{"cursor": {"2024-06-30T07:08:06Z"}, "limit": {"1"}}},
		{"checkpoint limit applies mid-page", MonitorEventsOptions{Checkpoint: Checkpoint{kind: CheckpointMonitor, cursor: "c9", limit: 50, seen: []uint64{1}}, Limit: 7}, url.Values{"cursor": {"c9"}, "limit": {"50"}}},
		{"caller limit applies at a page boundary", MonitorEventsOptions{Checkpoint: Checkpoint{kind: CheckpointMonitor, cursor: "c9", limit: 50}, Limit: 7}, url.Values{"cursor": {"c9"}, "limit": {"7"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got url.Values
			d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
				got = r.URL.Query()
				return pageJSONResponse(r, `{"endCursor":"x","data":[]}`), nil
			})
			p, err := newMonitorPager(d, "https://lens.example", tt.opts, func() time.Time { return now })
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.NextPage(context.Background()); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("query = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMonitorOptionsAreValidatedTogether(t *testing.T) {
	tests := []struct {
		name string
		opts MonitorEventsOptions
		want []string
	}{
		{"limit too large", MonitorEventsOptions{Limit: 2001}, []string{"MonitorEventsOptions.Limit 2001"}},
		{"negative limit", MonitorEventsOptions{Limit: -1}, []string{"MonitorEventsOptions.Limit -1"}},
		{"two starts", MonitorEventsOptions{Cursor: "c", FromNow: true}, []string{"MonitorEventsOptions.Cursor, MonitorEventsOptions.FromNow are mutually exclusive"}},
		{"negative interval", MonitorEventsOptions{Follow: true, PollInterval: -time.Second}, []string{"MonitorEventsOptions.PollInterval -1s is negative"}},
		{"interval without follow", MonitorEventsOptions{PollInterval: time.Second}, []string{"PollInterval is set but Follow is not"}},
		{"foreign checkpoint", MonitorEventsOptions{Checkpoint: Checkpoint{kind: CheckpointOrgUsers, page: "/x"}}, []string{"MonitorEventsOptions.Checkpoint", "orgusers listing, not monitor"}},
		{"everything at once", MonitorEventsOptions{Limit: 5000, Since: time.Now(), Cursor: "c", PollInterval: -1},
			[]string{"Limit 5000", "MonitorEventsOptions.Cursor, MonitorEventsOptions.Since", "PollInterval -1ns"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newMonitorPager(http.DefaultClient, "https://lens.example", tt.opts, time.Now)
			if err == nil {
				t.Fatal("invalid options accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := newMonitorPager(http.DefaultClient, "", MonitorEventsOptions{}, time.Now); err == nil || !strings.Contains(err.Error(), "MonitorURL") {
		t.Errorf("missing Monitor URL: error = %v", err)
	}
}

func TestMonitorBreakClosesEveryBody(t *testing.T) {
	f := &fakeMonitor{}
	f.add(30)
	_, base := startFakeMonitor(t, f)
	var open atomic.Int64
	d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			open.Add(1)
			resp.Body = &closeCounter{ReadCloser: resp.Body, open: &open}
		}
		return resp, err
	})
	before := runtime.NumGoroutine()
	for range 3 {
		p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 4, Follow: true, PollInterval: time.Hour})
		n := 0
		for _, err := range p.All(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 10 {
				break
			}
		}
	}
	if n := open.Load(); n != 0 {
		t.Fatalf("%d response bodies left open after break", n)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	if after := goroutinesSettle(before); after > before {
		t.Fatalf("%d goroutines before, %d after: the iterator leaked", before, after)
	}
}

type closeCounter struct {
	io.ReadCloser
	open   *atomic.Int64
	closed bool
}

func (c *closeCounter) Close() error {
	if !c.closed {
		c.closed = true
		c.open.Add(-1)
	}
	return c.ReadCloser.Close()
}

// pageDoerFunc adapts a function to the pageDoer interface.
type pageDoerFunc func(*http.Request) (*http.Response, error)

func (f pageDoerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func pageJSONResponse(r *http.Request, body string) *http.Response {
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// advancingPage serves the same events on every request with an endCursor
// that moves forward each time ("c1", "c2", ...): a stream that always has
// more. The page is rendered once; each body only adds the cursor.
type advancingPage struct {
	head, tail []byte // the page before and after the endCursor value
	n          atomic.Int64
}

func newAdvancingPage(first, n int) *advancingPage {
	const mark = "CURSOR-MARK"
	body := testMonitorPage(first, n, mark)
	i := bytes.Index(body, []byte(mark))
	return &advancingPage{head: body[:i], tail: body[i+len(mark):]}
}

// next returns the next page's body and its length.
func (a *advancingPage) next() (io.Reader, int64) {
	c := "c" + strconv.FormatInt(a.n.Add(1), 10)
	return io.MultiReader(bytes.NewReader(a.head), strings.NewReader(c), bytes.NewReader(a.tail)), int64(len(a.head) + len(c) + len(a.tail))
}

// TestMonitorHeapStaysFlat reads many 2000-event pages and checks that the
// heap in use does not grow with the number of pages read.
func TestMonitorHeapStaysFlat(t *testing.T) {
	pages := 60
	if raceEnabled {
		pages = 16
	}
	heapAt := monitorHeapProfile(t, pages, 5)
	t.Logf("heap in use after page 5: %.1f MB, after page %d: %.1f MB", heapAt[0]/1e6, pages, heapAt[1]/1e6)
	// One page is about 2.3 MB of JSON (+ its string and Event slice); allow
	// two pages of slack, far below what retaining every page would hold.
	if growth := heapAt[1] - heapAt[0]; growth > 12e6 {
		t.Fatalf("heap grew by %.1f MB between page 5 and page %d", growth/1e6, pages)
	}
}

// monitorHeapProfile reads pages Monitor pages of 2000 events through a
// loopback-free pageDoer and returns the heap in use (after GC) at page `early`
// and at the end.
func monitorHeapProfile(t testing.TB, pages, early int) [2]float64 {
	page := newAdvancingPage(0, 2000)
	d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
		body, n := page.next()
		resp := pageJSONResponse(r, "")
		resp.Body, resp.ContentLength = io.NopCloser(body), n
		return resp, nil
	})
	p := testMonitorPager(t, d, "https://lens.example", MonitorEventsOptions{Follow: true})
	var heap [2]float64
	var ms runtime.MemStats
	ctx := context.Background()
	for i := 1; i <= pages; i++ {
		page, err := p.NextPage(ctx)
		if err != nil || len(page.Items) == 0 {
			t.Fatal(err)
		}
		if i == early || i == pages {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap[min(i/pages, 1)] = float64(ms.HeapAlloc)
		}
	}
	return heap
}

// advancingServer serves an advancingPage of 2000 events on loopback until
// the benchmark ends.
func advancingServer(b *testing.B) (*advancingPage, *httptest.Server) {
	page := newAdvancingPage(0, 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, n := page.next()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		io.Copy(w, body)
	}))
	b.Cleanup(srv.Close)
	return page, srv
}

// BenchmarkMonitorLoopback measures the whole Monitor path over loopback
// HTTP: request, body read, decode of 2000-event pages into Event with Raw
// kept, duplicate protection and checkpoint bookkeeping.
func BenchmarkMonitorLoopback(b *testing.B) {
	page, srv := advancingServer(b)
	p := testMonitorPager(b, srv.Client(), srv.URL, MonitorEventsOptions{Follow: true})
	ctx := context.Background()
	b.SetBytes(int64(len(page.head) + len(page.tail)))
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		page, err := p.NextPage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		events += len(page.Items)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

func TestClientMonitorEventsGoesThroughTheAuthenticatedPipeline(t *testing.T) {
	f := &fakeMonitor{}
	f.add(9)
	var auth atomic.Value
	mux := http.NewServeMux()
	mux.Handle("/monitor/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		f.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(
		WithEnvironment(Environment{Name: "test", OAuthURL: srv.URL, MonitorURL: srv.URL + "/monitor"}),
		WithTokenSource(StaticTokenSource(&Token{AccessToken: "tok-1", Expiry: time.Now().Add(time.Hour)})),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for e, err := range c.MonitorEvents(context.Background(), MonitorEventsOptions{Limit: 4}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, eventSeq(t, e))
	}
	checkExactlyOnce(t, got, 9)
	if a, _ := auth.Load().(string); a != "Bearer tok-1" {
		t.Fatalf("Authorization = %q", a)
	}
	for _, err := range c.MonitorEvents(context.Background(), MonitorEventsOptions{Limit: 9999}) {
		if err == nil || !strings.Contains(err.Error(), "MonitorEventsOptions.Limit 9999") {
			t.Fatalf("invalid options: error = %v", err)
		}
	}
}

// BenchmarkMonitorHeap500Pages reads 500 pages of 2000 events per
// iteration and reports the heap in use (after GC) after page 10 and after
// page 500: equal values show memory is bounded by one page.
func BenchmarkMonitorHeap500Pages(b *testing.B) {
	var heap [2]float64
	for b.Loop() {
		heap = monitorHeapProfile(b, 500, 10)
	}
	b.ReportMetric(heap[0]/1e6, "heapMB@page10")
	b.ReportMetric(heap[1]/1e6, "heapMB@page500")
	b.ReportMetric(float64(b.N)*500*2000/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

func TestMonitorMalformedBodyIsADecodeError(t *testing.T) {
	for body, reason := range map[string]string{
		`{"endCursor":"c","data":[{"eventId":"a"},}`:  reasonInvalid,
		`{"endCursor":"c","data":{"eventId":"a"}}`:    reasonShape,
		`<html><title>502 Bad Gateway</title></html>`: reasonHTML,
		`{"endCursor":"c","data":[{"eventId":"a"`:     reasonTruncated,
	} {
		d := pageDoerFunc(func(r *http.Request) (*http.Response, error) { return pageJSONResponse(r, body), nil })
		p := testMonitorPager(t, d, "https://lens.example", MonitorEventsOptions{})
		_, err := p.NextPage(context.Background())
		var de *DecodeError
		if !errors.As(err, &de) || de.Reason != reason || de.StatusCode != 200 || !strings.Contains(de.URL, monitorStreamPath) {
			t.Errorf("body %.30q: error = %v, want a *DecodeError saying %q", body, err, reason)
		}
		var se *JSONSyntaxError
		if reason == reasonInvalid && (!errors.As(err, &se) || se.Offset != 41) {
			t.Errorf("body %.30q: the syntax error's offset is lost: %v", body, err)
		}
	}
}
