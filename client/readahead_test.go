package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
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
	page := newAdvancingPage(0, 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, n := page.next()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		io.Copy(w, body)
	}))
	defer srv.Close()
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
	for _, depth := range []int{0, 1, 2} {
		b.Run("read-ahead "+strconv.Itoa(depth), func(b *testing.B) {
			p := testMonitorPager(b, srv.Client(), srv.URL, MonitorEventsOptions{Follow: true})
			p.ahead = depth
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
