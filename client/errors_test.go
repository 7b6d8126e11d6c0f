package client

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestErrorBodiesOfEveryAPIShapeYieldCodeAndMessage(t *testing.T) {
	long := strings.Repeat("x", 2000)
	tests := []struct {
		name        string
		contentType string
		body        string
		code, msg   string
		decodeErr   bool
	}{
		{"eSignature errorCode and message", "application/json; charset=utf-8",
			`{"errorCode":"USER_LACKS_PERMISSIONS","message":"This user lacks sufficient permissions."}`,
			"USER_LACKS_PERMISSIONS", "This user lacks sufficient permissions.", false},
		{"Admin and OAuth error and error_description", "application/json",
			`{"error":"consent_required","error_description":"The user has not consented."}`,
			"consent_required", "The user has not consented.", false},
		{"OAuth error without description", "application/json", `{"error":"invalid_grant"}`, "invalid_grant", "", false},
		{"nested error object", "application/json", `{"error":{"code":"bad_cursor","message":"cursor is invalid"}}`, "bad_cursor", "cursor is invalid", false},
		{"JSON of unknown shape is kept raw", "application/json", `{"status":"broken"}`, "", `{"status":"broken"}`, false},
		{"plain text is kept raw", "text/plain", "upstream connect error", "", "upstream connect error", false},
		{"long plain text is truncated to 512 bytes", "text/plain", long, "", long[:512] + "...", false},
		{"HTML from a proxy says so and keeps the title", "text/html",
			"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
			"", `response body is HTML, expected JSON (a proxy or gateway answered?): "502 Bad Gateway"`, true},
		{"HTML labelled as JSON is still HTML, summarised by its text", "application/json", "<!DOCTYPE html><html><body>denied</body></html>",
			"", `response body is HTML, expected JSON (a proxy or gateway answered?): "denied"`, true},
		{"truncated JSON says so", "application/json", `{"errorCode":"ENVELOPE_DOES_NOT_EXI`, "", reasonTruncated, true},
		{"malformed JSON says so", "application/json", `{"errorCode": oops}`, "", reasonInvalid, true},
		{"empty body gives no code or message", "application/json", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg, de := parseErrorBody(tt.contentType, []byte(tt.body))
			if code != tt.code || msg != tt.msg {
				t.Errorf("got code %q message %q, want %q %q", code, msg, tt.code, tt.msg)
			}
			if (de != nil) != tt.decodeErr {
				t.Errorf("decode error %v, want one: %v", de, tt.decodeErr)
			}
		})
	}
}

func TestEveryNonSuccessResponseBecomesAnAPIErrorReachableWithErrorsAs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-DocuSign-TraceToken", "trace-123")
		w.Header().Set("X-Request-Id", "req-9")
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", "998")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"errorCode":"ENVELOPE_DOES_NOT_EXIST","message":"The envelope does not exist."}`)
	}))
	defer srv.Close()
	hc, _ := buildPipeline(t, nil)

	resp, err := hc.Get(srv.URL + "/restapi/v2.1/accounts/1/envelopes/2?include=recipients")
	if resp != nil {
		t.Fatalf("got a response with status %d, want an error", resp.StatusCode)
	}
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		t.Fatalf("error %T is not wrapped in *url.Error", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v does not unwrap to *APIError", err)
	}
	want := APIError{StatusCode: 404, Method: "GET", URL: srv.URL + "/restapi/v2.1/accounts/1/envelopes/2?include=recipients",
		Code: "ENVELOPE_DOES_NOT_EXIST", Message: "The envelope does not exist.", TraceToken: "trace-123", RequestID: "req-9"}
	if apiErr.StatusCode != want.StatusCode || apiErr.Method != want.Method || apiErr.URL != want.URL ||
		apiErr.Code != want.Code || apiErr.Message != want.Message || apiErr.TraceToken != want.TraceToken || apiErr.RequestID != want.RequestID {
		t.Errorf("got %+v\nwant %+v", *apiErr, want)
	}
	if apiErr.Rate.Limit != 1000 || apiErr.Rate.Remaining != 998 {
		t.Errorf("rate %+v, want 998/1000", apiErr.Rate)
	}
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrThrottled) || errors.Is(err, ErrUnauthorized) {
		t.Errorf("errors.Is: NotFound %v Throttled %v Unauthorized %v", errors.Is(err, ErrNotFound), errors.Is(err, ErrThrottled), errors.Is(err, ErrUnauthorized))
	}
	for _, part := range []string{"GET", "/restapi/v2.1/accounts/1/envelopes/2", "404 Not Found", "ENVELOPE_DOES_NOT_EXIST", "The envelope does not exist.", "trace-123"} {
		if !strings.Contains(apiErr.Error(), part) {
			t.Errorf("Error() = %q lacks %q", apiErr.Error(), part)
		}
	}
}

