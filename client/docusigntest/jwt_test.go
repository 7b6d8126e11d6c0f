package docusigntest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tokenRequest posts a JWT grant with the given assertion.
func tokenRequest(t *testing.T, srv *Server, assertion string) response {
	t.Helper()
	return postForm(t, srv, "/oauth/token", url.Values{"grant_type": {jwtGrantType}, "assertion": {assertion}})
}

func TestTokenEndpointVerifiesEveryClaim(t *testing.T) {
	srv := newTestServer(t, WithAudience("account-d.docusign.com"))
	in := srv.NewIntegration()
	other := srv.NewIntegration(WithConsentScopes("signature"))
	now := srv.Now()
	valid := func() Claims {
		return Claims{
			Issuer: in.Key, Subject: in.UserID, Audience: srv.OAuthHost(), Scope: "signature impersonation",
			IssuedAt: now, ExpiresAt: now.Add(time.Hour),
		}
	}
	tests := []struct {
		name      string
		assertion func() string
		wantError string // "" means success
	}{
		{"a correctly signed assertion gets a token", func() string { return in.SignAssertion(valid()) }, ""},
		{"an extra configured audience is accepted", func() string {
			c := valid()
			c.Audience = "account-d.docusign.com"
			return in.SignAssertion(c)
		}, ""},
		{"an assertion without scope defaults to signature", func() string {
			c := valid()
			c.Scope = ""
			return in.SignAssertion(c)
		}, ""},
		{"iat within the clock skew is accepted", func() string {
			c := valid()
			c.IssuedAt, c.ExpiresAt = now.Add(30*time.Second), now.Add(time.Hour)
			return in.SignAssertion(c)
		}, ""},
		{"an unknown integration key is issuer_not_found", func() string {
			c := valid()
			c.Issuer = "00000000-0000-4000-8000-000000000000"
			return in.SignAssertion(c)
		}, "issuer_not_found"},
		{"a signature by another key is no_valid_keys_or_signatures", func() string {
			return SignJWT(TestKey(1), valid())
		}, "no_valid_keys_or_signatures"},
		{"a tampered payload is no_valid_keys_or_signatures", func() string {
			a := in.SignAssertion(valid())
			parts := strings.Split(a, ".")
			c := valid()
			c.Subject = srv.Users()[1].ID
			forged := strings.Split(in.SignAssertion(c), ".")
			return parts[0] + "." + forged[1] + "." + parts[2]
		}, "no_valid_keys_or_signatures"},
		{"alg none is no_valid_keys_or_signatures", func() string {
			parts := strings.Split(in.SignAssertion(valid()), ".")
			return b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
		}, "no_valid_keys_or_signatures"},
		{"an unknown user is user_not_found", func() string {
			c := valid()
			c.Subject = "11111111-1111-4111-8111-111111111111"
			return in.SignAssertion(c)
		}, "user_not_found"},
		{"a missing sub is invalid_grant", func() string {
			c := valid()
			c.Subject = ""
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"an audience with a scheme is invalid_grant", func() string {
			c := valid()
			c.Audience = srv.URL()
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"another host's audience is invalid_grant", func() string {
			c := valid()
			c.Audience = "account.docusign.com"
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"a missing iat is invalid_grant", func() string {
			c := valid()
			c.IssuedAt = time.Time{}
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"a missing exp is invalid_grant", func() string {
			c := valid()
			c.ExpiresAt = time.Time{}
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"exp more than an hour after iat is invalid_grant", func() string {
			c := valid()
			c.ExpiresAt = now.Add(time.Hour + time.Minute)
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"an expired assertion is invalid_grant", func() string {
			c := valid()
			c.IssuedAt, c.ExpiresAt = now.Add(-2*time.Hour), now.Add(-time.Hour)
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"iat beyond the clock skew in the future is invalid_grant", func() string {
			c := valid()
			c.IssuedAt, c.ExpiresAt = now.Add(10*time.Minute), now.Add(30*time.Minute)
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"exp before iat is invalid_grant", func() string {
			c := valid()
			c.ExpiresAt = now.Add(-time.Minute)
			return in.SignAssertion(c)
		}, "invalid_grant"},
		{"a non-JWT is invalid_grant", func() string { return "not-a-jwt" }, "invalid_grant"},
		{"a scope without consent is consent_required", func() string {
			c := valid()
			c.Issuer = other.Key
			return other.SignAssertion(c) // other only has consent for signature
		}, "consent_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tokenRequest(t, srv, tt.assertion())
			if tt.wantError == "" {
				wantStatus(t, r, http.StatusOK)
				var tok struct {
					AccessToken string `json:"access_token"`
					TokenType   string `json:"token_type"`
					ExpiresIn   int    `json:"expires_in"`
				}
				r.decode(t, &tok)
				if tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
					t.Errorf("token response %s", r.body)
				}
				return
			}
			wantStatus(t, r, http.StatusBadRequest)
			var e oauthError
			r.decode(t, &e)
			if e.Code != tt.wantError || e.Description == "" {
				t.Errorf("error %+v, want %s with a description", e, tt.wantError)
			}
		})
	}
}

func TestTokenEndpointRejectsMalformedRequests(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"a missing grant_type is invalid_request", url.Values{"assertion": {"x"}}, "invalid_request"},
		{"another grant type is unsupported_grant_type", url.Values{"grant_type": {"client_credentials"}}, "unsupported_grant_type"},
		{"a missing assertion is invalid_request", url.Values{"grant_type": {jwtGrantType}}, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postForm(t, srv, "/oauth/token", tt.form)
			wantStatus(t, r, http.StatusBadRequest)
			var e oauthError
			r.decode(t, &e)
			if e.Code != tt.want {
				t.Errorf("error %q, want %q", e.Code, tt.want)
			}
		})
	}
}

func TestAnotherRegisteredKeyAlsoVerifies(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration()
	rotated := in
	rotated.PrivateKey = TestKey(1)
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(rotated)), http.StatusBadRequest)
	srv.AddPublicKey(in.Key, &TestKey(1).PublicKey)
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(rotated)), http.StatusOK)
}
