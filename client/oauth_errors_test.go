package client

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func authResponse(status int, body string) *http.Response {
	u, _ := url.Parse("https://account-d.docusign.com/oauth/token?x=1")
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Request: &http.Request{URL: u}}
}

func TestNewAuthErrorParsesTheOAuthErrorBody(t *testing.T) {
	tests := []struct {
		name, body, code, desc string
		status                 int
	}{
		{"a plain code", `{"error":"consent_required"}`, "consent_required", "", 400},
		{"a code with description", `{"error":"invalid_grant","error_description":"expired assertion"}`, "invalid_grant", "expired assertion", 400},
		{"invalid_grant refined by description", `{"error":"invalid_grant","error_description":"user_not_found"}`, "user_not_found", "user_not_found", 400},
		{"an unknown code is kept", `{"error":"unsupported_grant_type"}`, "unsupported_grant_type", "", 400},
		{"a 401 without body is unauthorized", ``, "unauthorized", "", 401},
		{"HTML is summarised", "<h1>Service\n Unavailable</h1>", "", "<h1>Service Unavailable</h1>", 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAuthError(authResponse(tt.status, tt.body))
			if e.Code != tt.code || e.Description != tt.desc || e.StatusCode != tt.status {
				t.Errorf("got %+v", e)
			}
			if e.Endpoint != "https://account-d.docusign.com/oauth/token" {
				t.Errorf("Endpoint = %q (query must be dropped)", e.Endpoint)
			}
		})
	}
}

func TestAuthErrorMessagesExplainTheFix(t *testing.T) {
	tests := map[string]string{
		"consent_required":            "consent",
		"invalid_grant":               "clock",
		"no_valid_keys_or_signatures": "keypair",
		"issuer_not_found":            "Go-Live",
		"user_not_found":              "API Username",
	}
	for code, hint := range tests {
		msg := (&AuthError{Code: code, StatusCode: 400}).Error()
		if !strings.Contains(msg, code) || !strings.Contains(msg, hint) {
			t.Errorf("%s: message %q lacks the code or the hint %q", code, msg, hint)
		}
	}
}

func TestAuthErrorIsMatchesOnlyItsSentinels(t *testing.T) {
	e := &AuthError{Code: "unsupported_grant_type"}
	for _, s := range []error{ErrConsentRequired, ErrInvalidGrant, ErrInvalidKey, ErrUnknownIssuer, ErrUserNotFound} {
		if errors.Is(e, s) {
			t.Errorf("unsupported_grant_type matches %v", s)
		}
	}
}

func TestExcerptShortensOnRuneBoundaries(t *testing.T) {
	s := excerpt(strings.Repeat("é", 150), 201)
	if !strings.HasSuffix(s, "...") || strings.ContainsRune(s, '\uFFFD') || len(s) > 204 {
		t.Errorf("excerpt = %q", s)
	}
}