func TestSentinelsMatchByStatusAndCode(t *testing.T) {
	tests := []struct {
		name   string
		err    *APIError
		target error
		want   bool
	}{
		{"404 is not found", &APIError{StatusCode: 404}, ErrNotFound, true},
		{"401 is unauthorized", &APIError{StatusCode: 401}, ErrUnauthorized, true},
		{"403 is forbidden", &APIError{StatusCode: 403}, ErrForbidden, true},
		{"429 is throttled", &APIError{StatusCode: 429}, ErrThrottled, true},
		{"400 hourly limit code is throttled", &APIError{StatusCode: 400, Code: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED"}, ErrThrottled, true},
		{"400 burst limit code is throttled", &APIError{StatusCode: 400, Code: "BURST_APIINVOCATION_LIMIT_EXCEEDED"}, ErrThrottled, true},
		{"400 lower-case limit code (Admin, Monitor) is throttled", &APIError{StatusCode: 400, Code: "hourly_apiinvocation_limit_exceeded"}, ErrThrottled, true},
		{"400 other code is not throttled", &APIError{StatusCode: 400, Code: "INVALID_REQUEST_PARAMETER"}, ErrThrottled, false},
		{"consent_required matches the auth sentinel", &APIError{StatusCode: 400, Code: "consent_required"}, ErrConsentRequired, true},
		{"500 is none of them", &APIError{StatusCode: 500}, ErrNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Errorf("errors.Is(%v, %v) = %v, want %v", tt.err, tt.target, got, tt.want)
			}
		})
	}
}

func TestAnHTMLErrorPageUnwrapsToADecodeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<html><head><title>Access denied</title></head></html>")
	}))
	defer srv.Close()
	hc, _ := buildPipeline(t, nil)
	_, err := hc.Get(srv.URL + "/management/v2/organizations")
	var apiErr *APIError
	var de *DecodeError
	if !errors.As(err, &apiErr) || !errors.As(err, &de) {
		t.Fatalf("error %v: want *APIError wrapping *DecodeError", err)
	}
	if !errors.Is(err, ErrForbidden) {
		t.Error("a 403 HTML page does not match ErrForbidden")
	}
	if !strings.Contains(err.Error(), "response body is HTML, expected JSON (a proxy or gateway answered?)") || !strings.Contains(err.Error(), "Access denied") {
		t.Errorf("error %q does not explain the HTML body", err)
	}
	if de.StatusCode != 403 || de.ContentType != "text/html" {
		t.Errorf("decode error %+v", de)
	}
}

func TestASuccessfulHTMLPageOnAJSONAPIIsADecodeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><body>Please log in to the proxy</body></html>")
	}))
	defer srv.Close()
	hc, _ := buildPipeline(t, nil)

	_, err := hc.Get(srv.URL + "/api/v2.0/datasets/monitor/stream")
	var de *DecodeError
	if !errors.As(err, &de) || de.Reason != reasonHTML || de.StatusCode != 200 {
		t.Fatalf("got %v, want a DecodeError saying the body is HTML", err)
	}

	// A caller that asks for HTML gets it.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/page", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("Accept: text/html request failed: %v", err)
	}
	resp.Body.Close()
}

