package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Retry defaults (see RetryPolicy).
const (
	defaultMaxAttempts    = 4
	defaultInitialBackoff = 500 * time.Millisecond
	defaultMaxBackoff     = 30 * time.Second
	defaultMaxServerWait  = 60 * time.Second
)

// throttleCodes are the eSignature errorCode values of a 400 response that
// mean "rate limited" (DocuSign's older throttling answer, before 429).
var throttleCodes = map[string]bool{
	"HOURLY_APIINVOCATION_LIMIT_EXCEEDED": true,
	"BURST_APIINVOCATION_LIMIT_EXCEEDED":  true,
}

// RetryPolicy controls how throttled and transient failures are retried.
// Zero fields take the defaults shown; DefaultRetryPolicy returns them.
//
// Throttled (429, or 400 with a rate-limit error code) and transient (502,
// 503, 504, connection reset or closed, timeout before a response) attempts
// are retried with capped, jittered exponential backoff, or after the wait
// the server asks for (Retry-After, X-RateLimit-Reset). Only idempotent
// methods are retried unless the call's context carries
// WithRetryNonIdempotent.
//
// A retry resends the request body, so it must be replayable, and every
// body whose length is known goes out with a Content-Length:
//
//   - a body with Request.GetBody is replayed through it: a []byte,
//     *bytes.Reader, *bytes.Buffer or *strings.Reader (net/http sets it), or
//     a generated multipart method's body when every file can seek;
//   - an io.Seeker, such as an *os.File of a regular file (the usual
//     document upload), is sent from its offset at the call to its end,
//     with that length, and
//     each attempt reads that range again, never through an offset another
//     attempt still uses; it is closed after the last attempt, once no
//     attempt reads it (a seeker without ReadAt is read under a lock, so
//     ending an attempt waits for a read in progress: fine for files, slow
//     for a network-backed seeker);
//   - any other body (an io.Pipe, a gzip stream) of a call that may be
//     retried is read into memory up to MaxReplayBuffer (1 MiB) and sent
//     with its length; a larger one is streamed once, without retries or
//     Content-Length, and the attempt's log entry says why it was not
//     retried. In a call that is not retried it is streamed as given. To
//     retry a large upload, pass a file or another io.Seeker, or set
//     Request.GetBody in a request editor.
type RetryPolicy struct {
	// MaxAttempts is the total number of tries, the first included; 1
	// disables retries. Default 4.
	MaxAttempts int
	// InitialBackoff is the base wait before the first retry; it doubles per
	// retry, and each wait is drawn between half and all of it. Default 500ms.
	InitialBackoff time.Duration
	// MaxBackoff caps a computed backoff. Default 30s.
	MaxBackoff time.Duration
	// MaxServerWait is the longest server-requested wait (Retry-After or the
	// hourly reset) the client sits out; when the server asks for longer, the
	// throttled *APIError is returned at once, carrying Rate and RetryAfter,
	// so the caller can reschedule. Default 60s.
	MaxServerWait time.Duration
	// Sleep waits for d or until ctx is done, returning ctx.Err() then. Nil
	// means a timer. Tests inject one to record waits without sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetryPolicy returns the policy used when WithRetry is not given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:    defaultMaxAttempts,
		InitialBackoff: defaultInitialBackoff,
		MaxBackoff:     defaultMaxBackoff,
		MaxServerWait:  defaultMaxServerWait,
		Sleep:          sleepContext,
	}
}

// withDefaults fills the zero fields of p.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts == 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.InitialBackoff == 0 {
		p.InitialBackoff = d.InitialBackoff
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = d.MaxBackoff
	}
	if p.MaxServerWait == 0 {
		p.MaxServerWait = d.MaxServerWait
	}
	if p.Sleep == nil {
		p.Sleep = d.Sleep
	}
	return p
}

// validate reports every invalid field of p, naming the option.
func (p RetryPolicy) validate(option string) []error {
	var errs []error
	if p.MaxAttempts < 0 {
		errs = append(errs, optErr(option, "MaxAttempts is %d: use 1 to disable retries, or 0 for the default %d", p.MaxAttempts, defaultMaxAttempts))
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"InitialBackoff", p.InitialBackoff}, {"MaxBackoff", p.MaxBackoff}, {"MaxServerWait", p.MaxServerWait}} {
		if f.v < 0 {
			errs = append(errs, optErr(option, "%s is %v: use a positive duration, or 0 for the default", f.name, f.v))
		}
	}
	if p.InitialBackoff > 0 && p.MaxBackoff > 0 && p.InitialBackoff > p.MaxBackoff {
		errs = append(errs, optErr(option, "InitialBackoff %v exceeds MaxBackoff %v: raise MaxBackoff or lower InitialBackoff", p.InitialBackoff, p.MaxBackoff))
	}
	return errs
}

