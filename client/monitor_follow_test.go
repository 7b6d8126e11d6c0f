package client

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// TestMonitorFollowWaitsThePollIntervalAfterAShortPage: after a page
// shorter than the limit (the end of the stream for now) a followed stream
// waits PollInterval before asking again; without the wait it would poll
// DocuSign in a busy loop. The interval is an hour, so the third page must
// not be requested before the context's deadline.
func TestMonitorFollowWaitsThePollIntervalAfterAShortPage(t *testing.T) {
	f := &fakeMonitor{}
	f.add(5)
	_, base := startFakeMonitor(t, f)
	var requests atomic.Int32
	d := pageDoerFunc(func(r *http.Request) (*http.Response, error) {
		requests.Add(1)
		return http.DefaultClient.Do(r)
	})
	p := testMonitorPager(t, d, base, MonitorEventsOptions{Limit: 4, Follow: true, PollInterval: time.Hour})
	for _, want := range []int{4, 1} { // a full page, then a short one
		page, err := p.NextPage(context.Background())
		if err != nil || len(page.Items) != want {
			t.Fatalf("page of %d events (%v), want %d", len(page.Items), err, want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	page, err := p.NextPage(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || requests.Load() != 2 {
		t.Fatalf("after a short page: %d requests, page of %d, err %v; want no request before the poll interval", requests.Load(), len(page.Items), err)
	}
}