func TestRedirectsAreFollowedAndOnlyTheFinalResponseCounts(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{}`) })
	mux.HandleFunc("/nowhere", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusMultipleChoices) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hc, _ := buildPipeline(t, nil)

	resp, err := hc.Get(srv.URL + "/old")
	if err != nil {
		t.Fatalf("redirect: %v", err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/new" {
		t.Errorf("ended at %s, want /new", resp.Request.URL.Path)
	}
	_, err = hc.Get(srv.URL + "/nowhere")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 300 {
		t.Errorf("a 3xx without Location gave %v, want *APIError 300", err)
	}
}

func TestDecodeJSONExplainsBodiesThatAreNotJSON(t *testing.T) {
	type page struct {
		EndCursor string `json:"endCursor"`
		Data      []int  `json:"data"`
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		reason      string
	}{
		{"valid JSON decodes", "application/json", `{"endCursor":"c1","data":[1,2]}`, ""},
		{"HTML page", "text/html", "<html><title>Gateway Timeout</title></html>", reasonHTML},
		{"HTML labelled JSON", "application/json", "  <!doctype html><html></html>", reasonHTML},
		{"XML", "application/xml", `<?xml version="1.0"?><error/>`, reasonXML},
		{"empty body", "application/json", "", reasonEmpty},
		{"truncated JSON", "application/json", `{"endCursor":"c1","data":[1,`, reasonTruncated},
		{"malformed JSON", "application/json", `{"endCursor":"c1",}`, reasonInvalid},
		{"wrong shape", "application/json", `{"endCursor":5}`, reasonShape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://lens-d.docusign.net/api/v2.0/datasets/monitor/stream?cursor=abc", nil)
			resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {tt.contentType}},
				Body: io.NopCloser(strings.NewReader(tt.body)), Request: req}
			var p page
			err := DecodeJSON(resp, &p)
			if tt.reason == "" {
				if err != nil || p.EndCursor != "c1" || len(p.Data) != 2 {
					t.Fatalf("DecodeJSON = %v, %+v", err, p)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("DecodeJSON = %v (%T), want *DecodeError", err, err)
			}
			if de.Reason != tt.reason || de.Method != "GET" || de.StatusCode != 200 || !strings.Contains(err.Error(), "/api/v2.0/datasets/monitor/stream") {
				t.Errorf("got %+v (%q), want reason %q", de, err, tt.reason)
			}
		})
	}
}

func TestDecodeJSONReportsABodyCutOffMidStream(t *testing.T) {
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(io.MultiReader(strings.NewReader(`{"data":[`), errReaderOf(io.ErrUnexpectedEOF)))}
	var v map[string]any
	err := DecodeJSON(resp, &v)
	var de *DecodeError
	if !errors.As(err, &de) || de.Reason != reasonRead || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want a read DecodeError wrapping io.ErrUnexpectedEOF", err)
	}
}

func TestErrorDetailsNeverIncludeSecretsFromTheURL(t *testing.T) {
	u, _ := url.Parse("https://user:hunter2@proxy.example.com/oauth/token?access_token=SECRET-AT&code=SECRET-CODE&count=5")
	got := redactURL(u)
	for _, secret := range []string{"hunter2", "SECRET-AT", "SECRET-CODE"} {
		if strings.Contains(got, secret) {
			t.Errorf("redactURL = %q leaks %q", got, secret)
		}
	}
	if !strings.Contains(got, "count=5") || !strings.Contains(got, "/oauth/token") {
		t.Errorf("redactURL = %q dropped the harmless parts", got)
	}
}

func TestAPIErrorKeepsTheServerRequestedWait(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	hc, _ := buildPipeline(t, nil, WithMaxAttempts(1))
	_, err := hc.Get(srv.URL)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour || !apiErr.Temporary() {
		t.Fatalf("got %v, want a temporary 429 APIError with RetryAfter 1h", err)
	}
}

// errReaderOf returns a reader failing with err.
func errReaderOf(err error) io.Reader { return &errReader{err: err} }

func TestTruncateTextCutsOnRuneBoundariesAndKeepsItPrintable(t *testing.T) {
	if s := truncateText([]byte(strings.Repeat("é", 150)), 201); !strings.HasSuffix(s, "...") || strings.ContainsRune(s, '\uFFFD') || len(s) > 204 {
		t.Errorf("truncateText = %q", s)
	}
	if s := truncateText([]byte("a\tb\x00c\xffd"), 50); s != "a b c\uFFFDd" {
		t.Errorf("truncateText = %q", s)
	}
}
