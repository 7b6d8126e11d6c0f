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
	u, _ := url.Parse("https://account-d.docusign.com/oauth/token?access_token=secret-value&x=1")
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
		{"invalid_grant refined to consent_required", `{"error":"invalid_grant","error_description":"consent_required"}`, "consent_required", "consent_required", 400},
		{"an unknown code is kept", `{"error":"unsupported_grant_type"}`, "unsupported_grant_type", "", 400},
		{"a 401 without body is unauthorized", ``, "unauthorized", "", 401},
		{"HTML is summarised", "<html><title>Service\n Unavailable</title></html>", "", reasonHTML + `: "Service  Unavailable"`, 503},
		{"plain text is kept, printable", "upstream\tconnect error", "", "upstream connect error", 502},
		{"an eSignature-shaped body is read too", `{"errorCode":"PARTNER_AUTHENTICATION_FAILED","message":"bad key"}`, "PARTNER_AUTHENTICATION_FAILED", "bad key", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAuthError(authResponse(tt.status, tt.body))
			if e.Code != tt.code || e.Description != tt.desc || e.StatusCode != tt.status {
				t.Errorf("got %+v", e)
			}
			if e.Endpoint != "https://account-d.docusign.com/oauth/token?access_token=xxxxx&x=1" {
				t.Errorf("Endpoint = %q (secret query values must be redacted)", e.Endpoint)
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

// TestInvalidGrantWithAConsentDescriptionIsConsentRequired: DocuSign
// answers a missing consent as invalid_grant with the description
// consent_required; callers must still find ErrConsentRequired (and the
// CLI its consent URL hint).
func TestInvalidGrantWithAConsentDescriptionIsConsentRequired(t *testing.T) {
	e := newAuthError(authResponse(400, `{"error":"invalid_grant","error_description":" consent_required "}`))
	if !errors.Is(e, ErrConsentRequired) || e.Code != codeConsentRequired {
		t.Fatalf("code %q: errors.Is(ErrConsentRequired) = %v, want true", e.Code, errors.Is(e, ErrConsentRequired))
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
