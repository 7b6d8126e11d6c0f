package client

import (
	"context"
	"errors"
	"hash/maphash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sliceSource serves a list of ids in pages of size n, as page "/p?start=i".
// failAt makes the fetch of that start fail once.
type sliceSource struct {
	ids    []string
	n      int
	failAt int
	calls  int
}

func (s *sliceSource) fetch(_ context.Context, at pagePos) (fetched[string], error) {
	s.calls++
	start := 0
	if at.page != "" {
		start, _ = strconv.Atoi(at.page[len("/p?start="):])
	}
	if start == s.failAt {
		s.failAt = -1
		return fetched[string]{}, errors.New("boom")
	}
	end := min(start+s.n, len(s.ids))
	f := fetched[string]{at: pagePos{page: "/p?start=" + strconv.Itoa(start)}, items: slices.Clone(s.ids[start:end])}
	if end == len(s.ids) {
		f.last, f.complete = true, true
	} else {
		f.next = pagePos{page: "/p?start=" + strconv.Itoa(end)}
	}
	return f, nil
}

func newSlicePager(src *sliceSource, cp Checkpoint) *Pager[string] {
	return newPager[string]("test", src, func(s *string) uint64 { return recordFingerprint(*s) }, pagePos{}, cp)
}

func TestPagerNextPageAndCheckpoints(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d", "e"}, n: 2, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	if !p.Checkpoint().IsZero() {
		t.Fatal("a list pager that fetched nothing has a non-zero checkpoint")
	}
	var pages [][]string
	for p.HasMorePages() {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, pg.Items)
		if got := p.Checkpoint(); got.String() != pg.Checkpoint(len(pg.Items)).String() {
			t.Fatalf("after NextPage the pager's checkpoint %v is not the page's end %v", got, pg.Checkpoint(len(pg.Items)))
		}
	}
	if len(pages) != 3 || !p.Checkpoint().Done() {
		t.Fatalf("pages %v, checkpoint %v", pages, p.Checkpoint())
	}
	if _, err := p.NextPage(context.Background()); !errors.Is(err, ErrNoMorePages) {
		t.Fatalf("NextPage after the end: %v, want ErrNoMorePages", err)
	}
}

func TestPagerErrorLeavesThePositionAndRetries(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d", "e"}, n: 2, failAt: 2}
	p := newSlicePager(src, Checkpoint{})
	var got []string
	errs := 0
	for range 3 {
		for s, err := range p.All(context.Background()) {
			if err != nil {
				errs++
				break
			}
			got = append(got, s)
		}
	}
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) || errs != 1 {
		t.Fatalf("got %v with %d errors", got, errs)
	}
}

func TestPagerAllAfterBreakContinuesAfterTheLastRecord(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d", "e"}, n: 3, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	var got []string
	for s := range p.All(context.Background()) {
		got = append(got, s)
		break
	}
	if cp := p.Checkpoint(); cp.Offset() != 1 || cp.Page() != "/p?start=0" {
		t.Fatalf("checkpoint after one record: %v", cp)
	}
	for s := range p.All(context.Background()) {
		got = append(got, s)
	}
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("got %v", got)
	}
}

func TestPageCheckpointClampsK(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c"}, n: 2, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	pg, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cp := pg.Checkpoint(-3); cp.Offset() != 0 || cp.Page() != "/p?start=0" {
		t.Fatalf("Checkpoint(-3) = %v", cp)
	}
	if cp := pg.Checkpoint(99); cp.Offset() != 0 || cp.Page() != "/p?start=2" {
		t.Fatalf("Checkpoint(99) = %v", cp)
	}
}

func TestPositionNext(t *testing.T) {
	tests := []struct {
		name     string
		cur      string
		top      string
		n        int
		want     string
		complete bool
	}{
		{"empty page ends", "/u?count=5&start_position=10", `{"totalSetSize":"100"}`, 0, "", true},
		{"more by total", "/u?count=5&start_position=10", `{"totalSetSize":"100"}`, 5, "/u?count=5&start_position=15", false},
		{"end by total", "/u?count=5&start_position=95", `{"totalSetSize":"100","nextUri":"/x"}`, 5, "", true},
		{"numeric total", "/u?count=5&start_position=0", `{"totalSetSize":7}`, 5, "/u?count=5&start_position=5", false},
		{"more by nextUri", "/u?count=5&start_position=0&status=a", `{"nextUri":"/x"}`, 5, "/u?count=5&start_position=5&status=a", false},
		{"no total, no nextUri", "/u?count=5&start_position=0", `{}`, 5, "", true},
		{"partial page but total says more", "/u?count=5&start_position=0", `{"totalSetSize":"9"}`, 3, "/u?count=5&start_position=3", false},
		{"keys match case-insensitively", "/u?count=5&start_position=0", `{"TotalSetSize":"9"}`, 5, "/u?count=5&start_position=5", false},
		{"a null nextUri keeps the earlier one", "/u?count=5&start_position=0", `{"nextUri":"/x","NEXTURI":null}`, 5, "/u?count=5&start_position=5", false},
		{"a mistyped nextUri is ignored", "/u?count=5&start_position=0", `{"nextUri":7,"totalSetSize":"9"}`, 5, "/u?count=5&start_position=5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, complete, err := positionNext(nextArgs{cur: tt.cur, top: []byte(tt.top), n: tt.n}, 5)
			if err != nil || got != tt.want || complete != tt.complete {
				t.Fatalf("positionNext = %q, %v, %v; want %q, %v", got, complete, err, tt.want, tt.complete)
			}
		})
	}
}

