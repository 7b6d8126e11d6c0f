package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testIK      = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
	testUser    = "11111111-2222-4333-8444-555555555555"
	testAccount = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
)

// tokenServer is an httptest OAuth token endpoint under a non-root path that
// verifies the JWT grant request and answers with respond.
type tokenServer struct {
	*httptest.Server
	env      Environment
	requests atomic.Int64
	claims   atomic.Pointer[jwt.MapClaims]
	t        *testing.T
}

func newTokenServer(t *testing.T, respond func(w http.ResponseWriter, n int64)) *tokenServer {
	t.Helper()
	ts := &tokenServer{t: t}
	pub := &testRSAKey(t).PublicKey
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/account/oauth/token" {
			http.NotFound(w, r)
			return
		}
		n := ts.requests.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.Header.Get("Authorization") != "" {
			t.Errorf("token request: method %s, content type %q, authorization %q", r.Method, r.Header.Get("Content-Type"), r.Header.Get("Authorization"))
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("ParseForm: %v", err)
		}
		if g := r.PostForm.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			t.Errorf("grant_type = %q", g)
		}
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(tok *jwt.Token) (any, error) {
			if tok.Method != jwt.SigningMethodRS256 {
				return nil, fmt.Errorf("alg %v", tok.Header["alg"])
			}
			return pub, nil
		}, jwt.WithoutClaimsValidation()) // tests pin the clock; claims are checked below
		if err != nil {
			t.Errorf("assertion does not verify: %v", err)
		}
		ts.claims.Store(&claims)
		respond(w, n)
	}))
	t.Cleanup(ts.Close)
	ts.env = Environment{Name: "test", OAuthURL: ts.URL + "/account", ESignatureURL: ts.URL + "/restapi"}
	return ts
}

