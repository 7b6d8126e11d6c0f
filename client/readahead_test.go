package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// pageCountingSource serves ids in pages like sliceSource, counting the fetches
// started (safe to read while a read-ahead runs).
type pageCountingSource struct {
	sliceSource
	started atomic.Int32
}

func (s *pageCountingSource) fetch(ctx context.Context, at pagePos) (fetched[string], error) {
	s.started.Add(1)
	return s.sliceSource.fetch(ctx, at)
}

func idList(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "id" + strconv.Itoa(i)
	}
	return ids
}

// waitFor polls cond until it holds or ten seconds pass, and reports
// whether it held.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func TestReadAheadFetchesUpToDepthPagesAheadAndNoMore(t *testing.T) {
	const pages, size = 7, 3
	for _, depth := range []int{0, 1, 2, 3} {
		t.Run(fmt.Sprintf("depth %d", depth), func(t *testing.T) {
			src := &pageCountingSource{sliceSource: sliceSource{ids: idList(pages * size), n: size, failAt: -1}}
			p := newSlicePager(&src.sliceSource, Checkpoint{})
			p.src, p.ahead = src, depth
			n := 0
			var got []string
			for pg, err := range p.Pages(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				n++
				got = append(got, pg.Items...)
				want := int32(min(n+depth, pages))
				// The producer reaches n+depth pages while this page is
				// held, and cannot start the one after.
				if !waitFor(func() bool { return src.started.Load() >= want }) {
					t.Fatalf("holding page %d: %d fetches started, want %d", n, src.started.Load(), want)
				}
				if s := src.started.Load(); s > want {
					t.Fatalf("holding page %d: %d fetches started, more than %d (depth %d)", n, s, want, depth)
				}
			}
			if n != pages || !slices.Equal(got, src.ids) {
				t.Fatalf("%d pages, records %v", n, got)
			}
		})
	}
}

func TestReadAheadErrorsArriveInOrderAndTheFailedPageIsRetried(t *testing.T) {
	ids := idList(12)
	for _, depth := range []int{1, 3} {
		// The fetch of the page at 6 fails once; with read-ahead it fails
		// while pages before it are still being handed out.
		src := &sliceSource{ids: ids, n: 2, failAt: 6}
		p := newSlicePager(src, Checkpoint{})
		p.ahead = depth
		var got []string
		var errs []error
		for range 3 {
			for s, err := range p.All(context.Background()) {
				if err != nil {
					if len(got) != 6 {
						t.Fatalf("depth %d: the error arrived after %d records, want 6", depth, len(got))
					}
					if cp := p.Checkpoint(); cp.Page() != "/p?start=6" || cp.Offset() != 0 {
						t.Fatalf("depth %d: checkpoint at the error %v, want the start of the failed page", depth, cp)
					}
					errs = append(errs, err)
					break
				}
				got = append(got, s)
			}
		}
		if !slices.Equal(got, ids) || len(errs) != 1 {
			t.Fatalf("depth %d: got %v with errors %v", depth, got, errs)
		}
	}
}

func TestReadAheadNextPageInsideTheLoopStaysInOrder(t *testing.T) {
	ids := idList(10)
	src := &sliceSource{ids: ids, n: 2, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	p.ahead = 3
	var got []string
	for s, err := range p.All(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
		if len(got) == 3 { // mid-page: NextPage hands out the page after it
			pg, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, "|")
			got = append(got, pg.Items...)
			got = append(got, "|")
		}
	}
	want := []string{"id0", "id1", "id2", "|", "id4", "id5", "|", "id6", "id7", "id8", "id9"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v (id3 is skipped: NextPage hands out whole pages)", got, want)
	}
}

