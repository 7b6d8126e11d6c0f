package client

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestRateFromResponseParsesDocuSignHeaders(t *testing.T) {
	reset := time.Date(2025, 3, 1, 13, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   Rate
	}{
		{"all headers", http.Header{
			"X-Ratelimit-Limit":      {"1000"},
			"X-Ratelimit-Remaining":  {"984"},
			"X-Ratelimit-Reset":      {strconv.FormatInt(reset.Unix(), 10)},
			"X-Burstlimit-Limit":     {"500"},
			"X-Burstlimit-Remaining": {"498"},
		}, Rate{Limit: 1000, Remaining: 984, Reset: reset, BurstLimit: 500, BurstRemaining: 498}},
		{"hourly only", http.Header{"X-Ratelimit-Limit": {"3000"}, "X-Ratelimit-Remaining": {"0"}}, Rate{Limit: 3000}},
		{"malformed values are ignored", http.Header{"X-Ratelimit-Limit": {"lots"}, "X-Burstlimit-Limit": {" 500 "}, "X-Burstlimit-Remaining": {"-1"}}, Rate{BurstLimit: 500}},
		{"no headers", http.Header{}, Rate{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RateFromResponse(&http.Response{Header: tt.header})
			if got.Limit != tt.want.Limit || got.Remaining != tt.want.Remaining || !got.Reset.Equal(tt.want.Reset) ||
				got.BurstLimit != tt.want.BurstLimit || got.BurstRemaining != tt.want.BurstRemaining {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.IsZero() != (len(tt.header) == 0) {
				t.Errorf("IsZero = %v for %v", got.IsZero(), tt.header)
			}
		})
	}
	if !RateFromResponse(nil).IsZero() || !RateFromResponse(&http.Response{Header: http.Header{}}).IsZero() {
		t.Error("a response without rate headers gives a non-zero Rate")
	}
}

func TestRateStringSummarisesTheBudget(t *testing.T) {
	r := Rate{Limit: 1000, Remaining: 984, Reset: time.Date(2025, 1, 2, 15, 0, 0, 0, time.UTC), BurstLimit: 500, BurstRemaining: 498, Observed: time.Now()}
	if got, want := r.String(), "hourly 984/1000 (resets 2025-01-02T15:00:00Z), burst 498/500"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (Rate{}).String(); got != "no rate-limit information" {
		t.Errorf("zero Rate String() = %q", got)
	}
}

func TestTheClientRemembersTheLatestRateItSaw(t *testing.T) {
	var mu sync.Mutex
	remaining := 100
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		remaining--
		n := remaining
		mu.Unlock()
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(n))
		w.Header().Set("X-BurstLimit-Limit", "30")
		w.Header().Set("X-BurstLimit-Remaining", "29")
		ok(w, r)
	})
	hc, cfg := buildPipeline(t, nil)
	if !cfg.transportConfig.rates.Latest().IsZero() {
		t.Fatal("rate known before any call")
	}
	for range 3 {
		resp, err := hc.Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := cfg.transportConfig.rates.Latest()
	if got.Limit != 100 || got.Remaining != 97 || got.BurstLimit != 30 || got.BurstRemaining != 29 {
		t.Errorf("latest rate %+v, want 97/100 and burst 29/30", got)
	}
}

func TestAnOlderObservationNeverReplacesANewerOne(t *testing.T) {
	s := newRateState()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s.observe("demo.docusign.net", Rate{Limit: 1000, Remaining: 10, Observed: t0.Add(time.Second)})
	s.observe("demo.docusign.net", Rate{Limit: 1000, Remaining: 50, Observed: t0})
	if got := s.Latest().Remaining; got != 10 {
		t.Errorf("latest remaining %d, want 10 (the newer observation)", got)
	}
	if got := s.forHost("demo.docusign.net").Remaining; got != 10 {
		t.Errorf("host remaining %d, want 10", got)
	}
}

