package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// withClock sets the Client's clock (token expiry, JWT iat/exp, Go-Live
// times).
func withClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// miniDS is a small DocuSign stand-in for the auth layer's own tests: an
// OAuth server issuing tokens for JWT assertions signed with the test key,
// userinfo, and bearer-protected /restapi and /management endpoints.
type miniDS struct {
	*httptest.Server
	t   *testing.T
	env Environment

	tokenReqs, userinfoReqs, esignReqs, adminReqs atomic.Int64

	mu          sync.Mutex
	prefix      string // access tokens are prefix-N
	ttl         time.Duration
	now         func() time.Time
	seq         int
	tokens      map[string]time.Time // access token -> expiry
	oauthErr    string               // token endpoint answers this OAuth error
	apiStatus   int                  // status for API calls; 0 means 200
	rejectAll   bool                 // API and userinfo reject every token
	bodies      []string             // API request bodies in arrival order
	authHeaders []string             // API Authorization headers in order
}

func newMiniDS(t *testing.T) *miniDS {
	t.Helper()
	m := &miniDS{t: t, prefix: "tok", ttl: time.Hour, now: time.Now, tokens: map[string]time.Time{}}
	pub := &testRSAKey(t).PublicKey
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		m.tokenReqs.Add(1)
		w.Header().Set("Content-Type", "application/json")
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.oauthErr != "" {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":%q}`, m.oauthErr)
			return
		}
		r.ParseForm()
		claims := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(*jwt.Token) (any, error) { return pub, nil },
			jwt.WithoutClaimsValidation()); err != nil || claims["aud"] != strings.TrimPrefix(m.URL, "http://") {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		m.seq++
		tok := fmt.Sprintf("%s-%d", m.prefix, m.seq)
		m.tokens[tok] = m.now().Add(m.ttl)
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":%d}`, tok, int(m.ttl.Seconds()))
	})
	mux.HandleFunc("GET /oauth/userinfo", func(w http.ResponseWriter, r *http.Request) {
		m.userinfoReqs.Add(1)
		if !m.authorized(r) {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":"invalid_token"}`)
			return
		}
		fmt.Fprintf(w, `{"sub":%q,"email":"ada@example.com","accounts":[
			{"account_id":"aaaaaaaa-0000-4000-8000-000000000001","is_default":false,"account_name":"Other","base_uri":"https://na9.docusign.net"},
			{"account_id":%q,"is_default":true,"account_name":"Main","base_uri":%q}]}`, testUser, testAccount, m.URL)
	})
	api := func(counter *atomic.Int64) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			counter.Add(1)
			body, _ := io.ReadAll(r.Body)
			m.mu.Lock()
			m.bodies = append(m.bodies, string(body))
			m.authHeaders = append(m.authHeaders, r.Header.Get("Authorization"))
			status := m.apiStatus
			m.mu.Unlock()
			if !m.authorized(r) {
				w.WriteHeader(401)
				io.WriteString(w, `{"errorCode":"USER_AUTHENTICATION_FAILED","message":"token invalid"}`)
				return
			}
			if status != 0 {
				w.WriteHeader(status)
				io.WriteString(w, `{"errorCode":"INVALID_REQUEST_PARAMETER","message":"bad"}`)
				return
			}
			io.WriteString(w, `{}`)
		}
	}
	mux.HandleFunc("/restapi/", api(&m.esignReqs))
	mux.HandleFunc("/management/", api(&m.adminReqs))
	m.Server = httptest.NewServer(mux)
	t.Cleanup(m.Close)
	m.env = Environment{Name: "mini", OAuthURL: m.URL, ESignatureURL: m.URL + "/restapi", AdminURL: m.URL + "/management", MonitorURL: m.URL, Sandbox: true, AllowHTTP: true}
	return m
}

func (m *miniDS) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, known := m.tokens[tok]
	return ok && known && m.now().Before(exp) && !m.rejectAll
}

// revokeAll invalidates every issued token, as a password change does.
func (m *miniDS) revokeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.tokens)
}

func (m *miniDS) set(f func(m *miniDS)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m)
}

