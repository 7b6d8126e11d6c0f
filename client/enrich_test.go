package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeUserDetails serves GET /restapi/v2.1/accounts/acct-1/users/{id}.
// Users whose sequence number is divisible by 5 are not members (404 or
// eSignature's 400 USER_DOES_NOT_EXIST_IN_SYSTEM, alternately); id "boom"
// fails with 500. It records the most requests in flight at once.
type fakeUserDetails struct {
	inFlight, maxInFlight atomic.Int32
	rateHeaders           http.Header
	release               chan struct{} // when set, requests wait on it
	srv                   *httptest.Server
}

func newFakeUserDetails(t testing.TB) *fakeUserDetails {
	f := &fakeUserDetails{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /restapi/v2.1/accounts/acct-1/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for {
			m := f.maxInFlight.Load()
			if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		if f.release != nil {
			select {
			case <-f.release:
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range f.rateHeaders {
			w.Header()[k] = v
		}
		id := r.PathValue("id")
		if id == "boom" {
			http.Error(w, `{"errorCode":"UNSPECIFIED_ERROR","message":"boom"}`, 500)
			return
		}
		seq := esignUserSeq(t, id)
		if seq%5 == 0 {
			if seq%10 == 0 {
				http.Error(w, `{"errorCode":"USER_DOES_NOT_EXIST_IN_SYSTEM","message":"no such user"}`, 400)
			} else {
				http.Error(w, `{"errorCode":"USER_NOT_FOUND"}`, 404)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, testESignUserJSON(seq))
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeUserDetails) conn() esignConn {
	return esignConn{
		do:      f.srv.Client(),
		base:    func(context.Context) (string, error) { return f.srv.URL + "/restapi", nil },
		account: func(context.Context) (string, error) { return "acct-1", nil },
	}
}

func orgUsersForEnrich(n int) []OrgUser {
	var out []OrgUser
	for i := 0; i < n; i++ {
		out = append(out, OrgUser{ID: fmt.Sprintf("%08x-3333-4333-8333-%012x", i, i), Email: fmt.Sprintf("u%d@example.com", i)})
	}
	return out
}

func TestEnrichOrgUsersPairsEveryUserInOrder(t *testing.T) {
	f := newFakeUserDetails(t)
	users := orgUsersForEnrich(12)
	users = append(users, OrgUser{ID: "boom"})
	got, err := enrichOrgUsers(context.Background(), f.conn(), users, EnrichOptions{Concurrency: 3})
	if err == nil || !strings.Contains(err.Error(), "user boom") || strings.Contains(err.Error(), "USER_NOT_FOUND") {
		t.Fatalf("error = %v, want only the failed lookup of user boom", err)
	}
	if len(got) != len(users) {
		t.Fatalf("%d results for %d users", len(got), len(users))
	}
	for i, r := range got {
		if r.User.ID != users[i].ID {
			t.Fatalf("result %d is for user %s, want %s: order lost", i, r.User.ID, users[i].ID)
		}
		switch {
		case r.User.ID == "boom":
			if r.Err == nil || r.ESign != nil {
				t.Errorf("failed lookup: %+v", r)
			}
		case i%5 == 0:
			if r.Err != nil || r.ESign != nil {
				t.Errorf("user %d is not a member: ESign %v, Err %v; want nil, nil", i, r.ESign, r.Err)
			}
		default:
			if r.Err != nil || r.ESign == nil || r.ESign.UserID != r.User.ID {
				t.Fatalf("user %d: %+v", i, r)
			}
			if want := time.Date(2023, 2, 8, 15, 38, 20, 0, time.UTC); !r.ModifiedDate().Equal(want) {
				t.Errorf("user %d ModifiedDate = %v, want %v", i, r.ModifiedDate(), want)
			}
		}
	}
}

func TestEnrichOrgUsersBoundsConcurrency(t *testing.T) {
	f := newFakeUserDetails(t)
	f.release = make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := enrichOrgUsers(context.Background(), f.conn(), orgUsersForEnrich(40), EnrichOptions{Concurrency: 3})
		done <- err
	}()
	// Let requests pile up against the closed gate, then release them.
	for f.inFlight.Load() < 3 {
		runtime.Gosched()
	}
	close(f.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m := f.maxInFlight.Load(); m != 3 {
		t.Fatalf("at most %d lookups were in flight, want exactly 3", m)
	}
}

func TestEnrichOrgUsersStopsOnCancel(t *testing.T) {
	f := newFakeUserDetails(t)
	f.release = make(chan struct{}) // never released: every lookup hangs
	ctx, cancel := context.WithCancel(context.Background())
	before := runtime.NumGoroutine()
	done := make(chan struct{})
	var got []EnrichedUser
	var err error
	go func() {
		defer close(done)
		got, err = enrichOrgUsers(ctx, f.conn(), orgUsersForEnrich(10), EnrichOptions{Concurrency: 2})
	}()
	for f.inFlight.Load() < 2 {
		runtime.Gosched()
	}
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	for i, r := range got {
		if r.User.ID == "" || r.Err == nil {
			t.Fatalf("result %d after cancel = %+v: every unfinished user must carry the error", i, r)
		}
	}
	f.srv.Client().CloseIdleConnections()
	for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines before, %d after cancel", before, after)
	}
}

func TestEnrichOrgUsersPacesWhenTheBudgetRunsLow(t *testing.T) {
	f := newFakeUserDetails(t)
	now := time.Unix(1_700_000_000, 0)
	f.rateHeaders = http.Header{
		"X-Ratelimit-Limit":     {"1000"},
		"X-Ratelimit-Remaining": {"50"},
		"X-Ratelimit-Reset":     {strconv.FormatInt(now.Add(time.Second).Unix(), 10)},
	}
	pace := &enrichPacer{now: func() time.Time { return now }}
	if _, err := enrichWith(context.Background(), f.conn(), orgUsersForEnrich(4), EnrichOptions{Concurrency: 1}, pace); err != nil {
		t.Fatal(err)
	}
	// The first lookup saw no headers yet; each later one reserved a slot
	// 1s/51 after the previous.
	if !pace.next.After(now) {
		t.Fatal("the pacer never engaged although X-RateLimit-Remaining was below LowRemaining")
	}
	pace2 := &enrichPacer{now: func() time.Time { return now }}
	if _, err := enrichWith(context.Background(), f.conn(), orgUsersForEnrich(4), EnrichOptions{Concurrency: 1, LowRemaining: -1}, pace2); err != nil {
		t.Fatal(err)
	}
	if !pace2.next.IsZero() {
		t.Fatal("pacing ran although LowRemaining is negative")
	}
}

func TestEnrichPacerSpacing(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	reset := strconv.FormatInt(now.Add(40*time.Second).Unix(), 10)
	tests := []struct {
		name string
		low  int
		h    http.Header
		want []time.Duration
	}{
		{"no headers: no pacing", 100, hdr(), []time.Duration{0, 0}},
		{"remaining without a limit: unknown budget", 100, hdr("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset), []time.Duration{0, 0}},
		{"plenty left: no pacing", 100, hdr("X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "500", "X-RateLimit-Reset", reset), []time.Duration{0, 0}},
		{"low: spread until the reset", 100, hdr("X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "3", "X-RateLimit-Reset", reset), []time.Duration{0, 10 * time.Second, 20 * time.Second}},
		{"exhausted: wait for the reset", 100, hdr("X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset), []time.Duration{40 * time.Second, 40 * time.Second}},
		{"reset in the past: no wait", 100, hdr("X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1000"), []time.Duration{0, 0}},
		{"burst nearly spent", 100, hdr("X-RateLimit-Remaining", "900", "X-BurstLimit-Remaining", "2", "X-BurstLimit-Limit", "100"), []time.Duration{0, 300 * time.Millisecond}},
		{"disabled", -1, hdr("X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset), []time.Duration{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &enrichPacer{low: tt.low, now: clock}
			p.observe(tt.h)
			for i, want := range tt.want {
				if got := p.delay(); got != want {
					t.Fatalf("delay %d = %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestEnrichOptionsAreValidated(t *testing.T) {
	_, err := enrichOrgUsers(context.Background(), esignConn{}, nil, EnrichOptions{Concurrency: 17})
	if err == nil || !strings.Contains(err.Error(), "EnrichOptions.Concurrency 17") {
		t.Fatalf("error = %v", err)
	}
}
