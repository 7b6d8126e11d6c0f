package client

import (
	"context"
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
// concurrent use and also drives pacing: the pipeline's (WithPacing) and
// that of bulk operations such as EnrichOrgUsers.
type rateState struct {
	mu     sync.Mutex
	latest Rate
	hosts  map[string]*hostRate

	// Set when the pipeline is built, before any request.
	now    func() time.Time                                 // the clock that stamps observations
	sleep  func(ctx context.Context, d time.Duration) error // the retry policy's wait
	pacing *Pacing                                          // the pipeline's burst pacing; nil: off
}

// hostRate is one host's last observed rate and the pacing bookkeeping
// since that observation.
type hostRate struct {
	rate Rate
	sent int       // requests started since rate was observed
	next time.Time // earliest start of the next paced request
}

func newRateState() *rateState {
	return &rateState{hosts: make(map[string]*hostRate), now: time.Now, sleep: sleepContext}
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
		errs = append(errs, optErr("WithPacing", "Window is %v: use a positive duration or 0 for 30s", p.Window))
	}
	if p.Threshold < 0 || p.Threshold > 1 || p.Threshold != p.Threshold {
		errs = append(errs, optErr("WithPacing", "Threshold is %v: use a fraction in [0, 1] (0 means 0.2)", p.Threshold))
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

// maxPaceWait bounds a single pacing wait, in case a reset time is far
// off (clock skew): the pipeline's 429 handling covers the rest.
const maxPaceWait = 5 * time.Minute

// paceRule says when requests to a host slow down.
type paceRule struct {
	// burst, when set, spreads requests over the rest of the burst window
	// once the burst budget falls below its threshold, and holds them until
	// the window rolls over once it is spent.
	burst *Pacing
	// hourlyLow, when positive, spreads requests evenly until the hourly
	// reset once X-RateLimit-Remaining is at or below it, and holds them
	// until the reset once nothing is left.
	hourlyLow int
}

// paceDelay reserves a slot for one request to host and returns how long
// the caller must wait before sending it: 0 while the budgets the rule
// watches are healthy. Successive slots are spaced so that concurrent callers
// spread out rather than all wait the same time.
func (s *rateState) paceDelay(host string, now time.Time, rule paceRule) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hosts[host]
	if h == nil {
		return 0
	}
	r := h.rate
	earliest := now           // no request before this
	var spacing time.Duration // gap after this request's slot
	var spreadUntil time.Time // spread the burst budget left until then...
	spreadOver := 0           // ...over this many requests
	if b := rule.burst; b != nil && r.BurstLimit > 0 {
		if windowEnd := r.Observed.Add(b.Window); now.Before(windowEnd) { // else the budget has refilled
			left := r.BurstRemaining - h.sent
			h.sent++
			switch {
			case left <= 0:
				earliest = windowEnd
			case float64(left) < b.Threshold*float64(r.BurstLimit):
				spreadUntil, spreadOver = windowEnd, left
			}
		}
	}
	if rule.hourlyLow > 0 && r.Limit > 0 && r.Remaining <= rule.hourlyLow {
		var untilReset time.Duration
		if !r.Reset.IsZero() {
			untilReset = max(r.Reset.Sub(now), 0)
		}
		if r.Remaining == 0 {
			if reset := now.Add(min(untilReset, maxPaceWait)); reset.After(earliest) {
				earliest = reset
			}
		} else {
			spacing = untilReset / time.Duration(r.Remaining+1)
		}
	}
	if !earliest.After(now) && spacing == 0 && spreadOver == 0 {
		return 0
	}
	start := earliest
	if h.next.After(start) {
		start = h.next
	}
	if spreadOver > 0 && spreadUntil.After(start) {
		spacing = max(spacing, spreadUntil.Sub(start)/time.Duration(spreadOver))
	}
	h.next = start.Add(min(spacing, maxPaceWait))
	return min(start.Sub(now), maxPaceWait)
}

// awaitBudget waits before a request to host so that the hourly budget
// lasts until its reset once no more than hourlyLow calls are left; the
// burst budget is respected likewise unless the pipeline already paces
// bursts (WithPacing). A nil rateState knows nothing and never waits.
func (s *rateState) awaitBudget(ctx context.Context, host string, hourlyLow int) error {
	if s == nil {
		return ctx.Err()
	}
	rule := paceRule{hourlyLow: hourlyLow}
	if s.pacing == nil {
		p := Pacing{}.withDefaults()
		rule.burst = &p
	}
	if d := s.paceDelay(host, s.now(), rule); d > 0 {
		return s.sleep(ctx, d)
	}
	return ctx.Err()
}
