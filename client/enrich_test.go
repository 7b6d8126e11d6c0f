package client

import (
	"context"
	"errors"
	"fmt"
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
	if after := goroutinesSettle(before); after > before {
		t.Fatalf("%d goroutines before, %d after cancel", before, after)
	}
}

func TestEnrichOrgUsersPacesByTheClientsRateState(t *testing.T) {
	f := newFakeUserDetails(t)
	now := time.Unix(1_700_000_000, 0)
	f.rateHeaders = http.Header{
		"X-Ratelimit-Limit":     {"1000"},
		"X-Ratelimit-Remaining": {"3"},
		"X-Ratelimit-Reset":     {strconv.FormatInt(now.Add(40*time.Second).Unix(), 10)},
	}
	for _, tt := range []struct {
		name string
		low  int
		want []time.Duration
	}{
		// The first lookup finds no rate yet and the second the first slot;
		// the rest are spaced 40s/(3+1) apart, until the reset.
		{"below LowRemaining the lookups are spread until the reset", 0, []time.Duration{10 * time.Second, 20 * time.Second}},
		{"a negative LowRemaining never waits", -1, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &sleepRecorder{}
			hc, cfg := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}), withTransportClock(func() time.Time { return now }))
			conn := f.conn()
			conn.do, conn.rates = hc, cfg.transportConfig.rates
			if _, err := enrichOrgUsers(context.Background(), conn, orgUsersForEnrich(4), EnrichOptions{Concurrency: 1, LowRemaining: tt.low}); err != nil {
				t.Fatal(err)
			}
			if got := rec.recorded(); !slices.Equal(got, tt.want) {
				t.Fatalf("waits %v, want %v", got, tt.want)
			}
			if r := cfg.transportConfig.rates.forHost(strings.TrimPrefix(f.srv.URL, "http://")); r.Remaining != 3 {
				t.Fatalf("the client's rate state holds %+v: the lookups' headers were not observed", r)
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