func TestStringMembers(t *testing.T) {
	paths := []string{"id", "settings.modified", "a.b.c"}
	for raw, want := range map[string][3]string{
		`{"id":"a"}`:                        {"a", "", ""},
		`{"x":{"id":"inner"},"id":"outer"}`: {"outer", "", ""},
		`{"x":[1,{"id":"no"}]}`:             {"", "", ""},
		`{"id":5}`:                          {"", "", ""},
		`{"id":"\u0061b"}`:                  {"ab", "", ""},
		`not json`:                          {"", "", ""},
		`{"id":"a","id":"b"}`:               {"b", "", ""},
		`{"id":"a","id":7}`:                 {"a", "", ""},
		`{"id":"a","id":null}`:              {"a", "", ""},
		`{"ID":"a"}`:                        {"a", "", ""},
		`{"Id":"a","id":"b","iD":"c"}`:      {"c", "", ""},
		`{"\u0069d":"a","ſettings":{"MODIFIED":"m"},"settings":{"x":1},"settings":null}`: {"a", "m", ""},
		`{"settings":{"modified":"m"},"settings":{"modified":"n"}}`:                      {"", "n", ""},
		`{"userId":"u","id":"i","z":[true]}`:                                             {"i", "", ""},
		`{"settings":{"modified":"m","id":"no"},"id":"i"}`:                               {"i", "m", ""},
		`{"settings":"m"}`: {"", "", ""},
		`{"a":{"b":{"c":"deep"}},"settings":{"modified":3}}`: {"", "", "deep"},
		`{"id":"a","settings":{"modified":"m"`:               {"", "", ""},
	} {
		if got := stringMembers([]byte(raw), paths...); got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("stringMembers(%s) = %q, want %q", raw, got, want)
		}
	}
}

// countingReader yields n bytes of '[' and counts what was read.
type countingReader struct {
	n, read int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n-r.read)
	for i := range k {
		p[i] = '['
	}
	r.read += k
	return int(k), nil
}

func TestAPageBodyOverTheLimitIsRefused(t *testing.T) {
	const limit = 64 << 20
	tests := []struct {
		name          string
		contentLength int64 // -1: chunked
		size          int64
		maxBody       int64 // 0: the library's limit
		maxRead       int64 // the most the getter may read
	}{
		{"a declared length over 64 MiB is refused unread", limit + 1, limit + 1, 0, 0},
		{"a chunked body is cut at the limit", -1, 4 << 10, 1 << 10, 1<<10 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingReader{n: tt.size}
			d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
				resp := pageJSONResponse(r, "")
				resp.Body, resp.ContentLength = io.NopCloser(body), tt.contentLength
				return resp, nil
			})
			g := pageGetter{do: d, maxBody: tt.maxBody}
			err := g.getPage(context.Background(), "https://lens.example/api/x", func([]byte, bodyMeta) error { return nil })
			var de *DecodeError
			if !errors.As(err, &de) || !strings.Contains(de.Reason, "limit") || de.StatusCode != 200 {
				t.Fatalf("error = %v, want a *DecodeError about the size limit", err)
			}
			if tt.maxBody == 0 && !strings.Contains(err.Error(), "64 MiB") {
				t.Errorf("error %q does not name the 64 MiB limit", err)
			}
			if body.read > tt.maxRead {
				t.Fatalf("read %d bytes of the body, want at most %d", body.read, tt.maxRead)
			}
		})
	}
}

