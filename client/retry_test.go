package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// scripted is a test server answering each request with the next step of
// a script (the last step repeats), recording what it received.
type scripted struct {
	*httptest.Server
	mu     sync.Mutex
	steps  []func(w http.ResponseWriter, r *http.Request)
	calls  int
	bodies [][]byte
	agents []string
	auths  []string
	conns  atomic.Int32
}

func newScripted(t *testing.T, steps ...func(w http.ResponseWriter, r *http.Request)) *scripted {
	t.Helper()
	s := &scripted{steps: steps}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		step := s.steps[min(s.calls, len(s.steps)-1)]
		s.calls++
		s.bodies = append(s.bodies, body)
		s.agents = append(s.agents, r.Header.Get("User-Agent"))
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		step(w, r)
	}))
	s.Server.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *scripted) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// status answers with code, headers and an eSignature error body.
func status(code int, headers ...string) func(w http.ResponseWriter, r *http.Request) {
	return statusBody(code, fmt.Sprintf(`{"errorCode":"E%d","message":"status %d"}`, code, code), headers...)
}

func statusBody(code int, body string, headers ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func ok(w http.ResponseWriter, r *http.Request) { statusBody(200, `{"ok":true}`)(w, r) }

// dropConnection closes the connection without answering.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func TestThrottledCallsWaitWhatRetryAfterSaysThenSucceed(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"delay seconds", "7", 7 * time.Second},
		{"HTTP date", now.Add(12 * time.Second).Format(http.TimeFormat), 12 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, status(429, "Retry-After", tt.retryAfter), status(429, "Retry-After", tt.retryAfter), ok)
			rec := &sleepRecorder{}
			hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}), withTransportClock(func() time.Time { return now }))
			resp, err := hc.Get(srv.URL + "/restapi/v2.1/accounts/1/users")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := rec.recorded(); len(got) != 2 || got[0] != tt.want || got[1] != tt.want {
				t.Errorf("waits %v, want two of %v", got, tt.want)
			}
			if srv.attempts() != 3 {
				t.Errorf("%d attempts, want 3", srv.attempts())
			}
		})
	}
}

func TestLegacy400ThrottlingCodesAreRetried(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 59, 40, 0, time.UTC)
	reset := strconv.FormatInt(now.Add(20*time.Second).Unix(), 10)
	tests := []struct {
		name    string
		step    func(w http.ResponseWriter, r *http.Request)
		wantGap time.Duration
	}{
		{"hourly limit waits for X-RateLimit-Reset",
			statusBody(400, `{"errorCode":"HOURLY_APIINVOCATION_LIMIT_EXCEEDED","message":"limit"}`,
				"X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset),
			20 * time.Second},
		{"burst limit backs off",
			statusBody(400, `{"errorCode":"BURST_APIINVOCATION_LIMIT_EXCEEDED","message":"burst"}`,
				"X-BurstLimit-Limit", "500", "X-BurstLimit-Remaining", "0"),
			500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, tt.step, ok)
			rec := &sleepRecorder{}
			hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}), fixedJitter(), withTransportClock(func() time.Time { return now }))
			resp, err := hc.Get(srv.URL + "/restapi/v2.1/accounts/1/envelopes")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := rec.recorded(); len(got) != 1 || got[0] != tt.wantGap {
				t.Errorf("waits %v, want [%v]", got, tt.wantGap)
			}
		})
	}
}

func TestAThrottledCallNeedingALongWaitReturnsAtOnceWithTheRate(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 10, 0, 0, time.UTC)
	reset := now.Add(50 * time.Minute)
	srv := newScripted(t, status(429, "X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "0",
		"X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10)))
	rec := &sleepRecorder{}
	hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}), withTransportClock(func() time.Time { return now }))

	_, err := hc.Get(srv.URL + "/restapi/v2.1/accounts/1/users")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrThrottled) {
		t.Fatalf("got %v, want a throttled *APIError", err)
	}
	if !apiErr.Rate.Reset.Equal(reset) || !apiErr.Rate.HourlyExhausted() {
		t.Errorf("rate %+v, want exhausted until %v", apiErr.Rate, reset)
	}
	if len(rec.recorded()) != 0 || srv.attempts() != 1 {
		t.Errorf("waited %v over %d attempts, want no wait and 1 attempt", rec.recorded(), srv.attempts())
	}
}