func okToken(access string, expiresIn int) func(http.ResponseWriter, int64) {
	return func(w http.ResponseWriter, n int64) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"%s-%d","token_type":"Bearer","expires_in":%d}`, access, n, expiresIn)
	}
}

func testJWTConfig(t *testing.T, env Environment) JWTConfig {
	k, err := NewPrivateKey(testRSAKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return JWTConfig{Environment: env, IntegrationKey: testIK, UserID: testUser, PrivateKey: k}
}

func TestJWTTokenSourceSendsASignedAssertionWithDocuSignClaims(t *testing.T) {
	srv := newTokenServer(t, okToken("tok", 3600))
	cfg := testJWTConfig(t, srv.env)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cfg.Now = func() time.Time { return now }
	cfg.Scopes = []string{ScopeSignature, ScopeImpersonation, ScopeUserRead}
	cfg.Lifetime = 30 * time.Minute
	src, err := NewJWTTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken != "tok-1" || tok.TokenType != "Bearer" || !tok.Expiry.Equal(now.Add(time.Hour)) || !tok.IssuedAt.Equal(now) {
		t.Errorf("token = %+v (access %q), want tok-1 expiring at %v", tok, tok.AccessToken, now.Add(time.Hour))
	}
	c := *srv.claims.Load()
	host := strings.TrimPrefix(srv.URL, "http://")
	want := map[string]any{
		"iss":   testIK,
		"sub":   testUser,
		"aud":   host,
		"iat":   float64(now.Unix()),
		"exp":   float64(now.Add(30 * time.Minute).Unix()),
		"scope": "signature impersonation user_read",
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
}

func TestJWTTokenSourceDefaultsToOneHourAndSignatureImpersonation(t *testing.T) {
	srv := newTokenServer(t, okToken("tok", 3600))
	src, err := NewJWTTokenSource(testJWTConfig(t, srv.env))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := *srv.claims.Load()
	if c["scope"] != "signature impersonation" {
		t.Errorf("scope = %v", c["scope"])
	}
	if life := c["exp"].(float64) - c["iat"].(float64); life != 3600 {
		t.Errorf("exp - iat = %v, want 3600", life)
	}
}

func TestJWTTokenSourceMapsOAuthErrorsToTypedErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		code     string
		sentinel error
		also     error
	}{
		{"consent_required is ErrConsentRequired", 400, `{"error":"consent_required"}`, "consent_required", ErrConsentRequired, nil},
		{"invalid_grant is ErrInvalidGrant", 400, `{"error":"invalid_grant","error_description":"bad assertion"}`, "invalid_grant", ErrInvalidGrant, nil},
		{"no_valid_keys_or_signatures is ErrInvalidKey", 400, `{"error":"no_valid_keys_or_signatures"}`, "no_valid_keys_or_signatures", ErrInvalidKey, ErrInvalidGrant},
		{"invalid_grant described as no_valid_keys_or_signatures is ErrInvalidKey", 400, `{"error":"invalid_grant","error_description":"no_valid_keys_or_signatures"}`, "no_valid_keys_or_signatures", ErrInvalidKey, ErrInvalidGrant},
		{"issuer_not_found is ErrUnknownIssuer", 400, `{"error":"issuer_not_found"}`, "issuer_not_found", ErrUnknownIssuer, ErrInvalidGrant},
		{"invalid_grant described as issuer_not_found is ErrUnknownIssuer", 400, `{"error":"invalid_grant","error_description":"issuer_not_found"}`, "issuer_not_found", ErrUnknownIssuer, nil},
		{"user_not_found is ErrUserNotFound", 400, `{"error":"user_not_found"}`, "user_not_found", ErrUserNotFound, ErrInvalidGrant},
		{"invalid_grant described as user_not_found is ErrUserNotFound", 400, `{"error":"invalid_grant","error_description":"user_not_found"}`, "user_not_found", ErrUserNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			src, err := NewJWTTokenSource(testJWTConfig(t, srv.env))
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Token(context.Background())
			var aerr *AuthError
			if !errors.As(err, &aerr) {
				t.Fatalf("error %v (%T) is not an *AuthError", err, err)
			}
			if aerr.Code != tt.code || aerr.StatusCode != tt.status {
				t.Errorf("Code, StatusCode = %q, %d; want %q, %d", aerr.Code, aerr.StatusCode, tt.code, tt.status)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(err, %v) = false", tt.sentinel)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("errors.Is(err, %v) = false", tt.also)
			}
			for _, other := range []error{ErrConsentRequired, ErrInvalidKey, ErrUnknownIssuer, ErrUserNotFound} {
				if other != tt.sentinel && errors.Is(err, other) {
					t.Errorf("errors.Is(err, %v) = true for %s", other, tt.code)
				}
			}
		})
	}
}

func TestConsentRequiredErrorCarriesTheConsentURL(t *testing.T) {
	srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"consent_required"}`)
	})
	cfg := testJWTConfig(t, srv.env)
	cfg.RedirectURI = "https://app.example.com/ds/callback"
	src, _ := NewJWTTokenSource(cfg)
	_, err := src.Token(context.Background())
	var aerr *AuthError
	if !errors.As(err, &aerr) {
		t.Fatalf("got %v", err)
	}
	want := srv.env.OAuthURL + "/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=" + testIK +
		"&redirect_uri=https%3A%2F%2Fapp.example.com%2Fds%2Fcallback"
	if aerr.ConsentURL != want {
		t.Errorf("ConsentURL = %s\nwant %s", aerr.ConsentURL, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error message %q does not contain the consent URL", err)
	}

	// Without a redirect URI the error says how to get one.
	src2, _ := NewJWTTokenSource(testJWTConfig(t, srv.env))
	_, err = src2.Token(context.Background())
	if !errors.As(err, &aerr) || aerr.ConsentURL != "" || !strings.Contains(err.Error(), "WithRedirectURI") {
		t.Errorf("without redirect URI: %v", err)
	}
}

func TestJWTTokenSourceRejectsBrokenSuccessAnswers(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"a body that is not JSON", `<html>`, "not valid JSON"},
		{"a body without access_token", `{"token_type":"Bearer","expires_in":3600}`, "no access_token"},
		{"a token type other than Bearer", `{"access_token":"x","token_type":"MAC","expires_in":3600}`, "token_type"},
		{"a negative expires_in", `{"access_token":"x","token_type":"Bearer","expires_in":-5}`, "expires_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is an error", func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) { io.WriteString(w, tt.body) })
			src, _ := NewJWTTokenSource(testJWTConfig(t, srv.env))
			_, err := src.Token(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestJWTTokenSourceAcceptsExpiresInAsString(t *testing.T) {
	srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) {
		io.WriteString(w, `{"access_token":"x","token_type":"Bearer","expires_in":"120"}`)
	})
	cfg := testJWTConfig(t, srv.env)
	now := time.Unix(1_700_000_000, 0)
	cfg.Now = func() time.Time { return now }
	src, _ := NewJWTTokenSource(cfg)
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Expiry.Equal(now.Add(2 * time.Minute)) {
		t.Errorf("Expiry = %v", tok.Expiry)
	}
}

func TestNonJSONErrorAnswersBecomeAuthErrorsWithAnExcerpt(t *testing.T) {
	srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) {
		w.WriteHeader(502)
		io.WriteString(w, "<html>\n<body>Bad gateway</body></html>")
	})
	src, _ := NewJWTTokenSource(testJWTConfig(t, srv.env))
	_, err := src.Token(context.Background())
	var aerr *AuthError
	if !errors.As(err, &aerr) || aerr.StatusCode != 502 || !strings.Contains(aerr.Description, "Bad gateway") {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(aerr.Endpoint, "/account/oauth/token") {
		t.Errorf("Endpoint = %q", aerr.Endpoint)
	}
}