// newMiniClient returns a Client for m using the test key.
func newMiniClient(t *testing.T, m *miniDS, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithEnvironment(m.env),
		WithIntegrationKey(testIK),
		WithUserID(testUser),
		WithPrivateKey(testPKCS1(t)),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// doGet sends GET url through c and returns the status, taken from the
// *APIError the pipeline returns for error answers.
func doGet(t *testing.T, c *Client, url string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	return statusOf(t, c, req)
}

// statusOf sends req through c and returns the HTTP status.
func statusOf(t *testing.T, c *Client, req *http.Request) int {
	t.Helper()
	resp, err := c.Do(req)
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestNewReportsEveryConfigurationProblemAtOnce(t *testing.T) {
	damaged := strings.Replace(string(testPKCS1(t)), "\n", "\nXXXX", 4)
	_, err := New(
		WithEnvironment(Environment{Name: "custom", OAuthURL: "account-d.docusign.com", AdminURL: "https://x/?q=1"}),
		WithUserID("ada@example.com"),
		WithAccountID("12345678"),
		WithOrganizationID("org"),
		WithRedirectURI("/callback"),
		WithTokenLifetime(2*time.Hour),
		WithScopes("signature", "user read", ""),
		WithPrivateKey([]byte(damaged)),
	)
	if err == nil {
		t.Fatal("New accepted a broken configuration")
	}
	msg := err.Error()
	for _, want := range []string{
		"WithEnvironment", "Environment.OAuthURL", "Environment.AdminURL",
		"WithIntegrationKey: integration key is required",
		"WithUserID", "not a GUID",
		"WithAccountID", "WithOrganizationID",
		"WithRedirectURI",
		"WithTokenLifetime", "exceeds",
		"WithScopes", "whitespace", "empty scope",
		"WithPrivateKey", "malformed",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, pemBody(testPKCS1(t))[80:120]) || strings.Contains(msg, "-----BEGIN") {
		t.Error("configuration error contains key material")
	}
}

func TestNewRequiresAKeyAndUserForTheJWTGrant(t *testing.T) {
	_, err := New(WithIntegrationKey(testIK))
	if err == nil || !strings.Contains(err.Error(), "WithUserID: user ID is required") || !strings.Contains(err.Error(), "no private key") {
		t.Fatalf("got %v", err)
	}
}

func TestNewRejectsConflictingOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"two private keys", []Option{WithPrivateKey(testPKCS1(t)), WithPrivateKeyEnv("X")}, "set exactly one"},
		{"a token source and a private key", []Option{WithTokenSource(StaticTokenSource(&Token{AccessToken: "x"})), WithPrivateKey(testPKCS1(t))}, "WithTokenSource"},
		{"a refresh margin as long as the lifetime", []Option{WithPrivateKey(testPKCS1(t)), WithTokenLifetime(10 * time.Minute), WithRefreshMargin(10 * time.Minute)}, "WithRefreshMargin"},
		{"a negative refresh margin", []Option{WithPrivateKey(testPKCS1(t)), WithRefreshMargin(-time.Second)}, "negative"},
		{"a zero lifetime", []Option{WithPrivateKey(testPKCS1(t)), WithTokenLifetime(0)}, "not positive"},
		{"a cache and a cache directory", []Option{WithPrivateKey(testPKCS1(t)), WithTokenCache(NewMemoryTokenCache()), WithTokenCacheDir(t.TempDir())}, "WithTokenCacheDir"},
		{"a nil option", []Option{WithPrivateKey(testPKCS1(t)), nil}, "option 3 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is an error", func(t *testing.T) {
			opts := append([]Option{WithIntegrationKey(testIK), WithUserID(testUser)}, tt.opts...)
			_, err := New(opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestOptionsThatWouldDoNothingWithATokenSourceAreErrors(t *testing.T) {
	src := WithTokenSource(StaticTokenSource(&Token{AccessToken: "x"}))
	tests := []struct {
		option string
		opt    Option
	}{
		{"WithTokenCache", WithTokenCache(NewMemoryTokenCache())},
		{"WithTokenCacheDir", WithTokenCacheDir(t.TempDir())},
		{"WithTokenLifetime", WithTokenLifetime(30 * time.Minute)},
		{"WithRefreshMargin", WithRefreshMargin(time.Minute)},
	}
	var all []Option
	for _, tt := range tests {
		all = append(all, tt.opt)
		t.Run(tt.option+" with WithTokenSource is an error", func(t *testing.T) {
			_, err := New(src, tt.opt)
			if err == nil || !strings.Contains(err.Error(), "docusign: "+tt.option+" has no effect with WithTokenSource: remove it") {
				t.Fatalf("got %v, want an error naming %s", err, tt.option)
			}
		})
	}
	// All of them at once are all reported.
	_, err := New(append([]Option{src}, all...)...)
	for _, tt := range tests {
		if err == nil || !strings.Contains(err.Error(), tt.option+" has no effect") {
			t.Errorf("all at once: %v does not name %s", err, tt.option)
		}
	}
}

func TestAnEmptyTokenCacheDirIsAnError(t *testing.T) {
	_, err := New(WithIntegrationKey(testIK), WithUserID(testUser), WithPrivateKey(testPKCS1(t)), WithTokenCacheDir(""))
	if err == nil || !strings.Contains(err.Error(), "docusign: WithTokenCacheDir: ") || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("got %v, want an error naming WithTokenCacheDir", err)
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	c, err := New(WithIntegrationKey(testIK), WithUserID(testUser), WithPrivateKey(testPKCS1(t)), WithScopes(ScopeSignature, ScopeUserRead, ScopeSignature))
	if err != nil {
		t.Fatal(err)
	}
	if c.Environment() != Developer() {
		t.Errorf("default environment %v", c.Environment().Name)
	}
	if got := strings.Join(c.settings.scopes, " "); got != "signature user_read impersonation" {
		t.Errorf("scopes = %q, want deduplicated with impersonation added", got)
	}
	if c.settings.lifetime != time.Hour || c.settings.margin != DefaultRefreshMargin {
		t.Errorf("lifetime %v, margin %v", c.settings.lifetime, c.settings.margin)
	}
	if _, ok := c.settings.cache.(*MemoryTokenCache); !ok {
		t.Errorf("default cache %T", c.settings.cache)
	}
	if !c.GoLive().Enabled() {
		t.Error("Go-Live tracking is off in the developer environment")
	}
	p, _ := New(WithEnvironment(Production()), WithIntegrationKey(testIK), WithUserID(testUser), WithPrivateKey(testPKCS1(t)))
	if p.GoLive().Enabled() {
		t.Error("Go-Live tracking is on in production")
	}
}

func TestClientNeverPrintsSecrets(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	tok, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{testRSAKey(t).D.String()[:30], pemBody(testPKCS1(t))[100:140], tok.AccessToken}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for name, v := range map[string]any{"client": c, "token": tok, "token source": c.TokenSource(), "http client": c.HTTPClient()} {
			out := fmt.Sprintf(verb, v)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s %s reveals a secret: %s", name, verb, out)
				}
			}
		}
	}
	if !strings.Contains(fmt.Sprint(c), testIK) {
		t.Errorf("String does not identify the client: %s", c)
	}
}

func TestClientFlowFetchesTokenUserInfoAndAccount(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	ctx := context.Background()
	ui, err := c.UserInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ui.Sub != testUser || len(ui.Accounts) != 2 {
		t.Fatalf("userinfo %+v", ui)
	}
	id, err := c.AccountID(ctx)
	if err != nil || id != testAccount {
		t.Fatalf("AccountID = %s, %v", id, err)
	}
	u, _ := c.ESignatureURL(ctx)
	if u != m.URL+"/restapi" {
		t.Errorf("ESignatureURL = %s", u)
	}
	if st := doGet(t, c, u+"/v2.1/accounts/"+id); st != 200 {
		t.Fatalf("status %d", st)
	}
	c.UserInfo(ctx)
	if m.tokenReqs.Load() != 1 || m.userinfoReqs.Load() != 1 {
		t.Errorf("token requests %d, userinfo requests %d; want 1 and 1", m.tokenReqs.Load(), m.userinfoReqs.Load())
	}
	if c.AdminURL() != m.URL+"/management" || c.MonitorURL() != m.URL {
		t.Errorf("AdminURL %s, MonitorURL %s", c.AdminURL(), c.MonitorURL())
	}
}

func TestWithoutAnESignatureURLTheAccountBaseURIIsUsed(t *testing.T) {
	m := newMiniDS(t)
	prodLike := m.env
	prodLike.ESignatureURL = ""
	c := newMiniClient(t, m, WithEnvironment(prodLike))
	u, err := c.ESignatureURL(context.Background())
	if err != nil || u != m.URL+"/restapi" {
		t.Fatalf("ESignatureURL = %s, %v; want the default account's base_uri + /restapi", u, err)
	}
	other := newMiniClient(t, m, WithEnvironment(prodLike), WithAccountID("aaaaaaaa-0000-4000-8000-000000000001"))
	if u, _ := other.ESignatureURL(context.Background()); u != "https://na9.docusign.net/restapi" {
		t.Fatalf("ESignatureURL for the configured account = %s", u)
	}
	bad := newMiniClient(t, m, WithEnvironment(prodLike), WithAccountID("cccccccc-0000-4000-8000-000000000000"))
	_, err = bad.ESignatureURL(context.Background())
	if !errors.Is(err, ErrAccountNotFound) || !strings.Contains(err.Error(), testAccount) {
		t.Fatalf("unknown account: %v", err)
	}
}

func TestA401ReplacesTheTokenAndRetriesOnceWithTheSameBody(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	ctx := context.Background()
	if _, err := c.Token(ctx); err != nil {
		t.Fatal(err)
	}
	m.revokeAll()
	req, _ := http.NewRequest(http.MethodPost, m.URL+"/restapi/v2.1/accounts/x/envelopes", strings.NewReader(`{"status":"sent"}`))
	if st := statusOf(t, c, req); st != 200 {
		t.Fatalf("status %d after retry", st)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.bodies) != 2 || m.bodies[0] != m.bodies[1] || m.bodies[1] != `{"status":"sent"}` {
		t.Errorf("bodies sent: %q", m.bodies)
	}
	if m.authHeaders[0] != "Bearer tok-1" || m.authHeaders[1] != "Bearer tok-2" {
		t.Errorf("authorization headers: %q", m.authHeaders)
	}
	if m.tokenReqs.Load() != 2 {
		t.Errorf("%d token requests, want 2", m.tokenReqs.Load())
	}
}

func TestAPersistent401IsRetriedExactlyOnce(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	// The API rejects every token, old and new.
	m.set(func(m *miniDS) { m.rejectAll = true })
	if st := doGet(t, c, m.URL+"/restapi/v2.1/accounts/x"); st != 401 {
		t.Fatalf("status %d, want the 401 passed through", st)
	}
	if got := m.esignReqs.Load(); got != 2 {
		t.Errorf("%d attempts, want 2 (one retry, never a loop)", got)
	}
}

func TestA401IsNotRetriedWhenTheBodyCannotBeReplayed(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	c.Token(context.Background())
	m.revokeAll()
	// io.MultiReader hides the concrete type, so http.NewRequest sets no GetBody.
	req, _ := http.NewRequest(http.MethodPost, m.URL+"/restapi/v2.1/x", io.MultiReader(strings.NewReader("once")))
	if st := statusOf(t, c, req); st != 401 || m.esignReqs.Load() != 1 {
		t.Errorf("status %d after %d attempts; want the 401 without a retry", st, m.esignReqs.Load())
	}
}

func TestTheTokenIsNotSentToForeignHostsOrOverAnExplicitHeader(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	var got []string
	var mu sync.Mutex
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer foreign.Close()
	doGet(t, c, foreign.URL+"/download")
	req, _ := http.NewRequest(http.MethodGet, m.URL+"/restapi/v2.1/x", nil)
	req.Header.Set("Authorization", "Bearer mine")
	statusOf(t, c, req)
	if len(got) != 1 || got[0] != "" {
		t.Errorf("foreign host received Authorization %q", got)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.authHeaders[0] != "Bearer mine" || m.tokenReqs.Load() != 0 {
		t.Errorf("explicit header replaced: %q (token requests %d)", m.authHeaders, m.tokenReqs.Load())
	}
}

func TestOAuthErrorsSurfaceThroughDoAsTypedErrors(t *testing.T) {
	m := newMiniDS(t)
	m.set(func(m *miniDS) { m.oauthErr = "consent_required" })
	c := newMiniClient(t, m, WithRedirectURI("https://app.example.com/cb"))
	req, _ := http.NewRequest(http.MethodGet, m.URL+"/restapi/v2.1/x", nil)
	_, err := c.Do(req)
	var aerr *AuthError
	if !errors.Is(err, ErrConsentRequired) || !errors.As(err, &aerr) || !strings.HasPrefix(aerr.ConsentURL, m.URL+"/oauth/auth?") {
		t.Fatalf("got %v", err)
	}
	if m.esignReqs.Load() != 0 {
		t.Error("the API was called without a token")
	}
}

func TestUserInfoReplacesARejectedTokenOnce(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	c.Token(context.Background())
	m.revokeAll()
	if _, err := c.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.userinfoReqs.Load() != 2 || m.tokenReqs.Load() != 2 {
		t.Errorf("userinfo %d, token %d requests; want 2 and 2", m.userinfoReqs.Load(), m.tokenReqs.Load())
	}
}

func TestResetTokenForgetsTokenAndUserInfo(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	ctx := context.Background()
	c.UserInfo(ctx)
	if err := c.ResetToken(); err != nil {
		t.Fatal(err)
	}
	c.UserInfo(ctx)
	if m.userinfoReqs.Load() != 2 || m.tokenReqs.Load() != 2 {
		t.Errorf("userinfo %d, token %d requests; want 2 and 2", m.userinfoReqs.Load(), m.tokenReqs.Load())
	}
}

func TestGoLiveCountsOnlyESignatureCallsThroughTheClient(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	ctx := context.Background()
	c.UserInfo(ctx) // OAuth: not counted
	for range 19 {
		doGet(t, c, m.URL+"/restapi/v2.1/accounts/x")
		doGet(t, c, m.URL+"/management/v2/organizations") // Admin: not counted
	}
	if st := c.GoLive().Status(); st.Count != 19 || st.Ready || st.Observed != 19 {
		t.Fatalf("after 19 eSignature calls: %+v", st)
	}
	m.set(func(m *miniDS) { m.apiStatus = 400 })
	doGet(t, c, m.URL+"/management/v2/organizations") // failing Admin call: ignored
	if c.GoLive().Count() != 19 {
		t.Fatal("an Admin failure reset the count")
	}
	doGet(t, c, m.URL+"/restapi/v2.1/accounts/x/envelopes")
	st := c.GoLive().Status()
	if st.Count != 0 || st.LastFailure == nil || st.LastFailure.StatusCode != 400 || st.LastFailure.Path != "/restapi/v2.1/accounts/x/envelopes" {
		t.Fatalf("after an eSignature failure: %+v", st)
	}
	m.set(func(m *miniDS) { m.apiStatus = 0 })
	for range 20 {
		doGet(t, c, m.URL+"/restapi/v2.1/accounts/x")
	}
	if !c.GoLive().Ready() {
		t.Fatalf("not ready after 20 consecutive successes: %+v", c.GoLive().Status())
	}
}

func TestTokenCacheFileIsReusedByASecondClient(t *testing.T) {
	m := newMiniDS(t)
	dir := t.TempDir()
	ctx := context.Background()
	a := newMiniClient(t, m, WithTokenCacheDir(dir))
	ta, err := a.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := newMiniClient(t, m, WithTokenCacheDir(dir))
	tb, err := b.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ta.AccessToken != tb.AccessToken || m.tokenReqs.Load() != 1 {
		t.Fatalf("second client: token %v, %d token requests; want the cached token and 1 request", tb.AccessToken == ta.AccessToken, m.tokenReqs.Load())
	}
}

func TestACachedTokenIsNotUsedWithAnotherPrivateKey(t *testing.T) {
	m := newMiniDS(t)
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := newMiniClient(t, m, WithTokenCacheDir(dir)).Token(ctx); err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := NewPrivateKey(other)
	b, err := New(WithEnvironment(m.env), WithIntegrationKey(testIK), WithUserID(testUser),
		WithParsedPrivateKey(otherKey), WithTokenCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	// The server does not know the other key: the problem must show now,
	// not when the token cached with the first key expires.
	var aerr *AuthError
	if _, err := b.Token(ctx); !errors.As(err, &aerr) {
		t.Fatalf("a client with another key got the cached token (error %v)", err)
	}
	if n := m.tokenReqs.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestHTTPClientRequestsCarryTheBearerToken(t *testing.T) {
	m := newMiniDS(t)
	c := newMiniClient(t, m)
	resp, err := c.HTTPClient().Post(m.URL+"/restapi/v2.1/x", "application/json", bytes.NewReader([]byte("{}")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.authHeaders) != 1 || m.authHeaders[0] != "Bearer tok-1" {
		t.Errorf("Authorization headers %q", m.authHeaders)
	}
}

func TestSwitchingEnvironmentsNeverReusesTokensUserInfoOrBaseURIs(t *testing.T) {
	dev := newMiniDS(t)
	prod := newMiniDS(t)
	prod.set(func(m *miniDS) { m.prefix = "prod" })
	prodEnv := prod.env
	prodEnv.Name = dev.env.Name // same name: the OAuth URL alone must separate them
	prodEnv.ESignatureURL = ""
	prodEnv.Sandbox = false
	dir := t.TempDir()
	shared := NewMemoryTokenCache()
	ctx := context.Background()
	for _, cacheOpt := range []Option{WithTokenCacheDir(dir), WithTokenCache(shared)} {
		a := newMiniClient(t, dev, cacheOpt)
		ta, _ := a.Token(ctx)
		ua, _ := a.ESignatureURL(ctx)
		b := newMiniClient(t, prod, cacheOpt, WithEnvironment(prodEnv))
		tb, err := b.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tb.AccessToken == ta.AccessToken || !strings.HasPrefix(tb.AccessToken, "prod-") {
			t.Errorf("production client got %s, the developer token was %s", tb.AccessToken, ta.AccessToken)
		}
		ub, err := b.ESignatureURL(ctx)
		if err != nil || ub != prod.URL+"/restapi" || ub == ua {
			t.Errorf("production eSignature URL %s (%v); developer's was %s", ub, err, ua)
		}
		if st := doGet(t, b, ub+"/v2.1/accounts/x"); st != 200 {
			t.Errorf("production call answered %d", st)
		}
	}
	if dev.tokenReqs.Load() != 2 || prod.tokenReqs.Load() != 2 || prod.userinfoReqs.Load() != 2 {
		t.Errorf("token requests dev %d, prod %d; prod userinfo %d; want 2, 2, 2", dev.tokenReqs.Load(), prod.tokenReqs.Load(), prod.userinfoReqs.Load())
	}
}

// resettableSource counts Reset calls; each token is new after a Reset.
type resettableSource struct {
	mu     sync.Mutex
	n      int
	resets int
	mint   func(n int) string
}

func (s *resettableSource) Token(context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		s.n = 1
	}
	return &Token{AccessToken: s.mint(s.n)}, nil
}

func (s *resettableSource) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resets++
	s.n++
	return nil
}

func TestABringYourOwnTokenSourceIsResetOnA401(t *testing.T) {
	m := newMiniDS(t)
	// Tokens come from the fake's own JWT flow, wrapped in a custom source.
	jwtSrc, err := NewJWTTokenSource(testJWTConfig(t, m.env))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	issued := map[int]string{}
	src := &resettableSource{mint: func(n int) string {
		mu.Lock()
		defer mu.Unlock()
		if tok, ok := issued[n]; ok {
			return tok
		}
		tok, err := jwtSrc.Token(context.Background())
		if err != nil {
			t.Error(err)
			return ""
		}
		issued[n] = tok.AccessToken
		return tok.AccessToken
	}}
	c, err := New(WithEnvironment(m.env), WithTokenSource(src))
	if err != nil {
		t.Fatal(err)
	}
	if st := doGet(t, c, m.URL+"/restapi/v2.1/x"); st != 200 {
		t.Fatalf("status %d", st)
	}
	m.revokeAll()
	if st := doGet(t, c, m.URL+"/restapi/v2.1/x"); st != 200 {
		t.Fatalf("status %d after revocation", st)
	}
	if src.resets != 1 {
		t.Errorf("%d resets, want 1", src.resets)
	}
	if c.TokenSource() != TokenSource(src) {
		t.Error("TokenSource is not the configured source")
	}
}

// okTransport answers every request with 200 and no body.
type okTransport struct{}

func (okTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r, Header: http.Header{}}, nil
}

func BenchmarkAuthLayerOverhead(b *testing.B) {
	c, err := New(WithTokenSource(StaticTokenSource(&Token{AccessToken: "t"})))
	if err != nil {
		b.Fatal(err)
	}
	rt := &authTransport{base: okTransport{}, client: c}
	req, _ := http.NewRequest(http.MethodGet, Developer().ESignatureURL+"/v2.1/accounts/x", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEveryPrivateKeyOptionLoadsTheKey(t *testing.T) {
	path := t.TempDir() + "/key.pem"
	if err := os.WriteFile(path, testPKCS8(t), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DSGO_AUTH_TEST_KEY", strings.ReplaceAll(string(testPKCS1(t)), "\n", " "))
	parsed, _ := NewPrivateKey(testRSAKey(t))
	for name, opt := range map[string]Option{
		"WithPrivateKey":       WithPrivateKey(testPKCS1(t)),
		"WithPrivateKeyFile":   WithPrivateKeyFile(path),
		"WithPrivateKeyEnv":    WithPrivateKeyEnv("DSGO_AUTH_TEST_KEY"),
		"WithParsedPrivateKey": WithParsedPrivateKey(parsed),
	} {
		c, err := New(WithIntegrationKey(testIK), WithUserID(testUser), opt)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !c.settings.key.key.Equal(testRSAKey(t)) {
			t.Errorf("%s loaded a different key", name)
		}
	}
	_, err := New(WithIntegrationKey(testIK), WithUserID(testUser), WithPrivateKeyFile(path+".missing"))
	var kerr *KeyError
	if !errors.As(err, &kerr) || kerr.Kind != KeyUnreadable || !strings.Contains(err.Error(), "WithPrivateKeyFile") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := New(WithIntegrationKey(testIK), WithUserID(testUser), WithParsedPrivateKey(nil)); !errors.Is(err, &KeyError{Kind: KeyEmpty}) {
		t.Errorf("nil parsed key: %v", err)
	}
}

func TestTheTokenGoesOnlyToDocuSignHosts(t *testing.T) {
	m := newMiniDS(t)
	prodLike := m.env
	prodLike.ESignatureURL = ""
	c := newMiniClient(t, m, WithEnvironment(prodLike), WithOrganizationID("bbbbbbbb-0000-4000-8000-000000000009"),
		WithAccountID("aaaaaaaa-0000-4000-8000-000000000001")) // the account on na9
	if c.OrganizationID() != "bbbbbbbb-0000-4000-8000-000000000009" {
		t.Errorf("OrganizationID = %s", c.OrganizationID())
	}
	if _, err := c.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		want bool
	}{
		{m.URL + "/restapi/v2.1/x", true},                     // the environment's host
		{"https://na9.docusign.net/restapi/v2.1/x", true},     // the selected account's base_uri
		{"https://NA9.docusign.net:443/restapi/v2.1/x", true}, // the same origin spelled otherwise
		{"https://eu.docusign.net/restapi", false},            // DocuSign's, but not this client's
		{"https://account.docusign.com/oauth/userinfo", false},
		{"https://evil.docusign.com/steal", false},
		{"http://na9.docusign.net/restapi", false}, // not https
		{"https://docusign.net.evil.example/restapi", false},
		{"https://storage.example.com/doc.pdf", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := c.sendsTokenTo(context.Background(), u); got != tt.want {
			t.Errorf("sendsTokenTo(%s) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestTheTokenGoesOnlyToTheSelectedAccountsHTTPSBaseURI(t *testing.T) {
	m := newMiniDS(t)
	ctx := context.Background()
	na9, _ := url.Parse("https://na9.docusign.net/restapi/v2.1/x")
	// The default account is "Main" (base_uri m.URL); na9 belongs to another
	// account of the user and must not get the token.
	c := newMiniClient(t, m)
	if c.sendsTokenTo(ctx, na9) {
		t.Error("the base_uri of an account the client did not select gets the token")
	}
	// Main's base_uri is http: refused unless the environment allows it.
	strict := m.env
	strict.ESignatureURL, strict.AllowHTTP = "", false
	c = newMiniClient(t, m, WithEnvironment(strict))
	if _, err := c.Account(ctx); err == nil || !strings.Contains(err.Error(), "not https") {
		t.Errorf("an http base_uri was accepted: %v", err)
	}
	main, _ := url.Parse(m.URL + "/restapi/v2.1/x")
	other, _ := url.Parse("http://" + main.Hostname() + ":1/restapi")
	if c.sendsTokenTo(ctx, other) {
		t.Error("a plain http host outside the environment gets the token")
	}
	allowed := strict
	allowed.AllowHTTP = true
	c = newMiniClient(t, m, WithEnvironment(allowed))
	if a, err := c.Account(ctx); err != nil || a.BaseURI != m.URL {
		t.Errorf("with AllowHTTP: %v, %v", a, err)
	}
}

func TestTheTokenGoesToTheAccountHostBeforeUserInfoWasAskedFor(t *testing.T) {
	// In production the eSignature host is the account's base_uri; a request
	// to it made before anything loaded the user info still carries the
	// token (the client learns its hosts from userinfo first), while a
	// foreign host still does not get it.
	m := newMiniDS(t)
	prodLike := m.env
	prodLike.ESignatureURL = ""
	c := newMiniClient(t, m, WithEnvironment(prodLike), WithAccountID("aaaaaaaa-0000-4000-8000-000000000001"))
	u, _ := url.Parse("https://na9.docusign.net/restapi/v2.1/x")
	if !c.sendsTokenTo(context.Background(), u) {
		t.Error("the account host of a client that has not loaded its user info yet gets no token")
	}
	if n := m.userinfoReqs.Load(); n != 1 {
		t.Errorf("%d userinfo requests, want 1", n)
	}
	foreign, _ := url.Parse("https://eu.docusign.net/restapi")
	if c.sendsTokenTo(context.Background(), foreign) {
		t.Error("a host outside the environment and the user's accounts gets the token")
	}
	if n := m.userinfoReqs.Load(); n != 1 {
		t.Errorf("%d userinfo requests after the second check, want 1 (cached)", n)
	}
}

func TestDefaultTokenCacheDirIsPerUser(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	dir, err := DefaultTokenCacheDir()
	if err != nil {
		t.Skip("no user cache directory here:", err)
	}
	if !strings.HasSuffix(dir, filepath.Join("dsgo-docusign", "tokens")) {
		t.Errorf("DefaultTokenCacheDir = %s", dir)
	}
}

func TestLogsNameTokenRequestsAndCacheFailuresButNoSecrets(t *testing.T) {
	m := newMiniDS(t)
	logger, logged := captureLog(true)
	c := newMiniClient(t, m, WithLogger(logger), WithTokenCache(&failingCache{MemoryTokenCache{m: map[string]*Token{}}}))
	tok, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	doGet(t, c, m.URL+"/restapi/v2.1/x")
	out := logged()
	for _, want := range []string{"obtained a new access token", "token cache failed", "disk full"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{tok.AccessToken, "assertion", pemBody(testPKCS1(t))[100:140]} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	var cerr *TokenCacheError
	if !errors.As(c.caching.LastCacheError(), &cerr) {
		t.Errorf("LastCacheError = %v", c.caching.LastCacheError())
	}
}

// lockedWriter serialises writes from concurrent log calls.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// captureLog returns a Debug-level logger writing JSON (or text) lines, and
// a function returning everything it has written so far.
func captureLog(asJSON bool) (*slog.Logger, func() string) {
	var buf bytes.Buffer
	var mu sync.Mutex
	w := &lockedWriter{w: &buf, mu: &mu}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if asJSON {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h), func() string {
		mu.Lock()
		defer mu.Unlock()
		return buf.String()
	}
}

func TestValidGUIDAcceptsOnlyTheHyphenatedHexForm(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", true},
		{"0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0", true},
		{"", false},
		{"0b1c2d3e4f5061728394a5b6c7d8e9f0", false},       // no hyphens
		{"{0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0}", false}, // braces
		{"0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f", false},    // one digit short
		{"0b1c2d3e-4f50-6172-8394-a5b6c7d8e9fg", false},   // not hex
		{" 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", false},
		{"ada@example.com", false},
	}
	for _, tt := range tests {
		if got := ValidGUID(tt.s); got != tt.want {
			t.Errorf("ValidGUID(%q) = %v, want %v", tt.s, got, tt.want)
		}
		if err := checkGUID(tt.s); (err == nil) != tt.want {
			t.Errorf("checkGUID(%q) = %v, disagreeing with ValidGUID", tt.s, err)
		}
	}
}

func TestAFailedRefreshAfterA401LogsNoQueryValues(t *testing.T) {
	m := newMiniDS(t)
	logger, logged := captureLog(false)
	c := newMiniClient(t, m, WithLogger(logger))
	if code := doGet(t, c, m.URL+"/restapi/v2.1/accounts"); code != 200 {
		t.Fatalf("first call: %d", code)
	}
	m.revokeAll()
	m.set(func(m *miniDS) { m.oauthErr = "invalid_grant" })
	req, _ := http.NewRequest(http.MethodGet, m.URL+"/restapi/v2.1/accounts/x/users?email=private-filter%40example.com", nil)
	_, err := c.Do(req)
	if err == nil {
		t.Fatal("a 401 with a failing refresh succeeded")
	}
	logs := logged()
	if strings.Contains(logs, "private-filter") {
		t.Errorf("the log carries the query value: %s", logs)
	}
	if !strings.Contains(logs, "was answered 401") {
		t.Errorf("the failed refresh is not logged: %s", logs)
	}
	if !strings.Contains(err.Error(), "/restapi/v2.1/accounts/x/users") {
		t.Errorf("the error does not name the path: %v", err)
	}
}

func TestA401RefreshAndRetryIsLoggedAsItsOwnAttempt(t *testing.T) {
	m := newMiniDS(t)
	logger, logged := captureLog(false)
	c := newMiniClient(t, m, WithLogger(logger))
	if _, err := c.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.revokeAll()
	before := len(logged())
	if st := doGet(t, c, m.URL+"/restapi/v2.1/accounts/x"); st != 200 {
		t.Fatalf("status %d", st)
	}
	logs := logged()[before:]
	var attempts []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "http attempt") && strings.Contains(line, "/restapi/v2.1/accounts/x") {
			attempts = append(attempts, line)
		}
	}
	if len(attempts) != 2 || !strings.Contains(attempts[0], "attempt=1") || !strings.Contains(attempts[0], "status=401") ||
		!strings.Contains(attempts[0], "access token replaced") || !strings.Contains(attempts[1], "attempt=2") || !strings.Contains(attempts[1], "status=200") {
		t.Fatalf("attempt lines:\n%s", strings.Join(attempts, "\n"))
	}
}

func TestMiddlewareNeverSeesTheAuthorizationHeader(t *testing.T) {
	m := newMiniDS(t)
	var mu sync.Mutex
	var seen []string
	spy := func(next http.RoundTripper) http.RoundTripper {
		return transportFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization"))
			mu.Unlock()
			return next.RoundTrip(r)
		})
	}
	c := newMiniClient(t, m, WithMiddleware(spy))
	if _, err := c.UserInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.revokeAll() // the userinfo and API 401 paths too
	c.ResetToken()
	if st := doGet(t, c, m.URL+"/restapi/v2.1/accounts/x"); st != 200 {
		t.Fatalf("status %d", st)
	}
	// A token request with client authentication (the code grant's Basic
	// credentials) through the Client's OAuth pipeline: the server gets
	// them, the middleware does not.
	var gotBasic bool
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, secret, ok := r.BasicAuth()
		gotBasic = ok && secret == "client-secret"
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"x","token_type":"Bearer","expires_in":60}`)
	}))
	defer tokenSrv.Close()
	_, _, err := requestToken(context.Background(), c.oauthHTTP, tokenSrv.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}},
		func(r *http.Request) { r.SetBasicAuth(testIK, "client-secret") }, time.Now(), time.Hour, time.Hour)
	if err != nil || !gotBasic {
		t.Fatalf("token request: %v, server got the client credentials: %v", err, gotBasic)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 4 {
		t.Fatalf("middleware saw only %q", seen)
	}
	for _, s := range seen {
		if strings.Contains(s, "Bearer") || strings.Contains(s, "Basic") {
			t.Errorf("middleware saw an Authorization header: %s", s)
		}
	}
	// Without the Client's pipeline (a caller's own *http.Client) the
	// credentials are set on the request itself.
	gotBasic = false
	if _, _, err := requestToken(context.Background(), http.DefaultClient, tokenSrv.URL+"/oauth/token", url.Values{},
		func(r *http.Request) { r.SetBasicAuth(testIK, "client-secret") }, time.Now(), time.Hour, time.Hour); err != nil || !gotBasic {
		t.Errorf("a plain http.Client: %v, credentials sent: %v", err, gotBasic)
	}
}