func TestGatewayErrorBurstsAreRetriedWithExponentialBackoff(t *testing.T) {
	srv := newScripted(t, status(502), status(503), status(504), ok)
	rec := &sleepRecorder{}
	hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{InitialBackoff: time.Second, MaxBackoff: 3 * time.Second}), fixedJitter())
	resp, err := hc.Get(srv.URL + "/management/v2/organizations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} // capped at MaxBackoff
	if got := rec.recorded(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

func TestRetriesStopAtMaxAttemptsWithTheLastError(t *testing.T) {
	srv := newScripted(t, status(503))
	rec := &sleepRecorder{}
	hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}), WithMaxAttempts(3))
	_, err := hc.Get(srv.URL + "/x")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("got %v, want the 503 APIError", err)
	}
	if srv.attempts() != 3 || len(rec.recorded()) != 2 {
		t.Errorf("%d attempts and %d waits, want 3 and 2", srv.attempts(), len(rec.recorded()))
	}
}

func TestPermanentFailuresAreNotRetried(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 409, 500} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			srv := newScripted(t, status(code), ok)
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			_, err := hc.Get(srv.URL + "/x")
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != code || srv.attempts() != 1 {
				t.Errorf("got %v after %d attempts, want the %d error after 1", err, srv.attempts(), code)
			}
		})
	}
}

func TestADroppedConnectionIsRetriedForGET(t *testing.T) {
	srv := newScripted(t, dropConnection, ok)
	hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
	resp, err := hc.Get(srv.URL + "/api/v2.0/datasets/monitor/stream")
	if err != nil {
		t.Fatalf("GET after a dropped connection: %v", err)
	}
	resp.Body.Close()
	if srv.attempts() != 2 {
		t.Errorf("%d attempts, want 2", srv.attempts())
	}
}

func TestPOSTIsRetriedOnlyWhenTheCallerOptsIn(t *testing.T) {
	for _, fail := range []struct {
		name string
		step func(w http.ResponseWriter, r *http.Request)
	}{{"503", status(503)}, {"dropped connection", dropConnection}} {
		t.Run(fail.name+" without opt-in", func(t *testing.T) {
			srv := newScripted(t, fail.step, ok)
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			_, err := hc.Post(srv.URL+"/restapi/v2.1/accounts/1/envelopes", "application/json", strings.NewReader(`{"status":"sent"}`))
			if err == nil || srv.attempts() != 1 {
				t.Errorf("got %v after %d attempts, want an error after 1", err, srv.attempts())
			}
		})
		t.Run(fail.name+" with opt-in", func(t *testing.T) {
			srv := newScripted(t, fail.step, ok)
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			ctx := WithRetryNonIdempotent(context.Background())
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/restapi/v2.1/accounts/1/envelopes", strings.NewReader(`{"status":"sent"}`))
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if srv.attempts() != 2 {
				t.Errorf("%d attempts, want 2", srv.attempts())
			}
		})
	}
}

func TestRequestBodiesAreReplayedByteForByte(t *testing.T) {
	payload := bytes.Repeat([]byte(`{"emailSubject":"Please sign \u00e9","documents":[]}`), 2000)
	tests := []struct {
		name string
		body func() io.Reader
	}{
		{"with GetBody", func() io.Reader { return bytes.NewReader(payload) }},
		{"without GetBody (buffered)", func() io.Reader { return io.MultiReader(bytes.NewReader(payload)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScripted(t, status(503), status(502), ok)
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2", tt.body())
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.bodies) != 3 {
				t.Fatalf("%d attempts, want 3", len(srv.bodies))
			}
			for i, b := range srv.bodies {
				if !bytes.Equal(b, payload) {
					t.Errorf("attempt %d sent %d bytes differing from the %d-byte payload", i+1, len(b), len(payload))
				}
			}
		})
	}
}

