package client

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DocuSign's rate-limit response headers.
const (
	headerRateLimit      = "X-RateLimit-Limit"
	headerRateRemaining  = "X-RateLimit-Remaining"
	headerRateReset      = "X-RateLimit-Reset"
	headerBurstLimit     = "X-BurstLimit-Limit"
	headerBurstRemaining = "X-BurstLimit-Remaining"
)

// defaultBurstWindow is the length of DocuSign's burst-limit window.
const defaultBurstWindow = 30 * time.Second

// Rate is DocuSign's rate-limit state as reported by one response: the
// hourly per-account budget and the short burst budget. Limit and
// BurstLimit are 0 when the response did not carry those headers, so check
// them before reading the matching Remaining field.
type Rate struct {
	// Limit is the number of calls allowed per hour (X-RateLimit-Limit).
	Limit int
	// Remaining is the number of calls left this hour (X-RateLimit-Remaining).
	Remaining int
	// Reset is when the hourly budget refills (X-RateLimit-Reset).
	Reset time.Time
	// BurstLimit is the number of calls allowed per burst window
	// (X-BurstLimit-Limit).
	BurstLimit int
	// BurstRemaining is the number of calls left in the current burst window
	// (X-BurstLimit-Remaining).
	BurstRemaining int
	// Observed is when the response carrying these values arrived; zero when
	// it carried none.
	Observed time.Time
}

// RateFromResponse parses the rate-limit headers of resp. It returns the zero
// Rate when resp is nil or carries no rate-limit header; malformed values
// are ignored field by field.
func RateFromResponse(resp *http.Response) Rate {
	if resp == nil {
		return Rate{}
	}
	return rateFromHeader(resp.Header, time.Now())
}

// rateFromHeader parses the rate-limit headers, stamping the result with now.
func rateFromHeader(h http.Header, now time.Time) Rate {
	var r Rate
	found := false
	intHeader := func(name string, dst *int) {
		if v := h.Get(name); v != "" {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
				*dst = n
				found = true
			}
		}
	}
	intHeader(headerRateLimit, &r.Limit)
	intHeader(headerRateRemaining, &r.Remaining)
	intHeader(headerBurstLimit, &r.BurstLimit)
	intHeader(headerBurstRemaining, &r.BurstRemaining)
	if v := h.Get(headerRateReset); v != "" {
		if sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && sec > 0 {
			r.Reset = time.Unix(sec, 0)
			found = true
		}
	}
	if found {
		r.Observed = now
	}
	return r
}

// IsZero reports whether r holds no information (no rate-limit header seen).
func (r Rate) IsZero() bool { return r.Observed.IsZero() }

// HourlyExhausted reports whether the hourly budget is known to be used up.
func (r Rate) HourlyExhausted() bool { return r.Limit > 0 && r.Remaining == 0 }

// BurstExhausted reports whether the burst budget is known to be used up.
func (r Rate) BurstExhausted() bool { return r.BurstLimit > 0 && r.BurstRemaining == 0 }

// String summarises the budget, e.g. "hourly 984/1000 (resets
// 2025-01-02T15:00:00Z), burst 498/500".
func (r Rate) String() string {
	if r.IsZero() {
		return "no rate-limit information"
	}
	var parts []string
	if r.Limit > 0 {
		s := fmt.Sprintf("hourly %d/%d", r.Remaining, r.Limit)
		if !r.Reset.IsZero() {
			s += " (resets " + r.Reset.UTC().Format(time.RFC3339) + ")"
		}
		parts = append(parts, s)
	} else if !r.Reset.IsZero() {
		parts = append(parts, "hourly budget resets "+r.Reset.UTC().Format(time.RFC3339))
	}
	if r.BurstLimit > 0 {
		parts = append(parts, fmt.Sprintf("burst %d/%d", r.BurstRemaining, r.BurstLimit))
	}
	return strings.Join(parts, ", ")
}