func TestPagerQuickHashCollisionsFallBackToTheExactCheck(t *testing.T) {
	for _, tt := range []struct {
		name        string
		ids         []string
		want        []string
		wantSkipped int
	}{
		{"distinct records whose quick hashes collide are all kept", []string{"a", "b", "c"}, []string{"a", "b", "c"}, 0},
		{"a repeated record is skipped", []string{"a", "b", "a", "c"}, []string{"a", "b", "c"}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newSlicePager(&sliceSource{ids: tt.ids, n: len(tt.ids), failAt: -1}, Checkpoint{})
			p.useQuickHash(func(*string, maphash.Seed) uint64 { return 7 }) // every pair collides
			pg, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pg.Items, tt.want) || pg.Skipped != tt.wantSkipped {
				t.Fatalf("items %q skipped %d, want %q and %d", pg.Items, pg.Skipped, tt.want, tt.wantSkipped)
			}
		})
	}
}

func TestPageCheckpointWithoutStoredFingerprintsResumesMidPage(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d"}, n: 4, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	p.useQuickHash(func(s *string, seed maphash.Seed) uint64 { return maphash.String(seed, *s) })
	pg, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pg.fps != nil {
		t.Fatal("a page without duplicates computed fingerprints up front")
	}
	rest := newSlicePager(&sliceSource{ids: src.ids, n: 4, failAt: -1}, pg.Checkpoint(2))
	got, err := rest.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Items, []string{"c", "d"}) || got.Skipped != 2 {
		t.Fatalf("resumed items %q skipped %d, want c, d and 2", got.Items, got.Skipped)
	}
}

func TestSplitListPage(t *testing.T) {
	for _, tt := range []struct {
		name    string
		body    string
		records []string
		top     string
		reason  string // jsonErrorReason of the error; "" for success
	}{
		{"records and other members", `{"users":[{"id":"a"}, 5 ,{}],"paging":{"next":"x"}}`, []string{`{"id":"a"}`, `5`, `{}`}, `{"paging":{"next":"x"}}`, ""},
		{"the last repeated items member counts", `{"users":[1],"users":[2,3]}`, []string{"2", "3"}, `{}`, ""},
		{"a null items member holds no records", `{"users":[1],"users":null}`, nil, `{}`, ""},
		{"the items key matches case-insensitively", `{"a" : 1, "Users":[1],"x":"y","u\u0073ers":[2]}`, []string{"2"}, `{"a" : 1,"x":"y"}`, ""},
		{"no items member", ` {} `, nil, `{}`, ""},
		{"items not an array", `{"users":{"id":"a"}}`, nil, "", reasonShape},
		{"body not an object", `[1]`, nil, "", reasonShape},
		{"trailing garbage", `{"users":[]} x`, nil, "", reasonInvalid},
		{"truncated body", `{"users":[{"id":"a"`, nil, "", reasonTruncated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			top, spans, err := splitListPage(body, string(body), "users")
			if got := jsonErrorReason(err); got != tt.reason || (tt.reason == "" && err != nil) {
				t.Fatalf("error %v (reason %q), want reason %q", err, got, tt.reason)
			}
			if err != nil {
				return
			}
			var records []string
			for _, sp := range spans {
				records = append(records, tt.body[sp.start:sp.end])
			}
			if !slices.Equal(records, tt.records) {
				t.Errorf("records %q, want %q", records, tt.records)
			}
			if string(top) != tt.top {
				t.Errorf("members %s, want %s", top, tt.top)
			}
		})
	}
}

// TestPagerCancelStopsAtTheNextRecord cancels the context after every
// possible number of records and checks that the iterator stops before the
// next record with the context's error, and that the checkpoint then
// resumes exactly after the last record handed out.
func TestPagerCancelStopsAtTheNextRecord(t *testing.T) {
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	for k := 0; k <= len(ids); k++ {
		src := &sliceSource{ids: ids, n: 4, failAt: -1}
		p := newSlicePager(src, Checkpoint{})
		ctx, cancel := context.WithCancel(context.Background())
		var got []string
		var stopErr error
		if k == 0 {
			cancel()
		}
		for s, err := range p.All(ctx) {
			if err != nil {
				stopErr = err
				break
			}
			got = append(got, s)
			if len(got) == k {
				cancel()
			}
		}
		cancel()
		if k < len(ids) && !errors.Is(stopErr, context.Canceled) {
			t.Fatalf("cancelled after %d records: error %v, want context.Canceled", k, stopErr)
		}
		if len(got) != k {
			t.Fatalf("cancelled after %d records: %d records yielded (%v)", k, len(got), got)
		}
		cp := p.Checkpoint()
		rest := newSlicePager(&sliceSource{ids: ids, n: 4, failAt: -1}, cp)
		for s, err := range rest.All(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("cancelled after %d records, then resumed from %v: got %v", k, cp, got)
		}
	}
}