func TestCancellingTheContextStopsABackoffAtOnce(t *testing.T) {
	srv := newScripted(t, status(503))
	ctx, cancel := context.WithCancel(context.Background())
	// The default sleep with a ten-minute backoff, cancelled as it starts:
	// only honouring the cancellation lets the call return.
	rec := &sleepRecorder{}
	sleep := func(ctx context.Context, d time.Duration) error {
		rec.sleep(ctx, d)
		cancel()
		return DefaultRetryPolicy().Sleep(ctx, d)
	}
	hc, _ := buildPipeline(t, nil, WithRetry(RetryPolicy{InitialBackoff: 10 * time.Minute, MaxBackoff: 10 * time.Minute, Sleep: sleep}))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
	_, err := hc.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if got := rec.recorded(); len(got) != 1 || got[0] < 5*time.Minute {
		t.Errorf("waits %v, want the one backoff of 5 to 10 minutes that was cut short", got)
	}
	if srv.attempts() != 1 {
		t.Errorf("%d attempts, want 1", srv.attempts())
	}
}

func TestABackoffPastTheDeadlineReturnsTheLastErrorInsteadOfWaiting(t *testing.T) {
	srv := newScripted(t, status(503, "Retry-After", "30"))
	rec := &sleepRecorder{}
	hc, _ := buildPipeline(t, nil, noSleep(rec, RetryPolicy{}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
	_, err := hc.Do(req)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("got %v, want the 503 APIError", err)
	}
	if len(rec.recorded()) != 0 {
		t.Errorf("waited %v although the deadline is nearer", rec.recorded())
	}
}

func TestAnAttemptThatTimesOutIsRetried(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		select { // hang until the client gives up on the attempt
		case <-r.Context().Done():
		case <-release:
		}
	}, ok)
	getSecondAttemptBody(t, srv, WithTimeouts(Timeouts{Attempt: 100 * time.Millisecond}))
}

func TestAuthAndUserAgentAreAppliedToEveryAttempt(t *testing.T) {
	srv := newScripted(t, status(503), ok)
	var authCalls atomic.Int32
	auth := func(next http.RoundTripper) http.RoundTripper {
		return transportFunc(func(req *http.Request) (*http.Response, error) {
			n := authCalls.Add(1)
			r := req.Clone(req.Context())
			r.Header.Set("Authorization", fmt.Sprintf("Bearer tok-%d", n))
			return next.RoundTrip(r)
		})
	}
	hc, _ := buildPipeline(t, auth, noSleep(&sleepRecorder{}, RetryPolicy{}), WithUserAgent("siem-collector/2.0"))
	resp, err := hc.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if fmt.Sprint(srv.auths) != "[Bearer tok-1 Bearer tok-2]" {
		t.Errorf("authorization per attempt: %q", srv.auths)
	}
	for _, ua := range srv.agents {
		if !strings.HasPrefix(ua, "dsgo-docusign/"+Version+" go") || !strings.HasSuffix(ua, " siem-collector/2.0") {
			t.Errorf("User-Agent %q", ua)
		}
	}
}

func TestDiscardedResponsesAreDrainedSoTheConnectionIsReused(t *testing.T) {
	big := strings.Repeat(" ", 32<<10)
	srv := newScripted(t, statusBody(503, `{"errorCode":"X"}`+big), statusBody(503, `{"errorCode":"X"}`+big), ok)
	hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
	resp, err := hc.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections for 3 attempts, want 1", n)
	}
}