// WithRetry replaces the retry policy; zero fields keep their defaults,
// and a zero MaxAttempts keeps the count set by an earlier WithMaxAttempts.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) {
		if errs := p.validate("WithRetry"); len(errs) > 0 {
			for _, err := range errs {
				c.addErr(err)
			}
			return
		}
		attempts := c.transportConfig.retry.MaxAttempts
		c.transportConfig.retry = p
		if p.MaxAttempts == 0 && attempts != 0 {
			c.transportConfig.retry.MaxAttempts = attempts // keep an earlier WithMaxAttempts
		}
	}
}

// WithMaxAttempts sets the total number of tries per call, the first
// included; 1 disables retries.
func WithMaxAttempts(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.addErr(optErr("WithMaxAttempts", "%d attempts: use at least 1 (1 disables retries)", n))
			return
		}
		c.transportConfig.retry.MaxAttempts = n
	}
}

// retryNonIdempotentKey marks a context whose POST/PATCH calls may be retried.
type retryNonIdempotentKey struct{}

// WithRetryNonIdempotent returns a context under which POST and PATCH calls
// are retried like idempotent ones. Pass it to a call (the generated
// clients take a ctx) only when repeating the request is harmless, e.g. a
// POST that only reads, or a create whose duplicate you detect.
func WithRetryNonIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryNonIdempotentKey{}, true)
}

// idempotent reports whether method may be repeated without changing the
// outcome.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// retryClass is the classifier's verdict on one attempt.
type retryClass int

const (
	classFinal     retryClass = iota // success or a permanent failure
	classThrottled                   // rate limited
	classTransient                   // gateway error, reset connection, timeout
)

// isThrottled is the single rule for "rate limited": a 429, or a 400 whose
// error code is a DocuSign rate-limit code.
func isThrottled(status int, code string) bool {
	return status == http.StatusTooManyRequests || (status == http.StatusBadRequest && throttleCodes[strings.ToUpper(code)])
}

// isTransientStatus reports gateway statuses worth retrying.
func isTransientStatus(status int) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// classify decides whether an attempt failed in a way worth retrying. ctx
// is the caller's context: once it is done nothing is retried. It may read
// a 400 body to find the error code, leaving the body readable again.
func classify(ctx context.Context, resp *http.Response, err error) (retryClass, string) {
	if err != nil {
		if ctx.Err() != nil {
			return classFinal, ""
		}
		return classifyError(err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return classThrottled, "429 Too Many Requests"
	case resp.StatusCode == http.StatusBadRequest:
		if code := peekErrorCode(resp); isThrottled(resp.StatusCode, code) {
			return classThrottled, "400 " + code
		}
	case isTransientStatus(resp.StatusCode):
		return classTransient, strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	}
	return classFinal, ""
}

// classifyError decides whether a transport error (no response) is
// transient. Anything not known to be transient (TLS verification, a bad
// URL, an authentication failure) is final.
func classifyError(err error) (retryClass, string) {
	var bre *bodyReadError
	if errors.As(err, &bre) {
		// The answer arrived but its body could not be read within the
		// attempt (cut off, stalled, attempt deadline): worth another try.
		var idle *BodyIdleError
		switch {
		case errors.As(err, &idle):
			return classTransient, "the response body stalled"
		case errors.Is(err, context.DeadlineExceeded):
			return classTransient, "attempt timed out while reading the response body"
		}
		return classTransient, "reading the response body failed"
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return classTransient, "attempt timed out"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return classTransient, "connection reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return classTransient, "connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return classTransient, "connection closed before a response"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout || dnsErr.IsTemporary {
			return classTransient, "DNS lookup failed temporarily"
		}
		return classFinal, ""
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return classTransient, "timeout before a response"
	}
	return classFinal, ""
}

// peekErrorCode reads up to maxErrorBody of a response body to find its
// error code, then puts the bytes back so outer layers read the same body.
func peekErrorCode(resp *http.Response) string {
	if resp.Body == nil || resp.Body == http.NoBody {
		return ""
	}
	body, err := readCapped(resp.Body, maxErrorBody)
	rest := resp.Body
	resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(body), &errReader{err: err, rest: rest}), closer: rest}
	code, _, _ := parseErrorBody(resp.Header.Get("Content-Type"), body)
	return code
}

