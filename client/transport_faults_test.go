package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// fakeSetup is a Client pointed at the fake DocuSign, whose retry waits
// advance the fake's clock instead of sleeping.
type fakeSetup struct {
	srv *docusigntest.Server
	c   *client.Client

	mu    sync.Mutex
	waits []time.Duration
}

func newFakeSetup(t *testing.T, srvOpts []docusigntest.Option, policy client.RetryPolicy, opts ...client.Option) *fakeSetup {
	t.Helper()
	f := &fakeSetup{srv: docusigntest.NewServer(append([]docusigntest.Option{docusigntest.WithUsers(20), docusigntest.WithEvents(50), docusigntest.WithEnvelopes(5)}, srvOpts...)...)}
	t.Cleanup(f.srv.Close)
	policy.Sleep = func(ctx context.Context, d time.Duration) error {
		f.mu.Lock()
		f.waits = append(f.waits, d)
		f.mu.Unlock()
		f.srv.Advance(d)
		return ctx.Err()
	}
	base := []client.Option{
		client.WithEnvironment(f.srv.Environment()),
		client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: f.srv.AccessToken(), Expiry: time.Now().Add(time.Hour)})),
		client.WithRetry(policy),
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	return f
}

func (f *fakeSetup) recordedWaits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

func (f *fakeSetup) get(t *testing.T, path string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.c.Do(req)
}

func (f *fakeSetup) usersPath() string {
	return "/restapi/v2.1/accounts/" + f.srv.DefaultAccountID() + "/users"
}

func TestTheFakesErrorShapesBecomeAPIErrors(t *testing.T) {
	f := newFakeSetup(t, nil, client.RetryPolicy{})
	noScope := f.srv.IssueToken(f.srv.DefaultUserID(), "signature")
	tests := []struct {
		name   string
		path   string
		token  string
		status int
		code   string
		is     error
	}{
		{"eSignature errorCode", "/restapi/v2.1/accounts/" + f.srv.DefaultAccountID() + "/envelopes/00000000-0000-0000-0000-000000000000", "", 404, "", client.ErrNotFound},
		{"Monitor error without the scope", "/api/v2.0/datasets/monitor/stream", noScope, 403, "insufficient_scope", client.ErrForbidden},
		{"Monitor error with a bad token", "/api/v2.0/datasets/monitor/stream", "not-a-token", 401, "invalid_token", client.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, f.srv.URL()+tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token) // an explicit header wins over the Client's token
			}
			_, err := f.c.Do(req)
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v, want *APIError", err)
			}
			if apiErr.StatusCode != tt.status || (tt.code != "" && apiErr.Code != tt.code) || apiErr.Code == "" || apiErr.TraceToken == "" || !errors.Is(err, tt.is) {
				t.Errorf("got %+v", apiErr)
			}
		})
	}
}

func TestInjectedFaultsAreRetriedOrReportedClearly(t *testing.T) {
	tests := []struct {
		name         string
		fault        docusigntest.Fault
		wantRequests int
		attemptTTL   time.Duration
		check        func(t *testing.T, resp *http.Response, err error)
	}{
		{"429 with Retry-After is waited out",
			docusigntest.Fault{Status: 429, Header: http.Header{"Retry-After": {"3"}}}, 2, 0, succeeded},
		{"a burst of 502 503 504 ends in success",
			docusigntest.Fault{Status: 503, Count: 3}, 4, 0, succeeded},
		{"a dropped connection is retried for GET",
			docusigntest.Fault{DropConnection: true}, 2, 0, succeeded},
		{"a slow attempt is abandoned and retried",
			docusigntest.Fault{Delay: time.Minute}, 2, time.Second, succeeded},
		{"HTML from a gateway, every time, is reported as HTML",
			docusigntest.Fault{HTML: true, Count: -1}, 4, 0, func(t *testing.T, _ *http.Response, err error) {
				var apiErr *client.APIError
				var de *client.DecodeError
				if !errors.As(err, &apiErr) || !errors.As(err, &de) || apiErr.StatusCode != 502 ||
					!strings.Contains(err.Error(), "response body is HTML, expected JSON (a proxy or gateway answered?)") {
					t.Errorf("got %v", err)
				}
			}},
		{"a truncated body is reported as truncated JSON",
			docusigntest.Fault{Truncate: true}, 1, 0, decodeFails("response body is truncated JSON")},
		{"a malformed body is reported as invalid JSON",
			docusigntest.Fault{Malformed: true}, 1, 0, decodeFails("response body is not valid JSON")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSetup(t, nil, client.RetryPolicy{}, client.WithTimeouts(client.Timeouts{Attempt: tt.attemptTTL}))
			tt.fault.PathPrefix = f.usersPath()
			f.srv.InjectFault(tt.fault)
			resp, err := f.get(t, f.usersPath())
			tt.check(t, resp, err)
			if n := len(f.srv.RequestsTo(f.usersPath())); n != tt.wantRequests {
				t.Errorf("%d requests reached the server, want %d", n, tt.wantRequests)
			}
		})
	}
}

