package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// logCapture collects JSON log lines.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *logCapture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *logCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func (c *logCapture) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(c.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func captureLogs(level slog.Level) (*logCapture, *slog.Logger) {
	c := &logCapture{}
	return c, slog.New(slog.NewJSONHandler(c, &slog.HandlerOptions{Level: level}))
}

func TestEachAttemptIsOneLogLineAndFailuresAreWarnings(t *testing.T) {
	srv := newScripted(t, status(503, "X-DocuSign-TraceToken", "tt-1"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", "42")
		w.Header().Set("X-BurstLimit-Limit", "500")
		w.Header().Set("X-BurstLimit-Remaining", "7")
		ok(w, r)
	})
	logs, logger := captureLogs(slog.LevelDebug)
	hc, _ := buildPipeline(t, nil, WithLogger(logger), noSleep(&sleepRecorder{}, RetryPolicy{}), fixedJitter())
	resp, err := hc.Get(srv.URL + "/restapi/v2.1/accounts/1/users?email=someone@example.com")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	lines := logs.lines(t)
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2 (one per attempt):\n%s", len(lines), logs)
	}
	first, second := lines[0], lines[1]
	want1 := map[string]any{"level": "WARN", "method": "GET", "path": "/restapi/v2.1/accounts/1/users", "attempt": 1.0,
		"status": 503.0, "trace_token": "tt-1", "failure": "503 Service Unavailable", "retry_in": 500e6}
	for k, v := range want1 {
		if first[k] != v {
			t.Errorf("first line %s = %v, want %v", k, first[k], v)
		}
	}
	want2 := map[string]any{"level": "DEBUG", "attempt": 2.0, "status": 200.0, "rate_remaining": 42.0, "burst_remaining": 7.0}
	for k, v := range want2 {
		if second[k] != v {
			t.Errorf("second line %s = %v, want %v", k, second[k], v)
		}
	}
	if _, ok := second["duration"]; !ok {
		t.Error("no duration logged")
	}
	if strings.Contains(logs.String(), "someone@example.com") {
		t.Error("a query value was logged")
	}
}

func TestAFailureThatIsNotRetriedSaysWhy(t *testing.T) {
	srv := newScripted(t, status(503), ok)
	logs, logger := captureLogs(slog.LevelInfo)
	hc, _ := buildPipeline(t, nil, WithLogger(logger), noSleep(&sleepRecorder{}, RetryPolicy{}))
	hc.Post(srv.URL+"/restapi/v2.1/accounts/1/envelopes", "application/json", strings.NewReader(`{}`))
	lines := logs.lines(t)
	if len(lines) != 1 || !strings.Contains(fmt.Sprint(lines[0]["not_retried"]), "WithRetryNonIdempotent") {
		t.Errorf("log %v: want one line explaining the POST was not retried", lines)
	}
}

func TestTheDefaultLoggerIsSilentAndSuccessesStayBelowInfo(t *testing.T) {
	srv := newScripted(t, ok)
	logs, logger := captureLogs(slog.LevelInfo)
	hc, _ := buildPipeline(t, nil, WithLogger(logger))
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if logs.String() != "" {
		t.Errorf("a success logged at Info: %s", logs)
	}
	cfg := &config{}
	if cfg.transportConfig.log().Enabled(t.Context(), slog.LevelError) {
		t.Error("the default logger is not silent")
	}
	WithLogger(nil)(cfg)
	if len(cfg.errs) != 1 {
		t.Error("WithLogger(nil) was accepted")
	}
}

func TestSecretsNeverReachLogsOrErrors(t *testing.T) {
	const (
		token     = "eyJ0eXAiOiJNVCJ9.SECRET-ACCESS-TOKEN"
		assertion = "eyJhbGciOiJSUzI1NiJ9.SECRET-ASSERTION"
		queryTok  = "SECRET-QUERY-TOKEN"
		proxyPass = "SECRET-PROXY-PASSWORD"
	)
	srv := newScripted(t, status(503), statusBody(400, `{"error":"invalid_grant","error_description":"no"}`))
	logs, logger := captureLogs(slog.LevelDebug)
	// The proxy is the test server itself, which answers the absolute-form
	// request like an origin; its URL carries a password.
	hc, _ := buildPipeline(t, bearerLayer(token), WithLogger(logger), noSleep(&sleepRecorder{}, RetryPolicy{}),
		WithProxy("http://collector:"+proxyPass+"@"+strings.TrimPrefix(srv.URL, "http://")))

	ctx := WithRetryNonIdempotent(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/oauth/token?access_token="+queryTok,
		strings.NewReader("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion="+assertion))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err := hc.Do(req)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want an APIError", err)
	}
	srv.mu.Lock()
	sentAuth := srv.auths[0]
	srv.mu.Unlock()
	if sentAuth != "Bearer "+token {
		t.Fatalf("the request did not carry the token (%q): the test would prove nothing", sentAuth)
	}
	outputs := map[string]string{
		"logs":          logs.String(),
		"APIError":      apiErr.Error(),
		"APIError %+v":  fmt.Sprintf("%+v", apiErr),
		"APIError %#v":  fmt.Sprintf("%#v", *apiErr),
		"APIError.URL":  apiErr.URL,
		"Client config": fmt.Sprintf("%+v", hc),
	}
	for name, out := range outputs {
		for _, secret := range []string{token, assertion, queryTok, proxyPass} {
			if strings.Contains(out, secret) {
				t.Errorf("%s contains the secret %q:\n%s", name, secret, out)
			}
		}
	}
	if !strings.Contains(logs.String(), "collector:xxxxx@") {
		t.Errorf("the proxy was not logged in redacted form:\n%s", logs)
	}
	if len(logs.lines(t)) < 2 {
		t.Errorf("expected the attempts to be logged:\n%s", logs)
	}
}
