package docusigntest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// jwtToken runs the JWT grant and returns the access token.
func jwtToken(t *testing.T, srv *Server, in Integration, scopes ...string) string {
	t.Helper()
	r := tokenRequest(t, srv, srv.NewAssertion(in, scopes...))
	wantStatus(t, r, http.StatusOK)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.decode(t, &tok)
	return tok.AccessToken
}

func TestJWTGrantTokenCallsEveryAPIItsScopesAllow(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration()
	esign := "/restapi/v2.1/accounts/" + in.AccountID
	admin := "/management/v2/organizations/" + srv.OrgID() + "/users"
	monitor := "/api/v2.0/datasets/monitor/stream?limit=1"

	tok := jwtToken(t, srv, in, "signature", "impersonation")
	wantStatus(t, get(t, srv, esign, tok), http.StatusOK)
	wantStatus(t, get(t, srv, monitor, tok), http.StatusOK)
	r := get(t, srv, admin, tok)
	wantStatus(t, r, http.StatusForbidden)
	if !strings.Contains(string(r.body), "insufficient_scope") {
		t.Errorf("Admin without user_read: %s", r.body)
	}

	tok = jwtToken(t, srv, in, "signature", "impersonation", "user_read", "organization_read")
	wantStatus(t, get(t, srv, admin, tok), http.StatusOK)

	tok = jwtToken(t, srv, in, "impersonation")
	r = get(t, srv, esign, tok)
	wantStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(string(r.body), "USER_AUTHENTICATION_FAILED") {
		t.Errorf("eSignature without signature scope: %s", r.body)
	}
}

func TestRequestsWithoutAValidTokenGet401InTheAPIsShape(t *testing.T) {
	srv := newTestServer(t)
	esign := "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/users"
	monitor := "/api/v2.0/datasets/monitor/stream"
	admin := "/management/v2/organizations/" + srv.OrgID() + "/users"
	expired := srv.AccessToken()
	srv.Advance(DefaultTokenTTL + time.Second)
	revoked := srv.AccessToken()
	srv.InvalidateTokens()

	for _, tok := range []struct{ name, value string }{{"missing", ""}, {"unknown", "nope"}, {"expired", expired}, {"revoked", revoked}} {
		for _, path := range []string{esign, monitor, admin} {
			t.Run(tok.name+" token on "+path, func(t *testing.T) {
				r := get(t, srv, path, tok.value)
				wantStatus(t, r, http.StatusUnauthorized)
				if strings.HasPrefix(path, "/restapi") {
					var e esignError
					r.decode(t, &e)
					if e.ErrorCode != "USER_AUTHENTICATION_FAILED" {
						t.Errorf("body %s", r.body)
					}
				} else {
					var e oauthError
					r.decode(t, &e)
					if e.Code == "" || e.Description == "" {
						t.Errorf("body %s", r.body)
					}
				}
			})
		}
	}
}

func TestTokensExpireByTheServerClock(t *testing.T) {
	srv := newTestServer(t, WithTokenTTL(10*time.Minute))
	in := srv.NewIntegration()
	r := tokenRequest(t, srv, srv.NewAssertion(in))
	if !strings.Contains(string(r.body), `"expires_in":600`) {
		t.Fatalf("token response %s, want expires_in 600", r.body)
	}
	tok := jwtToken(t, srv, in)
	path := "/restapi/v2.1/accounts/" + in.AccountID
	srv.Advance(9 * time.Minute)
	wantStatus(t, get(t, srv, path, tok), http.StatusOK)
	srv.Advance(time.Minute)
	wantStatus(t, get(t, srv, path, tok), http.StatusUnauthorized)
}

func TestConsentCanBeRevokedAndGrantedAgain(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration()
	srv.RevokeConsent(in.Key, in.UserID, "impersonation")
	r := tokenRequest(t, srv, srv.NewAssertion(in, "signature", "impersonation"))
	if !strings.Contains(string(r.body), "consent_required") {
		t.Fatalf("after revoking impersonation: %s", r.body)
	}
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(in, "signature")), http.StatusOK)
	srv.RevokeConsent(in.Key, in.UserID)
	if srv.HasConsent(in.Key, in.UserID, "signature") {
		t.Error("consent survives RevokeConsent without scopes")
	}
	srv.GrantConsent(in.Key, in.UserID, "signature", "impersonation")
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(in)), http.StatusOK)
}

func TestConsentPageRecordsConsentAndRedirects(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration(WithoutConsent(), WithRedirectURIs("https://app.example.com/callback"))
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(in)), http.StatusBadRequest)

	noRedirect := srv.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	consent := func(q url.Values) *http.Response {
		t.Helper()
		res, err := noRedirect.Get(srv.URL() + "/oauth/auth?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	good := url.Values{
		"response_type": {"code"},
		"client_id":     {in.Key},
		"redirect_uri":  {"https://app.example.com/callback"},
		"scope":         {"signature impersonation"},
		"state":         {"xyz"},
	}
	for _, bad := range []struct{ name, key, value string }{
		{"an unknown client_id", "client_id", "nope"},
		{"response_type token", "response_type", "token"},
		{"an unregistered redirect_uri", "redirect_uri", "https://evil.example.com/"},
		{"a missing scope", "scope", ""},
	} {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		q.Set(bad.key, bad.value)
		if res := consent(q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad.name, res.StatusCode)
		}
	}
	if srv.HasConsent(in.Key, in.UserID, "signature") {
		t.Fatal("a rejected consent request recorded consent")
	}

	res := consent(good)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", res.StatusCode)
	}
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc.Host != "app.example.com" || loc.Query().Get("code") == "" || loc.Query().Get("state") != "xyz" {
		t.Errorf("redirected to %s", loc)
	}
	wantStatus(t, tokenRequest(t, srv, srv.NewAssertion(in)), http.StatusOK)
}

func TestUserinfoListsTheUsersAccounts(t *testing.T) {
	srv := newTestServer(t, WithAccounts(3))
	r := get(t, srv, "/oauth/userinfo", srv.AccessToken())
	wantStatus(t, r, http.StatusOK)
	var info struct {
		Sub, Name, Email string
		GivenName        string `json:"given_name"`
		FamilyName       string `json:"family_name"`
		Created          string
		Accounts         []struct {
			AccountID   string `json:"account_id"`
			IsDefault   bool   `json:"is_default"`
			AccountName string `json:"account_name"`
			BaseURI     string `json:"base_uri"`
		}
	}
	r.decode(t, &info)
	u, _ := srv.User(srv.DefaultUserID())
	if info.Sub != u.ID || info.Email != u.Email || info.GivenName != u.FirstName || info.FamilyName != u.LastName || info.Created == "" {
		t.Errorf("userinfo %s does not describe %+v", r.body, u)
	}
	if len(info.Accounts) != 3 {
		t.Fatalf("%d accounts, want 3", len(info.Accounts))
	}
	for i, a := range info.Accounts {
		if a.IsDefault != (i == 0) || a.BaseURI != srv.URL() || a.AccountID != srv.Accounts()[i].ID {
			t.Errorf("account %d = %+v", i, a)
		}
	}
	wantStatus(t, get(t, srv, "/oauth/userinfo", "bad"), http.StatusUnauthorized)
}