func TestNewJWTTokenSourceReportsEveryProblem(t *testing.T) {
	_, err := NewJWTTokenSource(JWTConfig{UserID: "not-a-guid", Lifetime: 2 * time.Hour})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"OAuthURL", "integration key", "user ID", "private key", "lifetime"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestJWTTokenSourceNeverPrintsTheKey(t *testing.T) {
	src, err := NewJWTTokenSource(testJWTConfig(t, Developer()))
	if err != nil {
		t.Fatal(err)
	}
	secret := testRSAKey(t).D.String()[:30]
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, src); strings.Contains(out, secret) || !strings.Contains(out, "redacted") {
			t.Errorf("%s: %s", verb, out)
		}
	}
}

func TestTokenRequestURLKeepsTheOAuthBasePath(t *testing.T) {
	src, err := NewJWTTokenSource(testJWTConfig(t, Environment{Name: "x", OAuthURL: "https://proxy.example.com/ds/"}))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(src.tokenURL)
	if u.Path != "/ds/oauth/token" {
		t.Errorf("token URL = %s", src.tokenURL)
	}
}

func TestDefaultScopesCannotBeChangedByACaller(t *testing.T) {
	s := DefaultScopes()
	s[0] = "organization_read"
	if got := DefaultScopes(); len(got) != 2 || got[0] != ScopeSignature || got[1] != ScopeImpersonation {
		t.Fatalf("DefaultScopes() = %q after a caller changed its copy", got)
	}
}

func TestOAuthRequestsNeverFollowRedirects(t *testing.T) {
	// Another server stands for the attacker: it must receive neither the
	// assertion nor the bearer token, and its token must not be used.
	var stolen atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"attacker","token_type":"Bearer","expires_in":3600,"sub":"x","accounts":[]}`)
	}))
	t.Cleanup(other.Close)
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		t.Run(fmt.Sprintf("token endpoint answering %d", status), func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) {
				w.Header().Set("Location", other.URL+"/oauth/token")
				w.WriteHeader(status)
			})
			before := stolen.Load()
			src, err := NewJWTTokenSource(testJWTConfig(t, srv.env))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			if !errors.Is(err, ErrOAuthRedirect) || tok != nil {
				t.Fatalf("Token = %v, %v; want ErrOAuthRedirect", tok, err)
			}
			if n := stolen.Load() - before; n != 0 {
				t.Fatalf("the redirect target received %d requests", n)
			}
		})
	}
	t.Run("userinfo redirected to another port", func(t *testing.T) {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}))
		t.Cleanup(redirector.Close)
		c, err := New(WithEnvironment(Environment{Name: "test", OAuthURL: redirector.URL}),
			WithTokenSource(StaticTokenSource(&Token{AccessToken: "secret-bearer", Expiry: time.Now().Add(time.Hour)})))
		if err != nil {
			t.Fatal(err)
		}
		before := stolen.Load()
		_, err = c.UserInfo(context.Background())
		if !errors.Is(err, ErrOAuthRedirect) {
			t.Fatalf("UserInfo error = %v, want ErrOAuthRedirect", err)
		}
		if n := stolen.Load() - before; n != 0 {
			t.Fatalf("the redirect target received %d requests", n)
		}
	})
}

func TestHugeExpiresInIsClampedToTheMaximumLifetime(t *testing.T) {
	for _, expiresIn := range []string{`9300000000`, `1e300`, `"9223372037"`, `7200`} {
		t.Run(expiresIn, func(t *testing.T) {
			srv := newTokenServer(t, func(w http.ResponseWriter, _ int64) {
				io.WriteString(w, `{"access_token":"x","token_type":"Bearer","expires_in":`+expiresIn+`}`)
			})
			cfg := testJWTConfig(t, srv.env)
			now := time.Unix(1_700_000_000, 0)
			cfg.Now = func() time.Time { return now }
			src, _ := NewJWTTokenSource(cfg)
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !tok.Expiry.Equal(now.Add(MaxTokenLifetime)) {
				t.Errorf("Expiry = %v, want %v", tok.Expiry, now.Add(MaxTokenLifetime))
			}
		})
	}
	for _, bad := range []string{`"NaN"`, `0`, `"-Inf"`} {
		if _, err := tokenLifetime(json.Number(strings.Trim(bad, `"`)), time.Hour, MaxTokenLifetime); err == nil {
			t.Errorf("expires_in %s accepted", bad)
		}
	}
}
