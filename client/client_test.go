package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// testClock is a settable clock shared by the fake and the Client.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeEnv starts a fake DocuSign and returns it with its environment, marked
// as a sandbox so Go-Live tracking runs.
func fakeEnv(t *testing.T, opts ...docusigntest.Option) (*docusigntest.Server, client.Environment) {
	t.Helper()
	srv := docusigntest.NewServer(opts...)
	t.Cleanup(srv.Close)
	env := srv.Environment()
	env.Sandbox = true
	return srv, env
}

// newClient returns a Client for integration in on the fake.
func newClient(t *testing.T, env client.Environment, in docusigntest.Integration, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(append([]client.Option{
		client.WithEnvironment(env),
		client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID),
		client.WithPrivateKey(in.PrivateKeyPEM()),
	}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// get performs GET url through the Client and returns the status (taken
// from the *client.APIError the pipeline returns for error answers).
func get(t *testing.T, c *client.Client, url string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestFullJWTFlowAgainstTheFake(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	c := newClient(t, env, in, client.WithScopes(client.ScopeSignature, client.ScopeOrganizationRead, client.ScopeUserRead))
	ctx := context.Background()

	ui, err := c.UserInfo(ctx)
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if !strings.EqualFold(ui.Sub, in.UserID) {
		t.Errorf("userinfo sub %s, want %s", ui.Sub, in.UserID)
	}
	acct, err := c.Account(ctx)
	if err != nil || !strings.EqualFold(acct.AccountID, in.AccountID) || !acct.IsDefault {
		t.Fatalf("Account = %+v, %v; want the default account %s", acct, err, in.AccountID)
	}
	base, err := c.ESignatureURL(ctx)
	if err != nil || base != srv.URL()+"/restapi" {
		t.Fatalf("ESignatureURL = %s, %v", base, err)
	}
	if st := get(t, c, base+"/v2.1/accounts/"+acct.AccountID); st != 200 {
		t.Fatalf("account call answered %d", st)
	}
	if st := get(t, c, c.AdminURL()+"/v2/organizations/"+srv.OrgID()+"/users"); st != 200 {
		t.Fatalf("admin call answered %d", st)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestOAuthErrorsFromTheFakeAreTyped(t *testing.T) {
	srv, env := fakeEnv(t)
	good := srv.NewIntegration()
	wrongKey := good
	wrongKey.PrivateKey = docusigntest.TestKey(1)
	unknownIssuer := good
	unknownIssuer.Key = "99999999-9999-4999-8999-999999999999"
	unknownUser := good
	unknownUser.UserID = "88888888-8888-4888-8888-888888888888"
	noConsent := srv.NewIntegration(docusigntest.WithoutConsent())
	otherHost := env
	otherHost.OAuthURL = strings.Replace(env.OAuthURL, "127.0.0.1", "localhost", 1) // aud no longer matches

	tests := []struct {
		name     string
		env      client.Environment
		in       docusigntest.Integration
		sentinel error
		code     string
	}{
		{"a missing consent is ErrConsentRequired", env, noConsent, client.ErrConsentRequired, "consent_required"},
		{"a key the integration does not have is ErrInvalidKey", env, wrongKey, client.ErrInvalidKey, "no_valid_keys_or_signatures"},
		{"an unknown integration key is ErrUnknownIssuer", env, unknownIssuer, client.ErrUnknownIssuer, "issuer_not_found"},
		{"an unknown user is ErrUserNotFound", env, unknownUser, client.ErrUserNotFound, "user_not_found"},
		{"a wrong audience is ErrInvalidGrant", otherHost, good, client.ErrInvalidGrant, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.env, tt.in)
			_, err := c.Token(context.Background())
			var aerr *client.AuthError
			if !errors.As(err, &aerr) || aerr.Code != tt.code || !errors.Is(err, tt.sentinel) {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if aerr.StatusCode != http.StatusBadRequest {
				t.Errorf("StatusCode %d", aerr.StatusCode)
			}
		})
	}
}

func TestConsentRequiredCarriesAWorkingConsentURL(t *testing.T) {
	srv, env := fakeEnv(t)
	const redirect = "https://collector.example.com/docusign/callback"
	in := srv.NewIntegration(docusigntest.WithoutConsent(), docusigntest.WithRedirectURIs(redirect))
	c := newClient(t, env, in, client.WithRedirectURI(redirect))
	ctx := context.Background()

	_, err := c.Token(ctx)
	var aerr *client.AuthError
	if !errors.Is(err, client.ErrConsentRequired) || !errors.As(err, &aerr) {
		t.Fatalf("got %v, want consent_required", err)
	}
	want, _ := c.ConsentURL("")
	if aerr.ConsentURL == "" || aerr.ConsentURL != want || !strings.Contains(err.Error(), want) {
		t.Fatalf("ConsentURL %q, want %q in the error", aerr.ConsentURL, want)
	}

	// Visiting the URL grants consent (the fake's consent page redirects).
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	stateURL, _ := c.ConsentURL("xyz")
	resp, err := noFollow.Get(stateURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, redirect+"?") || !strings.Contains(loc, "state=xyz") {
		t.Fatalf("consent page answered %d, Location %q", resp.StatusCode, loc)
	}
	if _, err := c.Token(ctx); err != nil {
		t.Fatalf("after consent: %v", err)
	}
}

func TestThousandConcurrentCallsCauseOneTokenRequest(t *testing.T) {
	clk := newTestClock()
	srv, env := fakeEnv(t, docusigntest.WithClock(clk.Now))
	in := srv.NewIntegration()
	c := newClient(t, env, in, client.WithTestClock(clk.Now))
	ctx := context.Background()
	accountURL := env.ESignatureURL + "/v2.1/accounts/" + in.AccountID

	run := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for i := range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%10 == 0 { // every tenth is a real API call
					req, _ := http.NewRequest(http.MethodGet, accountURL, nil)
					resp, err := c.Do(req)
					if err != nil {
						errs <- err
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						errs <- fmt.Errorf("status %d", resp.StatusCode)
					}
					return
				}
				if _, err := c.Token(ctx); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	run()
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("1000 concurrent calls without a token made %d token requests, want 1", n)
	}
	clk.Advance(2 * time.Hour) // the token has expired
	run()
	if n := srv.TokenRequests(); n != 2 {
		t.Fatalf("1000 concurrent calls with an expired token made %d token requests in all, want 2", n)
	}
}

func TestTokensAreRefreshedBeforeTheyExpire(t *testing.T) {
	clk := newTestClock()
	srv, env := fakeEnv(t, docusigntest.WithClock(clk.Now)) // tokens live one hour
	in := srv.NewIntegration()
	c := newClient(t, env, in, client.WithTestClock(clk.Now), client.WithRefreshMargin(5*time.Minute))
	ctx := context.Background()
	first, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(54 * time.Minute)
	if tok, _ := c.Token(ctx); tok.AccessToken != first.AccessToken || srv.TokenRequests() != 1 {
		t.Fatalf("with 6 minutes left the token was replaced (%d requests)", srv.TokenRequests())
	}
	clk.Advance(2 * time.Minute)
	second, _ := c.Token(ctx)
	if second.AccessToken == first.AccessToken || srv.TokenRequests() != 2 {
		t.Fatalf("with 4 minutes left (margin 5) the token was not replaced (%d requests)", srv.TokenRequests())
	}
	if st := get(t, c, env.ESignatureURL+"/v2.1/accounts/"+in.AccountID); st != 200 {
		t.Fatalf("the refreshed token is rejected: %d", st)
	}
}

func TestARevokedTokenIsReplacedOnce(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	c := newClient(t, env, in)
	url := env.ESignatureURL + "/v2.1/accounts/" + in.AccountID
	if st := get(t, c, url); st != 200 {
		t.Fatal(st)
	}
	srv.InvalidateTokens()
	if st := get(t, c, url); st != 200 {
		t.Fatalf("after revocation: %d", st)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestConcurrentRequestsWithARevokedTokenCauseOneNewTokenRequest(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	c := newClient(t, env, in)
	url := env.ESignatureURL + "/v2.1/accounts/" + in.AccountID
	if st := get(t, c, url); st != 200 {
		t.Fatal(st)
	}
	srv.InvalidateTokens()
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestResetTokenMakesTheNextCallAuthenticateAgain(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	dir := t.TempDir()
	c := newClient(t, env, in, client.WithTokenCacheDir(dir))
	ctx := context.Background()
	first, _ := c.Token(ctx)
	if err := c.ResetToken(); err != nil {
		t.Fatal(err)
	}
	// The persistent cache was cleared too: a new Client does not find it.
	other := newClient(t, env, in, client.WithTokenCacheDir(dir))
	second, err := other.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || srv.TokenRequests() != 2 {
		t.Fatalf("after ResetToken: same token %v, %d requests; want a new token", second.AccessToken == first.AccessToken, srv.TokenRequests())
	}
}

func TestAFileCacheIsPrivateAndSharedBetweenClients(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	dir := t.TempDir() + "/tokens"
	ctx := context.Background()

	// Two runs of a collector: separate Clients, same cache directory.
	first := newClient(t, env, in, client.WithTokenCacheDir(dir))
	if st := get(t, first, env.ESignatureURL+"/v2.1/accounts/"+in.AccountID); st != 200 {
		t.Fatal(st)
	}
	second := newClient(t, env, in, client.WithTokenCacheDir(dir))
	if st := get(t, second, env.ESignatureURL+"/v2.1/accounts/"+in.AccountID); st != 200 {
		t.Fatal(st)
	}
	if _, err := second.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("the second Client made %d token requests in all, want 1 (reuse from the file cache)", n-1)
	}
	if runtime.GOOS == "windows" {
		return
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("cache directory mode %o, want 700", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("cache holds %d files, want 1", len(entries))
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %o, want 600", info.Mode().Perm())
	}
}

func TestSwitchingEnvironmentReusesNothing(t *testing.T) {
	// Two fakes with the same seed issue the same integration key and user
	// IDs, like a key promoted from developer to production.
	devSrv, devEnv := fakeEnv(t)
	prodSrv, prodEnv := fakeEnv(t)
	prodEnv.Name = "production-like"
	prodEnv.ESignatureURL = "" // production: from the account's base_uri
	prodEnv.Sandbox = false
	devIn := devSrv.NewIntegration()
	prodIn := prodSrv.NewIntegration()
	if devIn.Key != prodIn.Key || devIn.UserID != prodIn.UserID {
		t.Fatalf("the fakes differ in integration key or user; the test needs identical IDs")
	}
	dir := t.TempDir()
	ctx := context.Background()

	dev := newClient(t, devEnv, devIn, client.WithTokenCacheDir(dir))
	devTok, _ := dev.Token(ctx)
	devBase, _ := dev.ESignatureURL(ctx)
	devUI, _ := dev.UserInfo(ctx)

	prod := newClient(t, prodEnv, prodIn, client.WithTokenCacheDir(dir))
	prodTok, err := prod.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if prodTok.AccessToken == devTok.AccessToken || prodSrv.TokenRequests() != 1 {
		t.Errorf("production reused the developer token (%d production token requests)", prodSrv.TokenRequests())
	}
	prodBase, err := prod.ESignatureURL(ctx)
	if err != nil || prodBase != prodSrv.URL()+"/restapi" || prodBase == devBase {
		t.Errorf("production eSignature base %s (%v); developer's %s", prodBase, err, devBase)
	}
	prodUI, _ := prod.UserInfo(ctx)
	if prodUI == devUI || prodUI.Accounts[0].BaseURI != prodSrv.URL() {
		t.Errorf("production user info came from the developer environment: %+v", prodUI.Accounts[0])
	}
	if st := get(t, prod, prodBase+"/v2.1/accounts/"+prodIn.AccountID); st != 200 {
		t.Errorf("production call answered %d", st)
	}
	if devSrv.TokenRequests() != 1 || len(prodSrv.RequestsTo("/oauth/userinfo")) != 1 {
		t.Errorf("developer token requests %d, production userinfo requests %d", devSrv.TokenRequests(), len(prodSrv.RequestsTo("/oauth/userinfo")))
	}
}

func TestAccountSelectionAgainstTheFake(t *testing.T) {
	srv, env := fakeEnv(t, docusigntest.WithAccounts(3))
	in := srv.NewIntegration()
	accounts := srv.Accounts()
	ctx := context.Background()

	picked := newClient(t, env, in, client.WithAccountID(strings.ToUpper(accounts[2].ID)))
	if id, err := picked.AccountID(ctx); err != nil || !strings.EqualFold(id, accounts[2].ID) {
		t.Errorf("configured account: %s, %v", id, err)
	}
	def := newClient(t, env, in)
	if id, _ := def.AccountID(ctx); !strings.EqualFold(id, in.AccountID) {
		t.Errorf("default account %s, want %s", id, in.AccountID)
	}
	unknown := newClient(t, env, in, client.WithAccountID("77777777-7777-4777-8777-777777777777"))
	_, err := unknown.Account(ctx)
	var anf *client.AccountNotFoundError
	if !errors.As(err, &anf) || !errors.Is(err, client.ErrAccountNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	for _, a := range accounts {
		if !strings.Contains(err.Error(), a.ID) {
			t.Errorf("error does not list account %s: %v", a.ID, err)
		}
	}
}

func TestGoLiveCountsESignatureCallsMadeThroughTheClient(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	c := newClient(t, env, in)
	ctx := context.Background()
	accountURL := env.ESignatureURL + "/v2.1/accounts/" + in.AccountID
	usersURL := env.AdminURL + "/v2/organizations/" + srv.OrgID() + "/users"
	monitorURL := env.MonitorURL + "/api/v2.0/datasets/monitor/stream"

	if _, err := c.UserInfo(ctx); err != nil { // OAuth: not counted
		t.Fatal(err)
	}
	for i := range 19 {
		if st := get(t, c, accountURL); st != 200 {
			t.Fatalf("call %d: %d", i, st)
		}
		get(t, c, usersURL)
		get(t, c, monitorURL)
	}
	g := c.GoLive()
	if g.Ready() || g.Count() != 19 {
		t.Fatalf("after 19 eSignature calls: %v", g.Status())
	}
	srv.FailNext("/management", 1, http.StatusBadRequest) // Admin failures do not count
	get(t, c, usersURL)
	if g.Count() != 19 {
		t.Fatalf("an Admin failure changed the count: %v", g.Status())
	}
	srv.FailNext("/restapi", 1, http.StatusBadRequest)
	get(t, c, accountURL)
	st := g.Status()
	if st.Count != 0 || st.LastFailure == nil || st.LastFailure.StatusCode != 400 || st.LastFailure.Method != "GET" ||
		st.LastFailure.Path != "/restapi/v2.1/accounts/"+in.AccountID {
		t.Fatalf("after an eSignature failure: %v", st)
	}
	for range client.GoLiveRequired {
		get(t, c, accountURL)
	}
	if !g.Ready() || g.Status().Required != 20 {
		t.Fatalf("after 20 consecutive successes: %v", g.Status())
	}
	if got := srv.ESignatureRequests(); got != 19+1+20 {
		t.Errorf("the fake saw %d eSignature requests; the tracker must not make any of its own", got)
	}
}

func TestSecretsNeverAppearInFormattedValues(t *testing.T) {
	srv, env := fakeEnv(t)
	in := srv.NewIntegration()
	c := newClient(t, env, in)
	tok, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key := in.PrivateKey
	pemText := string(in.PrivateKeyPEM())
	secrets := []string{tok.AccessToken, key.D.String()[:40], pemText[40:100]}

	// A configuration error caused by a damaged key.
	_, cfgErr := client.New(client.WithIntegrationKey(in.Key), client.WithUserID("not-a-guid"),
		client.WithPrivateKey([]byte(strings.Replace(pemText, "\n", "\n!!", 3))))
	if cfgErr == nil {
		t.Fatal("damaged configuration accepted")
	}
	values := map[string]any{
		"token":        tok,
		"client":       c,
		"token source": c.TokenSource(),
		"config error": cfgErr,
		"struct":       struct{ C *client.Client }{c},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s formatted with %s reveals a secret: %.200s", name, verb, out)
				}
			}
		}
	}
}