func succeeded(t *testing.T, resp *http.Response, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("call failed: %v", err)
	}
	var page struct {
		Users []json.RawMessage `json:"users"`
	}
	if err := client.DecodeJSON(resp, &page); err != nil || len(page.Users) == 0 {
		t.Errorf("decoding the page: %v (%d users)", err, len(page.Users))
	}
}

func decodeFails(reason string) func(t *testing.T, resp *http.Response, err error) {
	return func(t *testing.T, resp *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("the HTTP exchange failed: %v", err)
		}
		var v map[string]any
		err = client.DecodeJSON(resp, &v)
		var de *client.DecodeError
		if !errors.As(err, &de) || !strings.Contains(de.Reason, reason) {
			t.Errorf("got %v, want a DecodeError saying %q", err, reason)
		}
	}
}

func TestRealThrottlingIsWaitedOutOrReturned(t *testing.T) {
	t.Run("a 429 burst limit is waited out", func(t *testing.T) {
		f := newFakeSetup(t, []docusigntest.Option{docusigntest.WithRateLimit(1000, 2)}, client.RetryPolicy{})
		for i := range 3 {
			resp, err := f.get(t, f.usersPath())
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			resp.Body.Close()
		}
		if f.srv.ThrottledRequests() != 1 || len(f.recordedWaits()) != 1 {
			t.Errorf("%d throttled, waits %v; want one throttled call waited out", f.srv.ThrottledRequests(), f.recordedWaits())
		}
	})
	t.Run("a legacy 400 hourly limit is returned as throttled with the rate", func(t *testing.T) {
		f := newFakeSetup(t, []docusigntest.Option{
			docusigntest.WithRateLimit(1, 100), docusigntest.WithThrottleStyle(docusigntest.ThrottleLegacy400),
			// The fake's clock runs an hour ahead, so its hourly reset is
			// always more than an hour after the client's clock, whatever
			// the minute the test runs at.
			docusigntest.WithStartTime(time.Now().Add(time.Hour)),
		}, client.RetryPolicy{})
		resp, err := f.get(t, f.usersPath())
		if err != nil {
			t.Fatal(err)
		}
		if r := client.RateFromResponse(resp); r.Limit != 1 || r.Remaining != 0 {
			t.Errorf("rate after the first call %+v, want 0/1", r)
		}
		resp.Body.Close()
		_, err = f.get(t, f.usersPath())
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrThrottled) || apiErr.StatusCode != 400 ||
			apiErr.Code != "HOURLY_APIINVOCATION_LIMIT_EXCEEDED" || !apiErr.Rate.HourlyExhausted() {
			t.Fatalf("got %v, want a throttled 400 APIError with the exhausted rate", err)
		}
		if len(f.recordedWaits()) != 0 {
			t.Errorf("waited %v for a reset most of an hour away", f.recordedWaits())
		}
	})
	t.Run("a legacy 400 burst limit is backed off until the window passes", func(t *testing.T) {
		f := newFakeSetup(t, []docusigntest.Option{docusigntest.WithRateLimit(1000, 1), docusigntest.WithThrottleStyle(docusigntest.ThrottleLegacy400)},
			client.RetryPolicy{InitialBackoff: 30 * time.Second, MaxBackoff: 30 * time.Second})
		for i := range 2 {
			resp, err := f.get(t, f.usersPath())
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			resp.Body.Close()
		}
		if f.srv.ThrottledRequests() == 0 {
			t.Error("the fake never throttled: the test proves nothing")
		}
	})
}