// rateState is the latest rate-limit state a client has seen, overall and
// per host (eSignature, Admin and Monitor count separately). It is safe for
// concurrent use and also drives pacing.
type rateState struct {
	mu     sync.Mutex
	latest Rate
	hosts  map[string]*hostRate
}

// hostRate is one host's last observed rate and the pacing bookkeeping
// since that observation.
type hostRate struct {
	rate Rate
	sent int       // requests started since rate was observed
	next time.Time // earliest start of the next paced request
}

func newRateState() *rateState {
	return &rateState{hosts: make(map[string]*hostRate)}
}

// observe records a response's rate for host. Observations older than the
// one held are ignored, so concurrent responses cannot roll the state back.
func (s *rateState) observe(host string, r Rate) {
	if r.IsZero() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !r.Observed.Before(s.latest.Observed) {
		s.latest = r
	}
	h := s.hosts[host]
	if h == nil {
		h = &hostRate{}
		s.hosts[host] = h
	}
	if r.Observed.Before(h.rate.Observed) {
		return
	}
	h.rate = r
	h.sent = 0
}

// Latest returns the most recently observed rate across all hosts.
func (s *rateState) Latest() Rate {
	if s == nil {
		return Rate{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
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

// Pacing configures client-side pacing: instead of spending the burst
// budget and then waiting out 429 responses, requests are spread over the
// rest of the burst window once the budget runs low, and held until the
// window rolls over once it is spent. The zero value uses the defaults.
type Pacing struct {
	// Window is the length of DocuSign's burst window. Zero means 30s.
	Window time.Duration
	// Threshold is the fraction of the burst limit below which requests are
	// spread evenly over the rest of the window. Zero means 0.2; it must lie
	// in [0, 1].
	Threshold float64
}

// withDefaults fills the zero fields of p.
func (p Pacing) withDefaults() Pacing {
	if p.Window == 0 {
		p.Window = defaultBurstWindow
	}
	if p.Threshold == 0 {
		p.Threshold = 0.2
	}
	return p
}

// validate reports every invalid Pacing field.
func (p Pacing) validate() []error {
	var errs []error
	if p.Window < 0 {
		errs = append(errs, fmt.Errorf("docusign: WithPacing: Window is %v: use a positive duration or 0 for 30s", p.Window))
	}
	if p.Threshold < 0 || p.Threshold > 1 || p.Threshold != p.Threshold {
		errs = append(errs, fmt.Errorf("docusign: WithPacing: Threshold is %v: use a fraction in [0, 1] (0 means 0.2)", p.Threshold))
	}
	return errs
}

// WithPacing turns on client-side pacing so that bursts of calls (a user sync
// over thousands of users, a batch of envelope sends) slow down before
// DocuSign's burst limit answers with 429, rather than after. Pacing only
// delays requests; it never drops or reorders them.
func WithPacing(p Pacing) Option {
	return func(c *config) {
		if errs := p.validate(); len(errs) > 0 {
			for _, err := range errs {
				c.addErr(err)
			}
			return
		}
		p = p.withDefaults()
		c.transportConfig.pacing = &p
	}
}

// paceDelay reserves a slot for one request to host and returns how long
// the caller must wait before sending it. With a healthy burst budget it
// returns 0; below the threshold it spaces requests evenly over the rest of
// the window; with the budget spent it waits until the window has passed
// since the last observation (the latest the budget can refill).
func (s *rateState) paceDelay(host string, now time.Time, p Pacing) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hosts[host]
	if h == nil || h.rate.BurstLimit == 0 {
		return 0
	}
	windowEnd := h.rate.Observed.Add(p.Window)
	if !now.Before(windowEnd) {
		return 0 // the observation is older than a window: the budget has refilled
	}
	left := h.rate.BurstRemaining - h.sent
	h.sent++
	if left <= 0 {
		return windowEnd.Sub(now)
	}
	if float64(left) >= p.Threshold*float64(h.rate.BurstLimit) {
		return 0
	}
	start := now
	if h.next.After(start) {
		start = h.next
	}
	h.next = start.Add(windowEnd.Sub(start) / time.Duration(left))
	return start.Sub(now)
}
