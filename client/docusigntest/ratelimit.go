package docusigntest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// burstWindow is the length of DocuSign's burst budget window.
const burstWindow = 30 * time.Second

// Throttling error codes in the body of a throttled response: eSignature's
// errorCode, and (lower-cased) the error of Admin and Monitor.
const (
	CodeHourlyLimit = "HOURLY_APIINVOCATION_LIMIT_EXCEEDED"
	CodeBurstLimit  = "BURST_APIINVOCATION_LIMIT_EXCEEDED"
)

// window counts calls in one fixed window.
type window struct {
	start time.Time
	used  int
}

// rateLimiter keeps an hourly budget per account and a burst budget per
// access token, in fixed windows of the server's clock (hours start on the
// hour, bursts on multiples of 30 s).
type rateLimiter struct {
	mu        sync.Mutex
	hourly    int
	burst     int
	style     ThrottleStyle
	hours     map[string]*window
	bursts    map[string]*window
	throttled int
}

func newRateLimiter(hourly, burst int, style ThrottleStyle) *rateLimiter {
	return &rateLimiter{hourly: hourly, burst: burst, style: style, hours: map[string]*window{}, bursts: map[string]*window{}}
}

func current(m map[string]*window, key string, start time.Time) *window {
	w := m[key]
	if w == nil || !w.start.Equal(start) {
		w = &window{start: start}
		m[key] = w
	}
	return w
}

// admit spends one call from both budgets and sets the rate-limit headers.
// When a budget is exhausted it writes the throttling response, in the
// error shape of the API kind, and reports false.
func (rl *rateLimiter) admit(w http.ResponseWriter, now time.Time, kind api, account, tok string) bool {
	hourStart := now.Truncate(time.Hour)
	burstStart := now.Truncate(burstWindow)
	rl.mu.Lock()
	hw := current(rl.hours, account, hourStart)
	bw := current(rl.bursts, tok, burstStart)
	var code string
	var reset time.Time
	switch {
	case hw.used >= rl.hourly:
		code, reset = CodeHourlyLimit, hourStart.Add(time.Hour)
	case bw.used >= rl.burst:
		code, reset = CodeBurstLimit, burstStart.Add(burstWindow)
	default:
		hw.used++
		bw.used++
	}
	hourly, burst, hUsed, bUsed, style := rl.hourly, rl.burst, hw.used, bw.used, rl.style
	if code != "" {
		rl.throttled++
	}
	rl.mu.Unlock()

	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(hourly))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(hourly-hUsed))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(hourStart.Add(time.Hour).Unix(), 10))
	h.Set("X-BurstLimit-Limit", strconv.Itoa(burst))
	h.Set("X-BurstLimit-Remaining", strconv.Itoa(burst-bUsed))
	if code == "" {
		return true
	}
	msg := fmt.Sprintf("The maximum number of hourly API invocations has been exceeded. The hourly limit is %d.", hourly)
	if code == CodeBurstLimit {
		msg = fmt.Sprintf("The maximum number of API invocations in %v has been exceeded. The burst limit is %d.", burstWindow, burst)
	}
	if style == ThrottleLegacy400 {
		writeAPIError(w, kind, http.StatusBadRequest, code, msg)
		return false
	}
	wait := int((reset.Sub(now) + time.Second - 1) / time.Second)
	h.Set("Retry-After", strconv.Itoa(max(wait, 1)))
	writeAPIError(w, kind, http.StatusTooManyRequests, code, msg)
	return false
}

// SetRateLimit changes the hourly and burst budgets while the server runs;
// calls already counted in the current windows still count.
func (s *Server) SetRateLimit(hourly, burst int) {
	rl := s.limiter
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.hourly, rl.burst = hourly, burst
}

// ResetRateLimits forgets every call counted so far, as if a new hour began.
func (s *Server) ResetRateLimits() {
	rl := s.limiter
	rl.mu.Lock()
	defer rl.mu.Unlock()
	clear(rl.hours)
	clear(rl.bursts)
}

// ThrottledRequests is how many requests were refused for exceeding a rate
// budget.
func (s *Server) ThrottledRequests() int {
	rl := s.limiter
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.throttled
}