// errReader yields a saved read error, or the rest of the original body.
type errReader struct {
	err  error
	rest io.Reader
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return r.rest.Read(p)
}

// replayBody is a body whose start was already read once.
type replayBody struct {
	io.Reader
	closer io.Closer
}

func (b *replayBody) Close() error { return b.closer.Close() }

// parseRetryAfter parses a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// serverWait is the wait a response asks for: Retry-After, or for a
// throttled response with the hourly budget spent, the time until
// X-RateLimit-Reset.
func serverWait(resp *http.Response, class retryClass, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		return d, true
	}
	if class == classThrottled {
		if r := rateFromHeader(resp.Header, now); r.HourlyExhausted() && !r.Reset.IsZero() {
			return max(r.Reset.Sub(now), 0), true
		}
	}
	return 0, false
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryTransport retries throttled and transient attempts, tracks the
// rate-limit headers of every response, and optionally paces requests. Each
// attempt is a fresh clone of the request (User-Agent set, body replayed,
// per-attempt timeout applied) passed to next, which includes auth, so a
// refreshed token is used on the next try. A successful JSON answer is read
// whole within its attempt (bufferJSONBody), capped at maxJSONBody; every body
// read is bounded by bodyIdle.
type retryTransport struct {
	next        http.RoundTripper
	policy      RetryPolicy // defaults filled
	rates       *rateState
	pacing      *Pacing // nil: no pacing
	userAgent   string
	attemptTTL  time.Duration // 0: no per-attempt timeout
	bodyIdle    time.Duration // longest wait for body data; <= 0: none
	maxJSONBody int64         // largest JSON body buffered in an attempt; < 0: no limit
	now         func() time.Time
	jitter      func(limit time.Duration) time.Duration // random in [0, limit]
}

// attemptInfo describes one finished attempt for the logging layer.
type attemptInfo struct {
	attempt    int
	method     string
	path       string
	resp       *http.Response
	err        error
	duration   time.Duration
	rate       Rate
	paced      time.Duration // pacing wait before the attempt
	retryIn    time.Duration // wait before the next attempt, if retrying
	retrying   bool
	reason     string // why the attempt counts as failed, if retryable
	notRetried string // why a retryable failure is not retried
}

// attemptObserver receives every attempt; the logging layer installs one in
// the request context.
type attemptObserver interface {
	observeAttempt(ctx context.Context, info attemptInfo)
}

type observerKey struct{}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	obs, _ := ctx.Value(observerKey{}).(attemptObserver)
	maxAttempts := t.policy.MaxAttempts
	methodBlocked := false
	if maxAttempts > 1 && !idempotent(req.Method) && ctx.Value(retryNonIdempotentKey{}) == nil {
		maxAttempts, methodBlocked = 1, true
	}
	body, err := newRequestBody(req, maxAttempts > 1)
	if err != nil {
		return nil, err
	}
	defer body.finish()
	bodyBlocked := body.once
	if bodyBlocked {
		maxAttempts = 1
	}
	// A 401 is answered once per call by replacing the token and trying
	// again (an extra attempt, whatever the method and MaxAttempts), when
	// the body can be sent again.
	authRetryable := req.Body == nil || req.Body == http.NoBody || body.replay != nil
	host := req.URL.Host
	for attempt := 1; ; attempt++ {
		var paced time.Duration
		if t.pacing != nil {
			if paced = t.rates.paceDelay(host, t.now(), paceRule{burst: t.pacing}); paced > 0 {
				if err := t.policy.Sleep(ctx, paced); err != nil {
					if attempt == 1 {
						body.unsent() // RoundTrip must close it
					}
					return nil, fmt.Errorf("docusign: pacing %s %s: waited for the burst budget: %w", req.Method, req.URL.Path, err)
				}
			}
		}
		auth := &authAttempt{mayRefresh: authRetryable}
		areq, cancel, err := t.attemptRequest(req, attempt, body, auth)
		if err != nil {
			return nil, err
		}
		start := t.now()
		resp, err := t.next.RoundTrip(areq)
		if err == nil {
			// From here the body is read under the idle limit, and the
			// attempt is released at EOF or Close.
			resp.Body = newIdleBody(resp.Body, t.bodyIdle, cancel)
			if buffersJSONBody(ctx, req.Method, resp) {
				// A JSON answer is read whole within the attempt, so its
				// deadline and failures are retried like any other.
				if rerr := bufferJSONBody(areq, resp, t.maxJSONBody); rerr != nil {
					resp, err = nil, rerr
				}
			}
		}
		info := attemptInfo{attempt: attempt, method: req.Method, path: req.URL.EscapedPath(), resp: resp, err: err, duration: t.now().Sub(start), paced: paced}
		if resp != nil {
			info.rate = rateFromHeader(resp.Header, t.now())
			t.rates.observe(host, info.rate)
		}
		class, reason := classify(ctx, resp, err)
		info.reason = reason
		var wait time.Duration
		switch {
		case auth.refreshed && err == nil && resp.StatusCode == http.StatusUnauthorized:
			// The auth layer replaced the rejected token: one more try,
			// at once, not counted against MaxAttempts.
			info.reason, info.retrying = "401 Unauthorized: access token replaced", true
			authRetryable = false
			maxAttempts++
		case class != classFinal:
			wait, info.notRetried = t.decide(ctx, class, resp, attempt, maxAttempts, methodBlocked, req.Method)
			if bodyBlocked && !methodBlocked {
				wait, info.notRetried = 0, fmt.Sprintf("the request body is not replayable (no GetBody, cannot seek, larger than %d bytes) and was streamed once", MaxReplayBuffer)
			}
			info.retrying = info.notRetried == ""
			info.retryIn = wait
		}
		if obs != nil {
			obs.observeAttempt(ctx, info)
		}
		if !info.retrying {
			if err != nil {
				cancel()
				if attempt > 1 {
					err = fmt.Errorf("docusign: %s %s: giving up after %d attempts: %w", req.Method, req.URL.Path, attempt, err)
				}
				return nil, err
			}
			return resp, nil
		}
		discardBody(resp)
		cancel()
		if err := t.policy.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("docusign: %s %s: stopped waiting %v to retry after %s: %w", req.Method, req.URL.Path, wait, reason, err)
		}
	}
}