func TestThrottledAdminAndMonitorCallsAreRecognisedInTheirOwnErrorShape(t *testing.T) {
	for _, style := range []docusigntest.ThrottleStyle{docusigntest.Throttle429, docusigntest.ThrottleLegacy400} {
		t.Run(style.String(), func(t *testing.T) {
			f := newFakeSetup(t, []docusigntest.Option{docusigntest.WithRateLimit(1000, 1), docusigntest.WithThrottleStyle(style)},
				client.RetryPolicy{MaxAttempts: 1})
			for _, path := range []string{
				"/management/v2/organizations/" + f.srv.OrgID() + "/users?account_id=" + f.srv.DefaultAccountID(),
				"/api/v2.0/datasets/monitor/stream?limit=1",
			} {
				f.srv.ResetRateLimits()
				resp, err := f.get(t, path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				_, err = f.get(t, path)
				var apiErr *client.APIError
				if !errors.As(err, &apiErr) || !errors.Is(err, client.ErrThrottled) || !strings.EqualFold(apiErr.Code, docusigntest.CodeBurstLimit) {
					t.Errorf("%s: got %v, want a throttled APIError carrying the burst code", path, err)
				}
			}
		})
	}
}

func TestCreatesAreRetriedOnlyWithOptInAndReplayTheSameBody(t *testing.T) {
	body := `{"emailSubject":"Quarterly access review","status":"sent","documents":[{"documentId":"1","name":"review.txt","fileExtension":"txt","documentBase64":"UmV2aWV3IHRoZSBsaXN0Lg=="}],"recipients":{"signers":[{"email":"a@example.com","name":"A","recipientId":"1"}]}}`
	create := func(f *fakeSetup, ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL()+"/restapi/v2.1/accounts/"+f.srv.DefaultAccountID()+"/envelopes", io.MultiReader(strings.NewReader(body)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := f.c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	t.Run("without opt-in a dropped connection is not retried", func(t *testing.T) {
		f := newFakeSetup(t, nil, client.RetryPolicy{})
		f.srv.InjectFault(docusigntest.Fault{Method: "POST", DropConnection: true})
		if err := create(f, context.Background()); err == nil {
			t.Fatal("the create succeeded")
		}
		if n := len(f.srv.RequestsTo("/restapi/v2.1/accounts/" + f.srv.DefaultAccountID() + "/envelopes")); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("with opt-in it is retried with an identical body", func(t *testing.T) {
		f := newFakeSetup(t, nil, client.RetryPolicy{})
		f.srv.InjectFault(docusigntest.Fault{Method: "POST", Status: 503, Count: 2})
		if err := create(f, client.WithRetryNonIdempotent(context.Background())); err != nil {
			t.Fatalf("the create failed: %v", err)
		}
		reqs := f.srv.RequestsTo("/restapi/v2.1/accounts/" + f.srv.DefaultAccountID() + "/envelopes")
		if len(reqs) != 3 {
			t.Fatalf("%d requests, want 3", len(reqs))
		}
		for i, r := range reqs {
			if !bytes.Equal(r.Body, []byte(body)) {
				t.Errorf("attempt %d sent %q", i+1, r.Body)
			}
		}
	})
}

func TestCancellingDuringABackoffAgainstTheFakeReturnsTheContextError(t *testing.T) {
	srv := docusigntest.NewServer(docusigntest.WithUsers(5))
	defer srv.Close()
	srv.InjectFault(docusigntest.Fault{Status: 503, Count: -1})
	ctx, cancel := context.WithCancel(context.Background())
	// The default sleep with a ten-minute backoff, cancelled as it starts:
	// only honouring the cancellation lets the call return.
	var waits []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		cancel()
		return client.DefaultRetryPolicy().Sleep(ctx, d)
	}
	c, err := client.New(client.WithEnvironment(srv.Environment()),
		client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: srv.AccessToken(), Expiry: time.Now().Add(time.Hour)})),
		client.WithRetry(client.RetryPolicy{InitialBackoff: 10 * time.Minute, MaxBackoff: 10 * time.Minute, Sleep: sleep}))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.Environment().ESignatureURL+"/v2.1/accounts/"+srv.DefaultAccountID(), nil)
	_, err = c.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if len(waits) != 1 || waits[0] < 5*time.Minute {
		t.Errorf("waits %v, want the one backoff of 5 to 10 minutes that was cut short", waits)
	}
	if n := len(srv.RequestsTo("/restapi/")); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestNoSecretReachesTheLogsOfAJWTAuthenticatedClient(t *testing.T) {
	srv := docusigntest.NewServer(docusigntest.WithUsers(5), docusigntest.WithEvents(10))
	defer srv.Close()
	in := srv.NewIntegration()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(in.Key), client.WithUserID(in.UserID),
		client.WithPrivateKey(in.PrivateKeyPEM()), client.WithLogger(logger),
		client.WithRetry(client.RetryPolicy{InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(docusigntest.Fault{PathPrefix: "/api/", Status: 503})
	req, _ := http.NewRequest(http.MethodGet, srv.Environment().MonitorURL+"/api/v2.0/datasets/monitor/stream?limit=5", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tok, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	pemBody := strings.Split(string(in.PrivateKeyPEM()), "\n")[1]
	for name, secret := range map[string]string{"access token": tok.AccessToken, "private key": pemBody, "JWT (assertion)": "eyJ"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains the %s", name)
		}
	}
	if !strings.Contains(out, `"status":503`) || !strings.Contains(out, "/api/v2.0/datasets/monitor/stream") {
		t.Errorf("the attempts were not logged:\n%s", out)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
