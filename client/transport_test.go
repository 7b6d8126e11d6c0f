package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTransportOptionProblemsAreAllReportedTogether(t *testing.T) {
	cfg := &config{}
	for _, o := range []Option{
		WithHTTPClient(nil),
		WithLogger(nil),
		WithProxy("ftp://proxy.example.com"),
		WithProxy("http://user:pw@[::1"),
		WithTimeouts(Timeouts{Connect: -1, Overall: -time.Second}),
		WithUserAgent("bad\nagent"),
		WithMiddleware(nil),
		WithMaxAttempts(0),
	} {
		o(cfg)
	}
	err := errors.Join(append(cfg.errs, cfg.transportConfig.validate())...)
	for _, want := range []string{
		"WithHTTPClient: client is nil",
		"WithLogger: logger is nil",
		`WithProxy: proxy URL "ftp://proxy.example.com" has scheme "ftp"`,
		"WithProxy: the proxy URL does not parse",
		"WithTimeouts: Connect is -1ns",
		"WithTimeouts: Overall is -1s",
		"WithUserAgent: suffix",
		"WithMiddleware: layer 0 is nil",
		"WithMaxAttempts: 0 attempts",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), ":pw@") {
		t.Errorf("a proxy password appears in the error: %v", err)
	}
}

func TestSettingsThatNeedAnHTTPTransportAreRejectedForOtherTransports(t *testing.T) {
	custom := &http.Client{Transport: transportFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("unused") })}
	cfg := &config{}
	WithHTTPClient(custom)(cfg)
	WithProxy("http://proxy.example.com:3128")(cfg)
	WithInsecureSkipVerify()(cfg)
	err := cfg.transportConfig.validate()
	if err == nil || !strings.Contains(err.Error(), "WithProxy") || !strings.Contains(err.Error(), "WithInsecureSkipVerify") || !strings.Contains(err.Error(), "not an *http.Transport") {
		t.Errorf("got %v, want both options named with the reason", err)
	}
	if _, err := cfg.transportConfig.newHTTPClient(nil); err == nil {
		t.Error("newHTTPClient built a client despite the conflict")
	}
}

func TestTheDefaultBaseTransportHasBoundedConnectionPhases(t *testing.T) {
	tc := &transportConfig{}
	tr, ok := tc.baseTransport(discardLogger).(*http.Transport)
	if !ok {
		t.Fatalf("base transport is %T", tc.baseTransport(discardLogger))
	}
	if tr.TLSHandshakeTimeout != defaultTLSHandshakeTimeout || tr.ResponseHeaderTimeout != defaultResponseHeaderTimeout ||
		tr.DialContext == nil || tr.Proxy == nil || tr.MaxIdleConnsPerHost != defaultMaxIdleConnsPerHost {
		t.Errorf("default transport settings: %+v", tr)
	}
	tc.timeouts = Timeouts{TLSHandshake: 3 * time.Second, ResponseHeader: 4 * time.Second}
	tr = tc.baseTransport(discardLogger).(*http.Transport)
	if tr.TLSHandshakeTimeout != 3*time.Second || tr.ResponseHeaderTimeout != 4*time.Second {
		t.Errorf("WithTimeouts not applied: TLS %v, header %v", tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout)
	}
}

func TestACallersHTTPClientIsUsedUnderneathAndLeftUnchanged(t *testing.T) {
	var used bool
	var mu sync.Mutex
	base := transportFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		used = true
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	jar, _ := cookiejar.New(nil)
	redirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	mine := &http.Client{Transport: base, Jar: jar, CheckRedirect: redirects, Timeout: 42 * time.Second}
	srv := newScripted(t, ok)
	hc, _ := buildPipeline(t, nil, WithHTTPClient(mine))
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !used {
		t.Error("the caller's transport was not used")
	}
	if hc.Jar != jar || hc.CheckRedirect == nil || hc.Timeout != 42*time.Second {
		t.Errorf("jar, redirect policy or timeout not carried over: %+v", hc)
	}
	if fmt.Sprintf("%T", mine.Transport) != "client.transportFunc" || mine.Timeout != 42*time.Second {
		t.Error("the caller's client was modified")
	}
}