// decide returns the wait before the next attempt of a retryable failure,
// or why it is not retried.
func (t *retryTransport) decide(ctx context.Context, class retryClass, resp *http.Response, attempt, maxAttempts int, methodBlocked bool, method string) (time.Duration, string) {
	if methodBlocked {
		return 0, method + " is not idempotent; opt in per call with client.WithRetryNonIdempotent(ctx)"
	}
	if attempt >= maxAttempts {
		return 0, fmt.Sprintf("attempt limit (%d) reached", maxAttempts)
	}
	wait, fromServer := serverWait(resp, class, t.now())
	switch {
	case fromServer && wait > t.policy.MaxServerWait:
		return 0, fmt.Sprintf("server asked to wait %v, longer than MaxServerWait %v", wait.Round(time.Second), t.policy.MaxServerWait)
	case !fromServer || wait == 0:
		wait = t.backoff(attempt)
	}
	if deadline, ok := ctx.Deadline(); ok && t.now().Add(wait).After(deadline) {
		return 0, fmt.Sprintf("waiting %v would pass the context deadline", wait.Round(time.Millisecond))
	}
	return wait, ""
}

// backoff is the capped exponential wait before retry number attempt,
// drawn between half and all of InitialBackoff*2^(attempt-1).
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.policy.InitialBackoff
	for i := 1; i < attempt && d < t.policy.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, t.policy.MaxBackoff)
	half := d / 2
	return half + t.jitter(d-half)
}

// randomJitter returns a uniformly random duration in [0, limit].
func randomJitter(limit time.Duration) time.Duration {
	if limit <= 0 {
		return 0
	}
	return rand.N(limit + 1)
}

// attemptRequest clones req for one attempt: its own headers (User-Agent
// added), the attempt's body and Content-Length (see requestBody), the
// per-attempt timeout and auth (see authAttempt). cancel ends the attempt.
func (t *retryTransport) attemptRequest(req *http.Request, attempt int, body *requestBody, auth *authAttempt) (*http.Request, context.CancelFunc, error) {
	ctx := req.Context()
	var cancel context.CancelFunc
	if t.attemptTTL > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.attemptTTL)
	} else {
		ctx, cancel = context.WithCancel(ctx) // for the body's idle limit
	}
	areq := req.Clone(context.WithValue(ctx, authAttemptKey{}, auth))
	if areq.Header.Get("User-Agent") == "" {
		areq.Header.Set("User-Agent", t.userAgent)
	}
	if req.Body == nil || req.Body == http.NoBody {
		return areq, cancel, nil
	}
	b, n, err := body.attempt(attempt)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("docusign: %s %s: replaying the request body for attempt %d: %w", req.Method, req.URL.Path, attempt, err)
	}
	areq.Body, areq.GetBody = b, body.replay
	if n >= 0 {
		areq.ContentLength = n
	}
	return areq, cancel, nil
}