func TestTheClassifierSeparatesTransientFromPermanentTransportErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want retryClass
	}{
		{"connection reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, classTransient},
		{"connection refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, classTransient},
		{"EOF before a response", fmt.Errorf("net/http: transport connection broken: %w", io.EOF), classTransient},
		{"attempt deadline", context.DeadlineExceeded, classTransient},
		{"dial timeout", &net.OpError{Op: "dial", Err: timeoutErr{}}, classTransient},
		{"temporary DNS failure", &net.DNSError{Err: "server misbehaving", IsTemporary: true}, classTransient},
		{"unknown host", &net.DNSError{Err: "no such host", IsNotFound: true}, classFinal},
		{"certificate not trusted", &tls.CertificateVerificationError{Err: errors.New("x509: unknown authority")}, classFinal},
		{"auth failure", errors.New("docusign: consent required"), classFinal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := classify(context.Background(), nil, tt.err); got != tt.want {
				t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, _ := classify(ctx, nil, io.EOF); got != classFinal {
		t.Errorf("an error after the caller cancelled is %v, want final", got)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestRetryAfterParsesSecondsAndDates(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffIsJitteredBetweenHalfAndAllOfTheCappedDelay(t *testing.T) {
	rt := &retryTransport{policy: RetryPolicy{InitialBackoff: time.Second, MaxBackoff: 10 * time.Second}, jitter: randomJitter}
	for attempt := 1; attempt <= 40; attempt++ {
		full := min(time.Second<<min(attempt-1, 20), 10*time.Second)
		for range 20 {
			if d := rt.backoff(attempt); d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
}

func TestRetryPolicyProblemsAreAllReported(t *testing.T) {
	cfg := &config{}
	WithRetry(RetryPolicy{MaxAttempts: -1, InitialBackoff: -time.Second, MaxServerWait: -1})(cfg)
	WithMaxAttempts(0)(cfg)
	err := errors.Join(cfg.errs...)
	for _, want := range []string{"MaxAttempts is -1", "InitialBackoff is -1s", "MaxServerWait is -1ns", "WithMaxAttempts: 0 attempts"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// bodyProgress counts how far its source has been read.
type bodyProgress struct {
	r    io.Reader
	read atomic.Int64
}

func (c *bodyProgress) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func TestALargeBodyWithoutGetBodyIsStreamedOnceNotBuffered(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 3*MaxReplayBuffer/16) // 3 MiB
	srv := newScripted(t, status(503), ok)
	hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
	src := &bodyProgress{r: bytes.NewReader(payload)}
	var readBeforeSend atomic.Int64
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2/documents/1", io.MultiReader(src))
	req = req.WithContext(httptraceWroteHeaders(req.Context(), func() { readBeforeSend.Store(src.read.Load()) }))
	_, err := hc.Do(req)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("got %v, want the 503: a body that cannot be replayed must not be retried", err)
	}
	if srv.attempts() != 1 {
		t.Errorf("%d attempts, want 1", srv.attempts())
	}
	if n := readBeforeSend.Load(); n == 0 || n > MaxReplayBuffer+64<<10 {
		t.Errorf("%d bytes were read before the request went out: the body was buffered, not streamed", n)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if !bytes.Equal(srv.bodies[0], payload) {
		t.Errorf("the server got %d bytes, want the %d-byte payload", len(srv.bodies[0]), len(payload))
	}
}

func TestASmallBodyWithoutGetBodyIsStillRetried(t *testing.T) {
	payload := []byte(`{"status":"sent"}`)
	srv := newScripted(t, status(503), ok)
	hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2", io.MultiReader(bytes.NewReader(payload)))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || srv.attempts() != 2 {
		t.Errorf("status %d after %d attempts, want 200 after 2", resp.StatusCode, srv.attempts())
	}
}

// httptraceWroteHeaders calls fn when the request's headers are written,
// before its body.
func httptraceWroteHeaders(ctx context.Context, fn func()) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: fn})
}
