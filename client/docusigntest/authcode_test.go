package docusigntest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testRedirect = "http://127.0.0.1:1/callback"

// codeFor plays the login page for in and returns the code, with a PKCE
// challenge for verifier unless it is "".
func codeFor(t *testing.T, srv *Server, in Integration, verifier string) string {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {in.Key}, "redirect_uri": {testRedirect}, "scope": {"signature"}, "state": {"s1"}}
	if verifier != "" {
		sum := sha256.Sum256([]byte(verifier))
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	noRedirect := srv.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := noRedirect.Get(srv.URL() + "/oauth/auth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" {
		t.Fatalf("login page: status %d, Location %s", res.StatusCode, loc)
	}
	return loc.Query().Get("code")
}

// codeGrant posts a token request of the code grants, with Basic
// credentials when secret is not "".
func codeGrant(t *testing.T, srv *Server, form url.Values, id, secret string) response {
	t.Helper()
	if secret == "" {
		form.Set("client_id", id)
		return postForm(t, srv, "/oauth/token", form)
	}
	req := url.Values{}
	for k, v := range form {
		req[k] = v
	}
	basic := base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
	return do(t, srv, http.MethodPost, "/oauth/token", "", strings.NewReader(req.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic "+basic)
}

type codeTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

func wantOAuthError(t *testing.T, r response, status int, code string) {
	t.Helper()
	var e oauthError
	r.decode(t, &e)
	if r.status != status || e.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", r.status, e.Code, e.Description, status, code)
	}
}

func TestCodeExchangeChecksEveryBinding(t *testing.T) {
	srv := newTestServer(t)
	public := srv.NewIntegration(WithoutConsent())
	const verifier = "a-verifier-of-sufficient-length-0123456789abc"
	exchange := func(code string, extra url.Values) response {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}, "code_verifier": {verifier}}
		for k, v := range extra {
			form[k] = v
		}
		return codeGrant(t, srv, form, public.Key, "")
	}
	for _, tc := range []struct {
		name  string
		code  func() string
		extra url.Values
		want  string
	}{
		{"an unknown code", func() string { return "nope" }, nil, "invalid_grant"},
		{"a wrong verifier", func() string { return codeFor(t, srv, public, verifier) }, url.Values{"code_verifier": {"wrong"}}, "invalid_grant"},
		{"a missing verifier", func() string { return codeFor(t, srv, public, verifier) }, url.Values{"code_verifier": {""}}, "invalid_grant"},
		{"a public application's code without PKCE", func() string { return codeFor(t, srv, public, "") }, nil, "invalid_grant"},
		{"another redirect URI", func() string { return codeFor(t, srv, public, verifier) }, url.Values{"redirect_uri": {"http://127.0.0.1:2/cb"}}, "invalid_grant"},
		{"an expired code", func() string {
			c := codeFor(t, srv, public, verifier)
			srv.Advance(AuthCodeTTL)
			return c
		}, nil, "invalid_grant"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			wantOAuthError(t, exchange(tc.code(), tc.extra), http.StatusBadRequest, tc.want)
		})
	}

	t.Run("a good code works once; its reuse is refused and revokes its refresh token", func(t *testing.T) {
		code := codeFor(t, srv, public, verifier)
		r := exchange(code, nil)
		wantStatus(t, r, http.StatusOK)
		var tok codeTokens
		r.decode(t, &tok)
		if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn != int(DefaultAuthCodeTokenTTL/time.Second) {
			t.Fatalf("token answer %s", r.body)
		}
		wantStatus(t, get(t, srv, "/oauth/userinfo", tok.AccessToken), http.StatusOK)
		wantOAuthError(t, exchange(code, nil), http.StatusBadRequest, "invalid_grant")
		wantOAuthError(t, codeGrant(t, srv, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, public.Key, ""), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("a code_challenge_method other than S256 is refused at the login page", func(t *testing.T) {
		q := url.Values{"response_type": {"code"}, "client_id": {public.Key}, "redirect_uri": {testRedirect}, "scope": {"signature"}, "code_challenge": {"x"}, "code_challenge_method": {"plain"}}
		wantStatus(t, get(t, srv, "/oauth/auth?"+q.Encode(), ""), http.StatusBadRequest)
	})
}

func TestCodeGrantsAuthenticateTheClient(t *testing.T) {
	srv := newTestServer(t)
	conf := srv.NewIntegration(WithoutConsent(), WithClientSecret("the-secret"))
	public := srv.NewIntegration(WithoutConsent())
	form := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
	}
	wantOAuthError(t, codeGrant(t, srv, form(codeFor(t, srv, conf, "")), conf.Key, "wrong"), http.StatusUnauthorized, "invalid_client")
	wantOAuthError(t, codeGrant(t, srv, form(codeFor(t, srv, conf, "")), conf.Key, ""), http.StatusUnauthorized, "invalid_client")
	wantOAuthError(t, codeGrant(t, srv, form(codeFor(t, srv, public, "")), public.Key, "any"), http.StatusUnauthorized, "invalid_client")
	wantOAuthError(t, postForm(t, srv, "/oauth/token", form("x")), http.StatusUnauthorized, "invalid_client")
	// A confidential application may skip PKCE.
	wantStatus(t, codeGrant(t, srv, form(codeFor(t, srv, conf, "")), conf.Key, "the-secret"), http.StatusOK)
	if srv.GrantRequests("authorization_code") != 5 {
		t.Errorf("GrantRequests = %d, want 5", srv.GrantRequests("authorization_code"))
	}
	if strings.Contains(conf.String()+conf.GoString(), "the-secret") {
		t.Error("Integration's String shows the secret")
	}
}

func TestRefreshTokensRotateAndExpire(t *testing.T) {
	for _, rotate := range []bool{true, false} {
		name := "rotating"
		opts := []Option{WithRefreshTokenTTL(time.Hour)}
		if !rotate {
			name = "without rotation"
			opts = append(opts, WithoutRefreshTokenRotation())
		}
		t.Run(name, func(t *testing.T) {
			srv := newTestServer(t, opts...)
			conf := srv.NewIntegration(WithoutConsent(), WithClientSecret("s"))
			r := codeGrant(t, srv, url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, srv, conf, "")}, "redirect_uri": {testRedirect}}, conf.Key, "s")
			wantStatus(t, r, http.StatusOK)
			var first codeTokens
			r.decode(t, &first)
			refresh := func(rt string) response {
				return codeGrant(t, srv, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, conf.Key, "s")
			}
			r = refresh(first.RefreshToken)
			wantStatus(t, r, http.StatusOK)
			var second codeTokens
			r.decode(t, &second)
			if rotated := second.RefreshToken != first.RefreshToken; rotated != rotate {
				t.Fatalf("refresh token rotated = %v, want %v", rotated, rotate)
			}
			if rotate {
				wantOAuthError(t, refresh(first.RefreshToken), http.StatusBadRequest, "invalid_grant")
			}
			srv.Advance(time.Hour)
			wantOAuthError(t, refresh(second.RefreshToken), http.StatusBadRequest, "invalid_grant")
		})
	}
	t.Run("revoked", func(t *testing.T) {
		srv := newTestServer(t)
		conf := srv.NewIntegration(WithoutConsent(), WithClientSecret("s"))
		r := codeGrant(t, srv, url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, srv, conf, "")}}, conf.Key, "s")
		var tok codeTokens
		r.decode(t, &tok)
		srv.RevokeRefreshTokens()
		wantOAuthError(t, codeGrant(t, srv, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, conf.Key, "s"), http.StatusBadRequest, "invalid_grant")
	})
}

func TestDenyLoginsRedirectsWithAccessDenied(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration(WithoutConsent())
	srv.DenyLogins(true)
	noRedirect := srv.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	q := url.Values{"response_type": {"code"}, "client_id": {in.Key}, "redirect_uri": {testRedirect}, "scope": {"signature"}, "state": {"s"}}
	res, err := noRedirect.Get(srv.URL() + "/oauth/auth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" || loc.Query().Get("state") != "s" {
		t.Errorf("redirected to %s", loc)
	}
	if srv.HasConsent(in.Key, in.UserID, "signature") {
		t.Error("a declined login recorded consent")
	}
}
