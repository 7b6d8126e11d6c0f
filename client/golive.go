package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// GoLiveRequired is how many consecutive successful eSignature API calls in
// the developer environment DocuSign requires before a Go-Live review.
const GoLiveRequired = 20

// GoLiveTracker counts consecutive successful eSignature API calls a Client
// makes, to tell when an integration key qualifies for Go-Live review.
//
// It only observes real calls made through the Client (it never makes any)
// and is enabled only in a sandbox environment (Environment.Sandbox, true for
// Developer): Go-Live is judged on developer-environment traffic. Only
// requests under the eSignature base URL count; Admin, Monitor and OAuth
// calls are ignored, as DocuSign ignores them. Every HTTP attempt counts
// (retries included, as DocuSign sees them): a 2xx or 3xx answer extends the
// streak, a 4xx or 5xx answer or a transport failure resets it. A request the
// caller cancelled neither counts nor resets. Counts live in memory for the
// life of the Client.
type GoLiveTracker struct {
	enabled bool
	now     func() time.Time

	mu          sync.Mutex
	count       int
	total       int
	lastFailure *GoLiveFailure
}

// GoLiveFailure describes the call that last reset the streak.
type GoLiveFailure struct {
	Method string
	// Path is the request path (no host or query).
	Path string
	// StatusCode is the HTTP status, 0 for a transport failure.
	StatusCode int
	// Err describes a transport failure.
	Err string
	// Time is when the answer (or failure) was observed.
	Time time.Time
}

// String describes the failure in one line.
func (f GoLiveFailure) String() string {
	what := fmt.Sprintf("HTTP %d", f.StatusCode)
	if f.StatusCode == 0 {
		what = "error: " + f.Err
	}
	return fmt.Sprintf("%s %s -> %s at %s", f.Method, f.Path, what, f.Time.UTC().Format(time.RFC3339))
}

// GoLiveStatus is a snapshot of a GoLiveTracker.
type GoLiveStatus struct {
	// Enabled is false outside sandbox environments, where nothing counts.
	Enabled bool
	// Count is the current streak of consecutive successful calls.
	Count int
	// Required is GoLiveRequired.
	Required int
	// Ready reports Count >= Required.
	Ready bool
	// Observed is the number of eSignature calls seen in total.
	Observed int
	// LastFailure is the call that last broke the streak, if any.
	LastFailure *GoLiveFailure
}

// String summarises the status, e.g. "Go-Live: 12/20 consecutive successful eSignature calls".
func (s GoLiveStatus) String() string {
	if !s.Enabled {
		return "Go-Live: tracking disabled (not a sandbox environment)"
	}
	msg := fmt.Sprintf("Go-Live: %d/%d consecutive successful eSignature calls", s.Count, s.Required)
	if s.Ready {
		msg += " (ready for review)"
	}
	if s.LastFailure != nil {
		msg += "; last failure: " + s.LastFailure.String()
	}
	return msg
}

// newGoLiveTracker returns a tracker; disabled trackers ignore everything.
func newGoLiveTracker(enabled bool, now func() time.Time) *GoLiveTracker {
	if now == nil {
		now = time.Now
	}
	return &GoLiveTracker{enabled: enabled, now: now}
}

// Enabled reports whether calls are being counted.
func (t *GoLiveTracker) Enabled() bool { return t.enabled }

// Ready reports whether GoLiveRequired consecutive successful eSignature
// calls have been observed.
func (t *GoLiveTracker) Ready() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.enabled && t.count >= GoLiveRequired
}

// Count is the current streak of consecutive successful eSignature calls.
func (t *GoLiveTracker) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.count
}

// Status returns a snapshot.
func (t *GoLiveTracker) Status() GoLiveStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := GoLiveStatus{Enabled: t.enabled, Count: t.count, Required: GoLiveRequired, Ready: t.enabled && t.count >= GoLiveRequired, Observed: t.total}
	if t.lastFailure != nil {
		f := *t.lastFailure
		s.LastFailure = &f
	}
	return s
}

// Reset clears the streak and the last failure.
func (t *GoLiveTracker) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count, t.total, t.lastFailure = 0, 0, nil
}

// observe records the outcome of one eSignature HTTP attempt.
func (t *GoLiveTracker) observe(req *http.Request, resp *http.Response, err error) {
	if !t.enabled {
		return
	}
	if err != nil && (errors.Is(err, context.Canceled) || req.Context().Err() == context.Canceled) {
		return // the caller gave up; the outcome is unknown
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total++
	if err == nil && resp.StatusCode < 400 {
		t.count++
		return
	}
	f := &GoLiveFailure{Method: req.Method, Path: req.URL.Path, Time: t.now()}
	if err != nil {
		f.Err = err.Error()
	} else {
		f.StatusCode = resp.StatusCode
	}
	t.count = 0
	t.lastFailure = f
}

// urlUnder reports whether u lies under base (same scheme and host, path
// equal to or below base's path).
func urlUnder(u *url.URL, base string) bool {
	if base == "" {
		return false
	}
	b, err := url.Parse(base)
	if err != nil {
		return false
	}
	if !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) {
		return false
	}
	bp := strings.TrimRight(b.Path, "/")
	return u.Path == bp || strings.HasPrefix(u.Path, bp+"/")
}
