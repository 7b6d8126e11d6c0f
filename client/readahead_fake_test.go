package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// TestReadAheadCancelAtEveryPositionOfAPage cancels the context after each
// possible number of events of the first two pages while the next page is
// on its way, and checks that the iterator stops before the next event and
// that a new process resuming from the saved checkpoint gets exactly the
// rest.
func TestReadAheadCancelAtEveryPositionOfAPage(t *testing.T) {
	const limit = 6
	for _, depth := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("read-ahead %d", depth), func(t *testing.T) {
			srv, _ := fakeClient(t, docusigntest.WithEvents(3*limit+2), docusigntest.WithUsers(20))
			idx := eventIndex(srv)
			n := srv.MonitorEventCount()
			// Every page takes a few milliseconds: the request ahead is
			// usually in flight when the context is cancelled.
			srv.InjectFault(docusigntest.Fault{PathPrefix: streamPath, Delay: 3 * time.Millisecond, Count: -1})
			for k := 0; k <= 2*limit; k++ {
				p := monitorPager(t, srv, depth, client.MonitorEventsOptions{Limit: limit})
				ctx, cancel := context.WithCancel(context.Background())
				if k == 0 {
					cancel()
				}
				var got []int
				var stopErr error
				for e, err := range p.All(ctx) {
					if err != nil {
						stopErr = err
						break
					}
					got = append(got, idx[e.EventID])
					if len(got) == k {
						cancel()
					}
				}
				cancel()
				if !errors.Is(stopErr, context.Canceled) || len(got) != k {
					t.Fatalf("cancelled after %d events: %d yielded, error %v", k, len(got), stopErr)
				}
				saved := p.Checkpoint().String()
				cp, err := client.ParseCheckpoint(saved)
				if err != nil {
					t.Fatal(err)
				}
				// A new process resumes.
				got = append(got, drainMonitor(t, monitorPager(t, srv, depth, client.MonitorEventsOptions{Limit: limit, Checkpoint: cp}), idx)...)
				requireStream(t, got, n)
			}
		})
	}
}

// TestReadAheadCheckpointsStayExactUnderFaultsAndRestarts drains the
// Monitor stream and an Admin user listing with read-ahead while a share of
// the requests fail in every way the fake knows, and the process
// "restarts" (a new Client and pager from the saved checkpoint text) after
// every error and at odd points: nothing is lost or repeated.
func TestReadAheadCheckpointsStayExactUnderFaultsAndRestarts(t *testing.T) {
	faults := []docusigntest.Fault{
		{Status: http.StatusInternalServerError},
		{Status: http.StatusTooManyRequests},
		{Truncate: true},
		{Malformed: true},
		{HTML: true},
		{DropConnection: true},
		{Status: http.StatusBadRequest, Body: `{"errorCode":"INVALID_REQUEST_PARAMETER","message":"bad"}`},
	}
	// every injects f into every third request under prefix, in turn.
	every := func(srv *docusigntest.Server, prefix string) {
		var n atomic.Int32
		for i, f := range faults {
			f.PathPrefix, f.Count = prefix, -1
			f.Match = func(*http.Request) bool {
				m := n.Add(1)
				return m%3 == 0 && int(m/3)%len(faults) == i
			}
			srv.InjectFault(f)
		}
	}
	for _, depth := range []int{1, 3} {
		t.Run(fmt.Sprintf("monitor, read-ahead %d", depth), func(t *testing.T) {
			srv, _ := fakeClient(t, docusigntest.WithEvents(157), docusigntest.WithUsers(20))
			idx := eventIndex(srv)
			every(srv, streamPath)
			var got []int
			saved, errs := "", 0
			for run := 0; run < 200; run++ {
				cp, err := client.ParseCheckpoint(saved)
				if err != nil {
					t.Fatal(err)
				}
				p := monitorPager(t, srv, depth, client.MonitorEventsOptions{Limit: 10, Checkpoint: cp})
				stopAt := len(got) + 7 + run%13 // restart at odd points
				for e, err := range p.All(context.Background()) {
					if err != nil {
						errs++
						break
					}
					got = append(got, idx[e.EventID])
					if len(got) == stopAt {
						break
					}
				}
				saved = p.Checkpoint().String()
				if !p.HasMorePages() && p.Checkpoint().Offset() == 0 && len(got) >= srv.MonitorEventCount() {
					break
				}
			}
			requireStream(t, got, srv.MonitorEventCount())
			if errs == 0 {
				t.Fatal("no fault reached the iterator: the test proves little")
			}
			t.Logf("%d errors surfaced and resumed from", errs)
		})
		t.Run(fmt.Sprintf("admin users, read-ahead %d", depth), func(t *testing.T) {
			srv, _ := fakeClient(t, docusigntest.WithUsers(300))
			acct := srv.DefaultAccountID()
			every(srv, "/management/")
			var got []string
			saved, errs := "", 0
			for run := 0; run < 200; run++ {
				cp, err := client.ParseCheckpoint(saved)
				if err != nil {
					t.Fatal(err)
				}
				if cp.Done() {
					break
				}
				c := fakeClientFor(t, srv, client.WithReadAhead(depth))
				p, err := c.OrgUsersPager(client.OrgUsersOptions{AccountID: acct, Take: 20, Checkpoint: cp})
				if err != nil {
					t.Fatal(err)
				}
				stopAt := len(got) + 11 + run%17
				for u, err := range p.All(context.Background()) {
					if err != nil {
						errs++
						break
					}
					got = append(got, strings.ToLower(u.ID))
					if len(got) == stopAt {
						break
					}
				}
				saved = p.Checkpoint().String()
			}
			requireSameSet(t, got, accountMembers(srv, acct))
			if errs == 0 {
				t.Fatal("no fault reached the iterator: the test proves little")
			}
		})
	}
}