// TestReadAheadLeavesNoRequestOrGoroutineBehind breaks out of All and Pages
// at several points while a slow request is in flight ahead, and checks
// that every body is closed and no goroutine outlives the loop.
func TestReadAheadLeavesNoRequestOrGoroutineBehind(t *testing.T) {
	f := &fakeMonitor{}
	f.add(40)
	var inFlight atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		select { // a slow server: the request ahead is still waiting at the break
		case <-time.After(20 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	var open atomic.Int64
	d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := tr.RoundTrip(r)
		if err == nil {
			open.Add(1)
			resp.Body = &closeCounter{ReadCloser: resp.Body, open: &open}
		}
		return resp, err
	})
	base := srv.URL + "/monitor"
	before := runtime.NumGoroutine()
	for _, depth := range []int{1, 2, 4} {
		for _, stopAt := range []int{1, 4, 5, 9, 23} {
			for _, pages := range []bool{false, true} {
				p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 4, Follow: true, PollInterval: time.Hour})
				p.ahead = depth
				n := 0
				if pages {
					for pg, err := range p.Pages(context.Background()) {
						if err != nil {
							t.Fatal(err)
						}
						if n += len(pg.Items); n >= stopAt {
							break
						}
					}
				} else {
					for _, err := range p.All(context.Background()) {
						if err != nil {
							t.Fatal(err)
						}
						if n++; n == stopAt {
							break
						}
					}
				}
				if p.ra != nil {
					t.Fatalf("depth %d, stop at %d: the read-ahead is still set after the loop", depth, stopAt)
				}
				if o := open.Load(); o != 0 {
					t.Fatalf("depth %d, stop at %d: %d response bodies open after the loop", depth, stopAt, o)
				}
			}
		}
	}
	tr.CloseIdleConnections()
	if !waitFor(func() bool { return inFlight.Load() == 0 }) {
		t.Fatalf("%d requests still at the server", inFlight.Load())
	}
	srv.CloseClientConnections()
	if after := goroutinesSettle(before); after > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after: the read-ahead leaked\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestReadAheadDroppedPagesAreNotTakenForAPagingCycle(t *testing.T) {
	// A list pager refuses a next link to a page it read; pages read ahead
	// and dropped at a break must not count as read.
	ids := idList(30)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		start, _ := strconv.Atoi(r.URL.Query().Get("start"))
		end := min(start+3, len(ids))
		body := `{"users":[`
		for i := start; i < end; i++ {
			if i > start {
				body += ","
			}
			body += `{"id":"` + ids[i] + `"}`
		}
		body += `],"paging":{`
		if end < len(ids) {
			body += `"next":"http://` + r.Host + `/v2/organizations/o/users?start=` + strconv.Itoa(end) + `"`
		}
		body += `}}`
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	p, err := newOrgUsersPager(adminConn{do: srv.Client(), baseURL: srv.URL, org: func(context.Context) (string, error) { return "o", nil }}, OrgUsersOptions{AccountID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	p.ahead = 4
	var got []string
	for _, stopAt := range []int{2, 3, 10, -1} {
		for u, err := range p.All(context.Background()) {
			if err != nil {
				t.Fatalf("after %d users: %v", len(got), err)
			}
			got = append(got, u.ID)
			if len(got) == stopAt {
				// Let the read-ahead fetch its pages before the break (a
				// pager that failed instead is caught by the next loop).
				before := requests.Load()
				waitFor(func() bool { return requests.Load() >= before+3 })
				break
			}
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("got %v", got)
	}
}

func TestWithReadAheadIsValidated(t *testing.T) {
	for _, n := range []int{-1, maxReadAhead + 1} {
		var cfg config
		WithReadAhead(n)(&cfg)
		if err := errors.Join(cfg.errs...); err == nil {
			t.Errorf("WithReadAhead(%d) accepted", n)
		}
	}
	var cfg config
	if cfg.pagingConfig.depth() != DefaultReadAhead {
		t.Errorf("default depth %d", cfg.pagingConfig.depth())
	}
	WithReadAhead(0)(&cfg)
	if cfg.pagingConfig.depth() != 0 || len(cfg.errs) != 0 {
		t.Errorf("WithReadAhead(0): depth %d, errors %v", cfg.pagingConfig.depth(), cfg.errs)
	}
}

// BenchmarkMonitorLoopbackPipeline drains 2000-event Monitor pages from an
// httptest server on loopback three ways in one run: the floor (the same
// GETs, bodies read and not decoded), the pager without read-ahead, and
// the pager reading one page ahead. Compare the events/s of the three.
func BenchmarkMonitorLoopbackPipeline(b *testing.B) {
	_, srv := advancingServer(b)
	ctx := context.Background()
	b.Run("floor", func(b *testing.B) {
		g := pageGetter{do: srv.Client()}
		events := 0
		for b.Loop() {
			body, _, err := g.get(ctx, srv.URL+monitorStreamPath+"?limit=2000")
			if err != nil || len(body) == 0 {
				b.Fatal(err)
			}
			events += 2000
		}
		b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(0, "ns/op")
	})
	for _, depth := range []int{0, 1, 2, -1} {
		name := "read-ahead " + strconv.Itoa(depth)
		if depth < 0 {
			name = "read-ahead 1, decoded ahead" // not left to the pager
		}
		b.Run(name, func(b *testing.B) {
			p := testMonitorPager(b, srv.Client(), srv.URL, MonitorEventsOptions{Follow: true})
			p.ahead = depth
			if depth < 0 {
				p.ahead, p.src.(*monitorSource).deferMin = 1, math.MaxInt
			}
			events := 0
			next, stop := iter.Pull2(p.Pages(ctx))
			defer stop()
			for b.Loop() {
				pg, err, ok := next()
				if err != nil || !ok {
					b.Fatal(err)
				}
				events += len(pg.Items)
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// monitorDeferPager is a Monitor pager over f reading depth pages ahead
// that leaves every page with events to be decoded by the pager.
func monitorDeferPager(t testing.TB, d pageDoer, base string, depth int, opts MonitorEventsOptions) *Pager[Event] {
	p := testMonitorPager(t, d, base, opts)
	p.src.(*monitorSource).deferMin = 1
	p.ahead = depth
	return p
}

func TestMonitorFetchAheadLeavesLargePagesUndecoded(t *testing.T) {
	f := &fakeMonitor{}
	f.add(10)
	d, base := startFakeMonitor(t, f)
	p := monitorDeferPager(t, d, base, 1, MonitorEventsOptions{Limit: 4})
	src := p.src.(*monitorSource)
	ahead, err := src.fetchAhead(context.Background(), pagePos{limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if ahead.decode == nil || len(ahead.items) != 0 || ahead.next.cursor != "cur_4" {
		t.Fatalf("fetchAhead = %+v, want an undecoded page announcing cur_4", ahead)
	}
	got, err := ahead.decode()
	if err != nil || len(got.items) != 4 || got.next != ahead.next {
		t.Fatalf("decode = %d events, next %+v, %v", len(got.items), got.next, err)
	}
	if empty, err := src.fetchAhead(context.Background(), pagePos{cursor: "cur_10", limit: 4}); err != nil || empty.decode != nil || !empty.last {
		t.Fatalf("an empty page: %+v, %v; want it decoded and last", empty, err)
	}
	if f, err := src.fetchAhead(context.Background(), pagePos{cursor: "cur_8", limit: 4}); err != nil || f.decode == nil {
		t.Fatalf("a page with events: %+v, %v", f, err)
	}
	src.follow = true // a followed stream needs the count of every page
	if f, err := src.fetchAhead(context.Background(), pagePos{limit: 4}); err != nil || f.decode != nil {
		t.Fatalf("followed: %+v, %v; want it decoded", f, err)
	}
}

func TestPeekEndCursor(t *testing.T) {
	for body, want := range map[string]string{
		`{"endCursor":"a","data":[]}`:                                       "a",
		` { "x" : [1,{"endCursor":"no"}] , "endCursor" : "b", "data":[{}]}`: "b",
		`{"data":[{"endCursor":"inner"}],"endCursor":"c"}`:                  "c",
		`{"data":[{"k":"v"}],"endCursor":"d\u0041"}`:                        "dA",
	} {
		if got, ok := peekEndCursor([]byte(body)); !ok || got != want {
			t.Errorf("peekEndCursor(%s) = %q, %v; want %q", body, got, ok, want)
		}
	}
	for _, body := range []string{`{"data":[]}`, `[1]`, `{"endCursor":1,"data":[]}`, ``} {
		if got, ok := peekEndCursor([]byte(body)); ok {
			t.Errorf("peekEndCursor(%s) = %q, want none", body, got)
		}
	}
}

// TestReadAheadDeferredDecodingKeepsEveryPromise drains Monitor pages that
// the pager decodes itself while the next is fetched, through every fault
// that can hit such a page: a body whose JSON ends early (fetched again),
// an endCursor read ahead that the decoded page contradicts (the read-ahead
// is dropped), errors, and cancellation at every position.
func TestReadAheadDeferredDecodingKeepsEveryPromise(t *testing.T) {
	for _, depth := range []int{1, 2} {
		for _, fault := range []string{"", "halfjson", "lie", "500", "nocursor", "stuck", "429"} {
			t.Run(fmt.Sprintf("depth %d, %s", depth, fault), func(t *testing.T) {
				f := &fakeMonitor{}
				f.add(31)
				d, base := startFakeMonitor(t, f)
				p := monitorDeferPager(t, d, base, depth, MonitorEventsOptions{Limit: 5})
				var got []int
				var errs []error
				for attempt := 0; p.HasMorePages() && attempt < 10; attempt++ {
					for e, err := range p.All(context.Background()) {
						if err != nil {
							errs = append(errs, err)
							break
						}
						got = append(got, eventSeq(t, e))
						if len(got) == 7 && fault != "" {
							f.fault(fault, "", fault)
						}
					}
				}
				checkExactlyOnce(t, got, 31)
				if (fault == "nocursor" || fault == "stuck") && len(errs) == 0 {
					t.Fatal("the bad page was not reported")
				}
				t.Logf("errors: %v", errs)
			})
		}
	}
	t.Run("cancel at every position", func(t *testing.T) {
		f := &fakeMonitor{}
		f.add(17)
		d, base := startFakeMonitor(t, f)
		for k := 1; k <= 12; k++ {
			p := monitorDeferPager(t, d, base, 1, MonitorEventsOptions{Limit: 5})
			ctx, cancel := context.WithCancel(context.Background())
			var got []int
			var stopErr error
			for e, err := range p.All(ctx) {
				if err != nil {
					stopErr = err
					break
				}
				got = append(got, eventSeq(t, e))
				if len(got) == k {
					cancel()
				}
			}
			cancel()
			if len(got) != k || !errors.Is(stopErr, context.Canceled) {
				t.Fatalf("cancelled after %d: %d events, error %v", k, len(got), stopErr)
			}
			rest := monitorDeferPager(t, d, base, 1, MonitorEventsOptions{Limit: 5, Checkpoint: p.Checkpoint()})
			checkExactlyOnce(t, append(got, collectEvents(t, rest)...), 17)
		}
	})
}

// TestListPagesDecodedByThePagerKeepEveryPromise reads an eSignature list
// whose records the pager decodes while the next page is fetched: a record
// that does not decode is reported after the records before it, with the
// checkpoint at its page; faults and restarts lose and repeat nothing.
func TestListPagesDecodedByThePagerKeepEveryPromise(t *testing.T) {
	pager := func(f *fakeESignList, cp Checkpoint) *Pager[ESignatureUser] {
		p := testAccountUsers(t, f.conn(), AccountUsersOptions{Count: 4, Checkpoint: cp})
		p.src.(*listSource[ESignatureUser]).deferMin = 1
		return p
	}
	t.Run("a bad record", func(t *testing.T) {
		records := esignUsers(13)
		records[6] = `"not a user"`
		f := newFakeESignList(t, "users", "users", records)
		p, err := newESignListPager(f.conn(), AccountUsersOptions{Count: 4}.request(), "AccountUsersOptions.",
			func(raw json.RawMessage) (ESignatureUser, error) {
				if raw[0] != '{' {
					return ESignatureUser{}, errors.New("not an object")
				}
				return decodeRecord[ESignatureUser](raw)
			})
		if err != nil {
			t.Fatal(err)
		}
		p.src.(*listSource[ESignatureUser]).deferMin = 1
		src := p.src.(*listSource[ESignatureUser])
		if ahead, err := src.fetchAhead(context.Background(), pagePos{}); err != nil || ahead.decode == nil || ahead.next.page == "" {
			t.Fatalf("fetchAhead = %+v, %v; want records left to decode and the next page known", ahead, err)
		}
		var got []int
		var stopErr error
		for u, err := range p.All(context.Background()) {
			if err != nil {
				stopErr = err
				break
			}
			got = append(got, esignUserSeq(t, u.UserID))
		}
		if len(got) != 4 || stopErr == nil || !strings.Contains(stopErr.Error(), "record 2") {
			t.Fatalf("got %v, then %v; want 4 users, then the error of record 2 of the second page", got, stopErr)
		}
		if cp := p.Checkpoint(); !strings.Contains(cp.Page(), "start_position=4") || cp.Offset() != 0 {
			t.Fatalf("checkpoint at the error %v, want the start of the second page", cp)
		}
	})
	t.Run("faults and restarts", func(t *testing.T) {
		f := newFakeESignList(t, "users", "users", esignUsers(23))
		var got []int
		cp := Checkpoint{}
		for run := 0; run < 20 && !cp.Done(); run++ {
			p := pager(f, cp)
			for u, err := range p.All(context.Background()) {
				if err != nil {
					break
				}
				got = append(got, esignUserSeq(t, u.UserID))
				if len(got)%5 == 0 {
					f.fault("truncate", "", "500")
					break // a restart
				}
			}
			cp = p.Checkpoint()
		}
		checkExactlyOnce(t, got, 23)
	})
}
