package docusigntest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRateLimitsTriggerAtTheConfiguredBudget(t *testing.T) {
	tests := []struct {
		name           string
		style          ThrottleStyle
		hourly, burst  int
		wantStatus     int
		wantCode       string
		wantRetryAfter bool
	}{
		{"the burst budget answers 429 with Retry-After", Throttle429, 100, 5, 429, CodeBurstLimit, true},
		{"the hourly budget answers 429 with Retry-After", Throttle429, 5, 100, 429, CodeHourlyLimit, true},
		{"the legacy burst answer is 400 with the burst code", ThrottleLegacy400, 100, 5, 400, CodeBurstLimit, false},
		{"the legacy hourly answer is 400 with the hourly code", ThrottleLegacy400, 5, 100, 400, CodeHourlyLimit, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Date(2025, 1, 1, 10, 0, 1, 0, time.UTC)
			srv := newTestServer(t, WithRateLimit(tt.hourly, tt.burst), WithThrottleStyle(tt.style), WithClock(func() time.Time { return start }))
			tok := srv.AccessToken()
			path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID()
			for i := 1; i <= 5; i++ {
				r := get(t, srv, path, tok)
				wantStatus(t, r, http.StatusOK)
				if got := r.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(tt.hourly-i) {
					t.Errorf("call %d: X-RateLimit-Remaining %s, want %d", i, got, tt.hourly-i)
				}
				if got := r.header.Get("X-BurstLimit-Remaining"); got != strconv.Itoa(tt.burst-i) {
					t.Errorf("call %d: X-BurstLimit-Remaining %s, want %d", i, got, tt.burst-i)
				}
			}
			r := get(t, srv, path, tok)
			wantStatus(t, r, tt.wantStatus)
			if !strings.Contains(string(r.body), tt.wantCode) {
				t.Errorf("body %s, want %s", r.body, tt.wantCode)
			}
			ra := r.header.Get("Retry-After")
			if tt.wantRetryAfter {
				wantWait := "29" // burst window ends at 10:00:30
				if tt.wantCode == CodeHourlyLimit {
					wantWait = "3599"
				}
				if ra != wantWait {
					t.Errorf("Retry-After %q, want %s", ra, wantWait)
				}
			} else if ra != "" {
				t.Errorf("legacy style sent Retry-After %q", ra)
			}
			if got := r.header.Get("X-RateLimit-Reset"); got != strconv.FormatInt(start.Truncate(time.Hour).Add(time.Hour).Unix(), 10) {
				t.Errorf("X-RateLimit-Reset %s", got)
			}
			if srv.ThrottledRequests() != 1 {
				t.Errorf("ThrottledRequests = %d, want 1", srv.ThrottledRequests())
			}
		})
	}
}

func TestBurstBudgetRefillsInTheNextWindow(t *testing.T) {
	srv := newTestServer(t, WithRateLimit(1000, 2))
	tok := srv.AccessToken()
	path := "/api/v2.0/datasets/monitor/stream?limit=1"
	wantStatus(t, get(t, srv, path, tok), 200)
	wantStatus(t, get(t, srv, path, tok), 200)
	r := get(t, srv, path, tok)
	wantStatus(t, r, http.StatusTooManyRequests)
	var monitorErr oauthError
	r.decode(t, &monitorErr)
	if !strings.EqualFold(monitorErr.Code, CodeBurstLimit) || monitorErr.Description == "" {
		t.Errorf("Monitor throttle body %s, want Monitor's error shape {\"error\",\"error_description\"}", r.body)
	}
	// Another token has its own burst budget but shares the account's hour.
	r = get(t, srv, path, srv.AccessToken())
	wantStatus(t, r, 200)
	if r.header.Get("X-RateLimit-Remaining") != "997" {
		t.Errorf("hourly remaining %s, want 997", r.header.Get("X-RateLimit-Remaining"))
	}
	srv.Advance(burstWindow)
	wantStatus(t, get(t, srv, path, tok), 200)
}

func TestDefaultBudgetsNeverThrottleButSendHeaders(t *testing.T) {
	srv := newTestServer(t)
	tok := srv.AccessToken()
	var r response
	for i := 0; i < 50; i++ {
		r = get(t, srv, "/restapi/v2.1/accounts/"+srv.DefaultAccountID(), tok)
		wantStatus(t, r, 200)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-BurstLimit-Limit", "X-BurstLimit-Remaining"} {
		if r.header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if n, _ := strconv.Atoi(r.header.Get("X-BurstLimit-Remaining")); n < 1_000_000 {
		t.Errorf("default burst remaining %d is low enough to make a client pace itself", n)
	}
}

func TestSetRateLimitAndResetRateLimitsApplyAtOnce(t *testing.T) {
	srv := newTestServer(t)
	tok := srv.AccessToken()
	path := "/restapi/v2.1/accounts/" + srv.DefaultAccountID()
	srv.SetRateLimit(1, 10)
	wantStatus(t, get(t, srv, path, tok), 200)
	wantStatus(t, get(t, srv, path, tok), 429)
	srv.ResetRateLimits()
	wantStatus(t, get(t, srv, path, tok), 200)
}

func TestThrottledAnswersUseEachAPIsErrorShape(t *testing.T) {
	for _, style := range []ThrottleStyle{Throttle429, ThrottleLegacy400} {
		t.Run(style.String(), func(t *testing.T) {
			srv := newTestServer(t, WithRateLimit(1000, 1), WithThrottleStyle(style))
			tok := srv.AccessToken()
			for _, tt := range []struct {
				api, path string
				esign     bool
			}{
				{"eSignature", "/restapi/v2.1/accounts/" + srv.DefaultAccountID(), true},
				{"Admin", "/management/v2/organizations/" + srv.OrgID() + "/users?account_id=" + srv.DefaultAccountID(), false},
				{"Monitor", "/api/v2.0/datasets/monitor/stream?limit=1", false},
			} {
				srv.ResetRateLimits()
				wantStatus(t, get(t, srv, tt.path, tok), http.StatusOK)
				r := get(t, srv, tt.path, tok)
				if r.status != http.StatusTooManyRequests && r.status != http.StatusBadRequest {
					t.Fatalf("%s: status %d, want throttled", tt.api, r.status)
				}
				var body map[string]string
				r.decode(t, &body)
				if tt.esign && (body["errorCode"] != CodeBurstLimit || body["message"] == "" || body["error"] != "") {
					t.Errorf("%s: body %s, want {\"errorCode\",\"message\"}", tt.api, r.body)
				}
				if !tt.esign && (!strings.EqualFold(body["error"], CodeBurstLimit) || body["error_description"] == "" || body["errorCode"] != "") {
					t.Errorf("%s: body %s, want {\"error\",\"error_description\"}", tt.api, r.body)
				}
			}
		})
	}
}