// TestReadAheadRequestsArePacedAndThrottlingIsWaitedOut drains with
// read-ahead against a fake with a small burst limit: without pacing the
// 429s of requests made ahead are waited out; with WithPacing the requests
// ahead wait for the burst window instead of being throttled.
func TestReadAheadRequestsArePacedAndThrottlingIsWaitedOut(t *testing.T) {
	for _, paced := range []bool{false, true} {
		t.Run(fmt.Sprintf("pacing %v", paced), func(t *testing.T) {
			opts := []client.Option{client.WithReadAhead(2)}
			if paced {
				opts = append(opts, client.WithPacing(client.Pacing{}))
			}
			f := newFakeSetup(t, []docusigntest.Option{docusigntest.WithRateLimit(1000, 3), docusigntest.WithEvents(60)}, client.RetryPolicy{}, opts...)
			idx := eventIndex(f.srv)
			p, err := f.c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			requireStream(t, drainMonitor(t, p, idx), 60)
			waits, throttled := len(f.recordedWaits()), f.srv.ThrottledRequests()
			t.Logf("%d waits, %d throttled requests", waits, throttled)
			if waits == 0 {
				t.Fatal("13 requests with a burst limit of 3 never waited")
			}
			if paced && throttled != 0 {
				t.Fatalf("paced: %d requests were throttled", throttled)
			}
			if !paced && throttled == 0 {
				t.Fatal("the fake never throttled: the test proves nothing")
			}
		})
	}
}

// TestPagesIteratorHandsOutWholePagesWithCheckpoints drains an Admin
// listing page by page with read-ahead, saving the pager's checkpoint after
// each page and restarting from it after every second page.
func TestPagesIteratorHandsOutWholePagesWithCheckpoints(t *testing.T) {
	srv, c := fakeClient(t, docusigntest.WithUsers(200))
	acct := srv.DefaultAccountID()
	var got []string
	cp := client.Checkpoint{}
	for !cp.Done() {
		p, err := c.OrgUsersPager(client.OrgUsersOptions{AccountID: acct, Take: 15, Checkpoint: cp})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for pg, err := range p.Pages(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range pg.Items {
				got = append(got, strings.ToLower(u.ID))
			}
			cp = p.Checkpoint()
			if n++; n == 2 {
				break
			}
		}
	}
	requireSameSet(t, got, accountMembers(srv, acct))
}

// monitorPager is a Monitor pager of a new Client of srv reading depth
// pages ahead.
func monitorPager(t testing.TB, srv *docusigntest.Server, depth int, opts client.MonitorEventsOptions) *client.Pager[client.Event] {
	t.Helper()
	p, err := fakeClientFor(t, srv, client.WithReadAhead(depth)).MonitorEventsPager(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