func TestAProxyURLRoutesEveryRequestThroughTheProxy(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String()+" "+r.Header.Get("Proxy-Authorization"))
		mu.Unlock()
		io.WriteString(w, `{}`)
	}))
	defer proxy.Close()
	hc, _ := buildPipeline(t, nil, WithProxy("http://svc:pw@"+strings.TrimPrefix(proxy.URL, "http://")))
	resp, err := hc.Get("http://api-d.docusign.net.invalid/management/v2/organizations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 1 || !strings.HasPrefix(seen[0], "http://api-d.docusign.net.invalid/management/v2/organizations Basic ") {
		t.Errorf("proxy saw %q", seen)
	}
}

func TestInsecureSkipVerifyReachesASelfSignedServerAndWarnsOnce(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{}`) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake is expected
	srv.StartTLS()
	defer srv.Close()

	strict, _ := buildPipeline(t, nil, WithMaxAttempts(1))
	if _, err := strict.Get(srv.URL); err == nil {
		t.Fatal("a self-signed certificate was accepted without WithInsecureSkipVerify")
	}

	logs, logger := captureLogs(slog.LevelInfo)
	cfg := &config{}
	WithInsecureSkipVerify()(cfg)
	WithLogger(logger)(cfg)
	for range 2 { // New builds two clients from one config
		hc, err := cfg.transportConfig.newHTTPClient(nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatalf("insecure client: %v", err)
		}
		resp.Body.Close()
	}
	if n := strings.Count(logs.String(), "TLS certificate verification is disabled"); n != 1 || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Errorf("%d warnings, want 1:\n%s", n, logs)
	}
}

func TestMiddlewareWrapsThePipelineInTheOrderGiven(t *testing.T) {
	var mu sync.Mutex
	var order []string
	layer := func(name string) func(http.RoundTripper) http.RoundTripper {
		return func(next http.RoundTripper) http.RoundTripper {
			return transportFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				order = append(order, name)
				mu.Unlock()
				resp, err := next.RoundTrip(r)
				var apiErr *APIError
				if errors.As(err, &apiErr) {
					mu.Lock()
					order = append(order, name+" saw "+apiErr.Code)
					mu.Unlock()
				}
				return resp, err
			})
		}
	}
	srv := newScripted(t, status(503), status(404))
	hc, _ := buildPipeline(t, nil, WithMiddleware(layer("outer"), layer("inner")), noSleep(&sleepRecorder{}, RetryPolicy{}))
	hc.Get(srv.URL)
	if got := strings.Join(order, ", "); got != "outer, inner, inner saw E404, outer saw E404" {
		t.Errorf("order: %s (want each layer once per call, outside the retries)", got)
	}
}

func TestTheOverallTimeoutBoundsRetriesToo(t *testing.T) {
	srv := newScripted(t, status(503))
	hc, _ := buildPipeline(t, nil, WithTimeouts(Timeouts{Overall: 200 * time.Millisecond}),
		WithRetry(RetryPolicy{MaxAttempts: 100, InitialBackoff: 20 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}))
	_, err := hc.Get(srv.URL)
	if err == nil {
		t.Fatal("no error")
	}
	var apiErr *APIError
	if !errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &apiErr) {
		t.Errorf("got %v, want the deadline or the last 503", err)
	}
	if n := srv.attempts(); n >= 100 {
		t.Errorf("%d attempts: the overall timeout did not stop the retries", n)
	}
}

// BenchmarkPipelineOverhead compares a GET through the full pipeline (with
// a no-op auth layer and the default silent logger) against a bare
// http.Client on the same loopback server.
func BenchmarkPipelineOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-RateLimit-Limit", "1000")
		h.Set("X-RateLimit-Remaining", "999")
		h.Set("X-BurstLimit-Limit", "500")
		h.Set("X-BurstLimit-Remaining", "499")
		io.WriteString(w, `{"endCursor":"abc","data":[]}`)
	}))
	defer srv.Close()
	url := srv.URL + "/api/v2.0/datasets/monitor/stream?limit=1000"
	noAuth := func(next http.RoundTripper) http.RoundTripper { return next }
	run := func(b *testing.B, hc *http.Client) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := hc.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("bare", func(b *testing.B) {
		run(b, &http.Client{Transport: defaultTransport()})
	})
	b.Run("pipeline", func(b *testing.B) {
		hc, _ := buildPipeline(b, noAuth)
		run(b, hc)
	})
}
