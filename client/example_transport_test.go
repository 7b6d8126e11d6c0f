package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dsgo/docusign/client"
)

// exampleServer stands in for DocuSign: handler answers every API call.
func exampleServer(handler http.HandlerFunc) (*httptest.Server, client.Environment) {
	srv := httptest.NewServer(handler)
	return srv, client.Environment{Name: "example", OAuthURL: srv.URL, ESignatureURL: srv.URL + "/restapi", AdminURL: srv.URL + "/management", MonitorURL: srv.URL}
}

// exampleToken skips the JWT grant: the examples are about the transport.
var exampleToken = client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: "example-token", Expiry: time.Now().Add(time.Hour)}))

// Every non-2xx answer of any DocuSign API is an *APIError: test for
// conditions with errors.Is and read details with errors.As.
func ExampleAPIError() {
	srv, env := exampleServer(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-DocuSign-TraceToken", "0b9c6e7a-trace")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errorCode":"ENVELOPE_DOES_NOT_EXIST","message":"The envelope specified either does not exist or you have no access to it."}`)
	})
	defer srv.Close()
	c, err := client.New(client.WithEnvironment(env), exampleToken)
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = c.HTTPClient().Get(env.ESignatureURL + "/v2.1/accounts/1/envelopes/42")
	if errors.Is(err, client.ErrNotFound) {
		fmt.Println("not found")
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.TraceToken)
	}
	// Output:
	// not found
	// 404 ENVELOPE_DOES_NOT_EXIST 0b9c6e7a-trace
}

// Creates are not retried unless the call opts in: here a lost reply is
// harmless, so the POST is retried after the 503.
func ExampleWithRetryNonIdempotent() {
	var calls atomic.Int32
	srv, env := exampleServer(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	defer srv.Close()
	c, err := client.New(client.WithEnvironment(env), exampleToken,
		client.WithRetry(client.RetryPolicy{InitialBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := client.WithRetryNonIdempotent(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, env.ESignatureURL+"/v2.1/accounts/1/envelopes", strings.NewReader(`{"status":"created"}`))
	resp, err := c.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, "after", calls.Load(), "attempts")
	// Output: 201 after 2 attempts
}

// The rate-limit headers of any response, e.g. one from a generated client.
func ExampleRateFromResponse() {
	resp := &http.Response{Header: http.Header{}}
	resp.Header.Set("X-RateLimit-Limit", "1000")
	resp.Header.Set("X-RateLimit-Remaining", "984")
	resp.Header.Set("X-RateLimit-Reset", "1735830000")
	resp.Header.Set("X-BurstLimit-Limit", "500")
	resp.Header.Set("X-BurstLimit-Remaining", "498")

	r := client.RateFromResponse(resp)
	fmt.Println(r)
	fmt.Println("hourly budget spent:", r.HourlyExhausted())
	// Output:
	// hourly 984/1000 (resets 2025-01-02T15:00:00Z), burst 498/500
	// hourly budget spent: false
}

// DecodeJSON says what a body really is when it is not the JSON expected,
// such as a proxy's HTML page.
func ExampleDecodeJSON() {
	resp := &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"text/html"}},
		Body:       io.NopCloser(strings.NewReader("<html><body>Sign in to the proxy</body></html>")),
	}
	var page struct {
		EndCursor string `json:"endCursor"`
	}
	err := client.DecodeJSON(resp, &page)
	fmt.Println(err)
	// Output: docusign: 200 response: response body is HTML, expected JSON (a proxy or gateway answered?) (Content-Type text/html)
}

// One log line per attempt, through any slog handler; here the time and
// duration are dropped to keep the output stable.
func ExampleWithLogger() {
	var calls atomic.Int32
	srv, env := exampleServer(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", "997")
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		io.WriteString(w, `{"endCursor":"c1","data":[]}`)
	})
	defer srv.Close()
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "retry_in" {
				return slog.Attr{}
			}
			return a
		},
	}))
	c, err := client.New(client.WithEnvironment(env), exampleToken, client.WithLogger(logger),
		client.WithRetry(client.RetryPolicy{InitialBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := c.HTTPClient().Get(env.MonitorURL + "/api/v2.0/datasets/monitor/stream?cursor=abc")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	// Output:
	// level=WARN msg="docusign: http attempt" method=GET path=/api/v2.0/datasets/monitor/stream attempt=1 status=502 rate_remaining=997 failure="502 Bad Gateway"
	// level=DEBUG msg="docusign: http attempt" method=GET path=/api/v2.0/datasets/monitor/stream attempt=2 status=200 rate_remaining=997
}

// A user layer around the pipeline sees each call once, after retries,
// with the final error.
func ExampleWithMiddleware() {
	srv, env := exampleServer(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":"insufficient_scope","error_description":"user_read is required"}`)
	})
	defer srv.Close()
	countErrors := func(next http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if errors.Is(err, client.ErrForbidden) {
				fmt.Println("metrics: forbidden", r.Method, r.URL.Path)
			}
			return resp, err
		})
	}
	c, err := client.New(client.WithEnvironment(env), exampleToken, client.WithMiddleware(countErrors))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.HTTPClient().Get(env.AdminURL + "/v2/organizations/o1/users")
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code+":", apiErr.Message)
	}
	// Output:
	// metrics: forbidden GET /management/v2/organizations/o1/users
	// insufficient_scope: user_read is required
}

// roundTripper adapts a function to http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
