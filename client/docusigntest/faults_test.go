package docusigntest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// try sends a GET and reports the transport error instead of failing. It
// uses a fresh connection per request: net/http silently retries an
// idempotent request once when a reused connection drops, which would spend
// two DropConnection faults on one call.
func try(srv *Server, path, tok string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("GET", srv.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func TestEachFaultFiresExactlyCountTimes(t *testing.T) {
	srv := newTestServer(t, WithEvents(50))
	tok := srv.AccessToken()
	monitor := "/api/v2.0/datasets/monitor/stream"
	esign := "/restapi/v2.1/accounts/" + srv.DefaultAccountID()
	tests := []struct {
		name  string
		fault Fault
		path  string
		check func(t *testing.T, res *http.Response, body []byte, err error)
	}{
		{"a 503 burst", Fault{PathPrefix: monitor, Count: 3, Status: 503}, monitor, func(t *testing.T, res *http.Response, body []byte, err error) {
			if err != nil || res.StatusCode != 503 || !strings.Contains(string(body), `"error"`) {
				t.Errorf("got %v %s", err, body)
			}
		}},
		{"a 500 in eSignature shape", Fault{PathPrefix: esign, Count: 2, Status: 500}, esign, func(t *testing.T, res *http.Response, body []byte, err error) {
			var e esignError
			if err != nil || res.StatusCode != 500 || json.Unmarshal(body, &e) != nil || e.ErrorCode == "" {
				t.Errorf("got %v %s", err, body)
			}
		}},
		{"a 429 with Retry-After", Fault{PathPrefix: esign, Count: 2, Status: 429}, esign, func(t *testing.T, res *http.Response, body []byte, err error) {
			if err != nil || res.StatusCode != 429 || res.Header.Get("Retry-After") != "1" {
				t.Errorf("got %v %v", err, res)
			}
		}},
		{"a custom body and header", Fault{PathPrefix: esign, Count: 1, Status: 400, Body: `{"errorCode":"X"}`, Header: http.Header{"X-Test": {"1"}}}, esign,
			func(t *testing.T, res *http.Response, body []byte, err error) {
				if err != nil || string(body) != `{"errorCode":"X"}` || res.Header.Get("X-Test") != "1" {
					t.Errorf("got %v %s", err, body)
				}
			}},
		{"a truncated body", Fault{PathPrefix: monitor, Count: 2, Truncate: true}, monitor, func(t *testing.T, res *http.Response, body []byte, err error) {
			var v any
			if err != nil || res.StatusCode != 200 || res.ContentLength != int64(len(body)) || json.Unmarshal(body, &v) == nil {
				t.Errorf("got %v status %v length %d/%d", err, res.StatusCode, res.ContentLength, len(body))
			}
		}},
		{"a malformed body", Fault{PathPrefix: esign, Count: 2, Malformed: true}, esign, func(t *testing.T, res *http.Response, body []byte, err error) {
			var v any
			if err != nil || res.StatusCode != 200 || json.Unmarshal(body, &v) == nil {
				t.Errorf("got %v %s", err, body)
			}
		}},
		{"an HTML proxy page", Fault{PathPrefix: esign, Count: 2, HTML: true}, esign, func(t *testing.T, res *http.Response, body []byte, err error) {
			if err != nil || res.StatusCode != 502 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
				res.Header.Get("X-DocuSign-TraceToken") != "" || !strings.Contains(string(body), "<html>") {
				t.Errorf("got %v %v %s", err, res, body)
			}
		}},
		{"a dropped connection", Fault{PathPrefix: esign, Count: 2, DropConnection: true}, esign, func(t *testing.T, res *http.Response, body []byte, err error) {
			if err == nil {
				t.Errorf("got a response %v", res.Status)
			}
		}},
		{"latency only", Fault{PathPrefix: esign, Count: 2, Delay: 20 * time.Millisecond}, esign, func(t *testing.T, res *http.Response, body []byte, err error) {
			if err != nil || res.StatusCode != 200 {
				t.Errorf("got %v %v", err, res)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ClearFaults()
			f := srv.InjectFault(tt.fault)
			for i := 0; i < tt.fault.Count; i++ {
				res, body, err := try(srv, tt.path, tok)
				tt.check(t, res, body, err)
			}
			res, body, err := try(srv, tt.path, tok)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("request after %d faults: %v %s", tt.fault.Count, err, body)
			}
			if f.Fired() != tt.fault.Count || f.Remaining() != 0 {
				t.Errorf("Fired %d Remaining %d, want %d and 0", f.Fired(), f.Remaining(), tt.fault.Count)
			}
		})
	}
}

func TestFaultsMatchMethodPathAndMatcher(t *testing.T) {
	srv := newTestServer(t)
	tok := srv.AccessToken()
	acct := "/restapi/v2.1/accounts/" + srv.DefaultAccountID()
	f := srv.InjectFault(Fault{Method: "POST", PathPrefix: "/restapi/", Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/envelopes") }, Status: 503})
	wantStatus(t, get(t, srv, acct, tok), 200)
	wantStatus(t, get(t, srv, acct+"/envelopes?from_date=2024-01-01", tok), 200)
	wantStatus(t, do(t, srv, "POST", acct+"/envelopes", tok, strings.NewReader(`{"documents":[{"documentId":"1"}]}`)), 503)
	wantStatus(t, do(t, srv, "POST", acct+"/envelopes", tok, strings.NewReader(`{"documents":[{"documentId":"1"}]}`)), 201)
	if f.Fired() != 1 {
		t.Errorf("Fired %d, want 1", f.Fired())
	}
	// Faults apply before authentication, as an outage does.
	srv.FailNext("/oauth/token", 1, 500)
	wantStatus(t, postForm(t, srv, "/oauth/token", nil), 500)
	if srv.TokenRequests() != 1 {
		t.Errorf("TokenRequests = %d, want 1", srv.TokenRequests())
	}
}

func TestProcessFirstCommitsBeforeTheResponseIsLost(t *testing.T) {
	srv := newTestServer(t, WithEnvelopes(0))
	tok := srv.AccessToken()
	path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes"
	srv.InjectFault(Fault{Method: "POST", PathPrefix: path, ProcessFirst: true, DropConnection: true})
	req, _ := http.NewRequest("POST", srv.URL()+path, strings.NewReader(`{"status":"created","documents":[{"documentId":"1"}]}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	if res, err := srv.Client().Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("got %s, want a dropped connection", res.Status)
	}
	if n := srv.EnvelopeCount(srv.DefaultAccountID()); n != 1 {
		t.Errorf("%d envelopes after the lost reply, want 1 (created before the drop)", n)
	}
}

func TestUnlimitedFaultsFireUntilCleared(t *testing.T) {
	srv := newTestServer(t)
	f := srv.InjectFault(Fault{PathPrefix: "/oauth/userinfo", Count: -1, Status: 502})
	for i := 0; i < 5; i++ {
		wantStatus(t, get(t, srv, "/oauth/userinfo", srv.AccessToken()), 502)
	}
	if f.Remaining() != -1 || f.Fired() != 5 {
		t.Errorf("Remaining %d Fired %d", f.Remaining(), f.Fired())
	}
	f.Cancel()
	wantStatus(t, get(t, srv, "/oauth/userinfo", srv.AccessToken()), 200)
}

func TestDelayEndsWhenTheClientGivesUp(t *testing.T) {
	srv := newTestServer(t)
	srv.InjectFault(Fault{PathPrefix: "/oauth/userinfo", Delay: time.Hour})
	hc := srv.Client()
	hc.Timeout = 50 * time.Millisecond
	_, err := hc.Get(srv.URL() + "/oauth/userinfo")
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
	// Close must not wait for the hour.
	srv.Close()
}
