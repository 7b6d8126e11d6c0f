package client

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
)

// buildPipeline applies opts to a fresh config and builds the HTTP client
// with the given auth layer (nil: none), failing the test on any problem.
func buildPipeline(t testing.TB, auth func(http.RoundTripper) http.RoundTripper, opts ...Option) (*http.Client, *config) {
	t.Helper()
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	if err := errors.Join(cfg.errs...); err != nil {
		t.Fatalf("options: %v", err)
	}
	hc, err := cfg.transportConfig.newHTTPClient(auth)
	if err != nil {
		t.Fatalf("newHTTPClient: %v", err)
	}
	return hc, cfg
}

// sleepRecorder is a RetryPolicy.Sleep that records waits without sleeping.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// noSleep returns an option whose retries wait for nothing, recording waits.
func noSleep(rec *sleepRecorder, p RetryPolicy) Option {
	p.Sleep = rec.sleep
	return WithRetry(p)
}

// fixedJitter makes backoff deterministic: the jitter is always its maximum.
func fixedJitter() Option {
	return func(c *config) {
		c.transportConfig.transportJitter = func(limit time.Duration) time.Duration { return limit }
	}
}

// withTransportClock makes the retry layer read time from now.
func withTransportClock(now func() time.Time) Option {
	return func(c *config) { c.transportConfig.transportNow = now }
}

// bearer is an auth layer that sets a fixed bearer token on each attempt.
func bearerLayer(token string) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return transportFunc(func(req *http.Request) (*http.Response, error) {
			r := req.Clone(req.Context())
			r.Header.Set("Authorization", "Bearer "+token)
			return next.RoundTrip(r)
		})
	}
}

// transportFunc adapts a function to http.RoundTripper.
type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// goroutinesSettle waits until at most want goroutines run, for up to ten
// seconds, and returns how many run then. Goroutines of closed connections
// exit asynchronously, later still on a loaded machine; a leak never ends.
func goroutinesSettle(want int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}