func TestPacingSpreadsTheLastOfTheBurstBudgetAndWaitsOutAnEmptyOne(t *testing.T) {
	p := Pacing{}.withDefaults()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	host := "demo.docusign.net"
	tests := []struct {
		name      string
		remaining int
		want      []time.Duration // delays of successive requests at t0
	}{
		{"a healthy budget is not paced", 400, []time.Duration{0, 0, 0}},
		{"a low budget is spread over the window", 3, []time.Duration{0, 10 * time.Second, 20 * time.Second}},
		{"an empty budget waits for the window to pass", 0, []time.Duration{30 * time.Second, 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRateState()
			s.observe(host, Rate{BurstLimit: 500, BurstRemaining: tt.remaining, Observed: t0})
			for i, want := range tt.want {
				if got := s.paceDelay(host, t0, paceRule{burst: &p}); got != want {
					t.Errorf("request %d waits %v, want %v", i+1, got, want)
				}
			}
		})
	}
	t.Run("an observation older than the window no longer paces", func(t *testing.T) {
		s := newRateState()
		s.observe(host, Rate{BurstLimit: 500, BurstRemaining: 0, Observed: t0})
		if got := s.paceDelay(host, t0.Add(31*time.Second), paceRule{burst: &p}); got != 0 {
			t.Errorf("waits %v, want 0", got)
		}
	})
	t.Run("other hosts are not paced", func(t *testing.T) {
		s := newRateState()
		s.observe(host, Rate{BurstLimit: 500, BurstRemaining: 0, Observed: t0})
		if got := s.paceDelay("lens-d.docusign.net", t0, paceRule{burst: &p}); got != 0 {
			t.Errorf("waits %v, want 0", got)
		}
	})
}

func TestPacingSpreadsTheLastOfTheHourlyBudgetUntilTheReset(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	host := "demo.docusign.net"
	reset := t0.Add(40 * time.Second)
	tests := []struct {
		name string
		low  int
		rate Rate
		want []time.Duration // delays of successive requests at t0
	}{
		{"no headers: no pacing", 100, Rate{}, []time.Duration{0, 0}},
		{"remaining without a limit: an unknown budget is not paced", 100, Rate{Remaining: 0, Reset: reset}, []time.Duration{0, 0}},
		{"plenty left: no pacing", 100, Rate{Limit: 1000, Remaining: 500, Reset: reset}, []time.Duration{0, 0}},
		{"low: spread until the reset", 100, Rate{Limit: 1000, Remaining: 3, Reset: reset}, []time.Duration{0, 10 * time.Second, 20 * time.Second}},
		{"exhausted: wait for the reset", 100, Rate{Limit: 1000, Remaining: 0, Reset: reset}, []time.Duration{40 * time.Second, 40 * time.Second}},
		{"exhausted with a far reset: waits at most maxPaceWait", 100, Rate{Limit: 1000, Remaining: 0, Reset: t0.Add(time.Hour)}, []time.Duration{maxPaceWait, maxPaceWait}},
		{"reset in the past: no wait", 100, Rate{Limit: 1000, Remaining: 0, Reset: t0.Add(-time.Hour)}, []time.Duration{0, 0}},
		{"no hourly rule: no pacing", 0, Rate{Limit: 1000, Remaining: 0, Reset: reset}, []time.Duration{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newRateState()
			if tt.rate != (Rate{}) {
				tt.rate.Observed = t0
			}
			s.observe(host, tt.rate)
			for i, want := range tt.want {
				if got := s.paceDelay(host, t0, paceRule{hourlyLow: tt.low}); got != want {
					t.Fatalf("request %d waits %v, want %v", i+1, got, want)
				}
			}
		})
	}
}

func TestWithPacingDelaysTheRequestAfterTheBurstBudgetRunsOut(t *testing.T) {
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-BurstLimit-Limit", "500")
		w.Header().Set("X-BurstLimit-Remaining", "0")
		ok(w, r)
	})
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := &sleepRecorder{}
	hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}), WithPacing(Pacing{Window: 20 * time.Second}), withTransportClock(func() time.Time { return now }))
	for range 2 {
		resp, err := hc.Get(srv.URL + "/restapi/v2.1/accounts/1/users")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := rec.recorded(); len(got) != 1 || got[0] != 20*time.Second {
		t.Errorf("waits %v, want one of 20s before the second request", got)
	}
}

func TestPacingOptionProblemsAreReported(t *testing.T) {
	cfg := &config{}
	WithPacing(Pacing{Window: -time.Second, Threshold: 1.5})(cfg)
	if len(cfg.errs) != 2 || cfg.transportConfig.pacing != nil {
		t.Errorf("errors %v, pacing %v; want two errors and pacing off", cfg.errs, cfg.transportConfig.pacing)
	}
}

// forHost returns the most recently observed rate of one host.
func (s *rateState) forHost(host string) Rate {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hosts[host]; h != nil {
		return h.rate
	}
	return Rate{}
}
