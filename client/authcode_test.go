package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// codeFixture is a fake DocuSign and a Client using the Authorization Code
// Grant against it, with a loopback listener for the redirect.
type codeFixture struct {
	srv   *docusigntest.Server
	in    docusigntest.Integration
	cache client.TokenCache
	ln    net.Listener
	logs  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newCodeFixture(t *testing.T, srvOpts []docusigntest.Option, inOpts ...docusigntest.IntegrationOption) *codeFixture {
	t.Helper()
	srv := docusigntest.NewServer(append([]docusigntest.Option{docusigntest.WithUsers(3), docusigntest.WithEvents(0), docusigntest.WithEnvelopes(0)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	return &codeFixture{srv: srv, in: srv.NewIntegration(append([]docusigntest.IntegrationOption{docusigntest.WithoutConsent()}, inOpts...)...),
		cache: client.NewMemoryTokenCache(), logs: &syncBuffer{}}
}

// listen opens a fresh loopback listener for one login and returns its
// redirect URI.
func (f *codeFixture) listen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f.ln = ln
	return "http://" + ln.Addr().String() + "/callback"
}

// client builds a Client for the fixture; redirect may be "".
func (f *codeFixture) client(t *testing.T, redirect string, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{
		client.WithEnvironment(f.srv.Environment()),
		client.WithIntegrationKey(f.in.Key),
		client.WithAuthorizationCode(),
		client.WithTokenCache(f.cache),
		client.WithTestClock(f.srv.Clock()),
		client.WithLogger(slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	if redirect != "" {
		base = append(base, client.WithRedirectURI(redirect))
	}
	c, err := client.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// login logs c in through the fake's browser and the fixture's listener.
func (f *codeFixture) login(t *testing.T, c *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Login(ctx, client.LoginOptions{Open: f.srv.Browser(), Listener: f.ln}); err != nil {
		t.Fatalf("Login: %v", err)
	}
}

// getAccount makes one eSignature call and returns its status.
func getAccount(t *testing.T, c *client.Client) int {
	t.Helper()
	ctx := context.Background()
	id, err := c.AccountID(ctx)
	if err != nil {
		t.Fatalf("AccountID: %v", err)
	}
	base, err := c.ESignatureURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.HTTPClient().Get(base + "/v2.1/accounts/" + id)
	if err != nil {
		t.Fatalf("GET account: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// secretsSent collects every code, verifier, secret and token that crossed
// the wire, from the fake's request log and the answers' tokens.
func secretsSent(srv *docusigntest.Server, extra ...string) []string {
	out := append([]string(nil), extra...)
	for _, r := range srv.Requests() {
		if r.Path == "/oauth/token" {
			form, _ := url.ParseQuery(string(r.Body))
			for _, k := range []string{"code", "code_verifier", "refresh_token", "assertion"} {
				if v := form.Get(k); v != "" {
					out = append(out, v)
				}
			}
		}
		if h := r.Header.Get("Authorization"); h != "" {
			if _, v, ok := strings.Cut(h, " "); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// requireNoSecrets fails if any secret occurs in any of texts.
func requireNoSecrets(t *testing.T, secrets []string, texts map[string]string) {
	t.Helper()
	if len(secrets) == 0 {
		t.Fatal("no secrets collected: the check would pass vacuously")
	}
	for name, text := range texts {
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(text, s) {
				t.Errorf("%s contains a secret (%d chars)", name, len(s))
			}
		}
	}
}

func TestAuthCodeEndToEnd(t *testing.T) {
	f := newCodeFixture(t, nil)
	redirect := f.listen(t)
	c := f.client(t, redirect)
	ctx := context.Background()

	_, errBefore := c.Token(ctx)
	if !errors.Is(errBefore, client.ErrLoginRequired) {
		t.Fatalf("before login: %v, want ErrLoginRequired", errBefore)
	}

	f.login(t, c)
	if got := f.srv.GrantRequests("authorization_code"); got != 1 {
		t.Fatalf("%d code exchanges, want 1", got)
	}
	ui, err := c.UserInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ui.Sub != f.in.UserID {
		t.Errorf("logged in as %s, want the fake's consenting user %s", ui.Sub, f.in.UserID)
	}
	if st := getAccount(t, c); st != http.StatusOK {
		t.Fatalf("eSignature call after login: %d", st)
	}
	if got := c.GoLive().Count(); got != 1 {
		t.Errorf("Go-Live streak %d after one eSignature call, want 1", got)
	}
	// Another environment (here: the same server under another name, as
	// after Go-Live) never sees this login.
	env := f.srv.Environment()
	env.Name = "production-like"
	other, err := client.New(client.WithEnvironment(env), client.WithIntegrationKey(f.in.Key),
		client.WithAuthorizationCode(), client.WithTokenCache(f.cache))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Token(ctx); !errors.Is(err, client.ErrLoginRequired) {
		t.Errorf("a Client for another environment on the same cache: %v, want ErrLoginRequired", err)
	}
	first, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if life := first.Expiry.Sub(f.srv.Now()); life < 7*time.Hour || life > 8*time.Hour {
		t.Errorf("access token lasts %s, want the 8 hours of the code grant", life)
	}

	// Access token expiry: many concurrent callers, one refresh request.
	f.srv.Advance(8 * time.Hour)
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, _ := c.AccountID(ctx)
			base, _ := c.ESignatureURL(ctx)
			resp, err := c.HTTPClient().Get(base + "/v2.1/accounts/" + id)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Fatalf("a call after access token expiry answered %d", st)
		}
	}
	if got := f.srv.GrantRequests("refresh_token"); got != 1 {
		t.Fatalf("%d refresh requests for 50 concurrent callers, want 1", got)
	}

	// The rotated refresh token is persisted: a new process (a new Client on
	// the same cache) reuses the access token without any token request.
	second, _ := c.Token(ctx)
	if second.RefreshToken == first.RefreshToken {
		t.Fatal("the fake rotates refresh tokens, but the Client kept the old one")
	}
	c2 := f.client(t, "")
	tok2, err := c2.Token(ctx)
	if err != nil {
		t.Fatalf("a second Client on the same cache: %v", err)
	}
	if tok2.AccessToken != second.AccessToken || tok2.RefreshToken != second.RefreshToken {
		t.Error("a second Client on the same cache did not find the rotated tokens")
	}
	if got := f.srv.GrantRequests("refresh_token"); got != 1 {
		t.Errorf("%d refresh requests after a second Client started, want still 1", got)
	}

	// A revoked access token (401) is replaced with the refresh token; the
	// login survives.
	f.srv.InvalidateTokens()
	if st := getAccount(t, c); st != http.StatusOK {
		t.Fatalf("call after the access token was revoked: %d", st)
	}
	if got := f.srv.GrantRequests("refresh_token"); got != 2 {
		t.Errorf("%d refresh requests after a 401, want 2", got)
	}

	// Refresh token expiry: a typed "log in again".
	f.srv.Advance(31 * 24 * time.Hour)
	_, errAfter := c.Token(ctx)
	if !errors.Is(errAfter, client.ErrLoginRequired) {
		t.Fatalf("after refresh token expiry: %v, want ErrLoginRequired", errAfter)
	}
	var lre *client.LoginRequiredError
	var aerr *client.AuthError
	if !errors.As(errAfter, &lre) || !errors.As(errAfter, &aerr) || aerr.Code != "invalid_grant" || aerr.Grant != client.GrantTypeRefreshToken {
		t.Errorf("want a LoginRequiredError wrapping invalid_grant of the refresh grant, got %#v", errAfter)
	}
	if !strings.Contains(errAfter.Error(), "log in again") {
		t.Errorf("error does not say to log in again: %v", errAfter)
	}

	// Nothing secret in errors, %v of the values involved, or the log.
	flow, err := c.AuthCodeFlow()
	if err != nil {
		t.Fatal(err)
	}
	secrets := secretsSent(f.srv, first.AccessToken, first.RefreshToken, second.AccessToken, second.RefreshToken)
	texts := map[string]string{"log": f.logs.String()}
	for name, v := range map[string]any{"error before login": errBefore, "error after expiry": errAfter, "client": c, "token": first, "flow": flow} {
		texts[name] = fmt.Sprintf("%v|%+v|%#v|%s|%q", v, v, v, v, v)
	}
	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("values", "token", first, "client", c, "flow", flow)
	texts["slog"] = js.String()
	requireNoSecrets(t, secrets, texts)
}

func TestAuthCodeLogoutForgetsTheLogin(t *testing.T) {
	f := newCodeFixture(t, nil)
	dir := t.TempDir()
	fc, err := client.NewFileTokenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.cache = fc
	c := f.client(t, f.listen(t))
	f.login(t, c)
	ctx := context.Background()
	if n := tokenFiles(t, dir); n != 1 {
		t.Fatalf("%d token files after login, want 1", n)
	}
	// Reset (as after a 401) keeps the login: the next call refreshes.
	if err := c.ResetToken(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client(t, "").Token(ctx); err != nil {
		t.Fatalf("a new Client after ResetToken: %v", err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tokenFiles(t, dir); n != 0 {
		t.Errorf("%d token files after Logout, want 0", n)
	}
	if _, err := c.Token(ctx); !errors.Is(err, client.ErrLoginRequired) {
		t.Errorf("Token after Logout: %v, want ErrLoginRequired", err)
	}
	if _, err := f.client(t, "").Token(ctx); !errors.Is(err, client.ErrLoginRequired) {
		t.Errorf("a new Client after Logout: %v, want ErrLoginRequired", err)
	}
}

// tokenFiles counts the token files of a FileTokenCache directory.
func tokenFiles(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "token-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestAuthCodeLoginRefusals(t *testing.T) {
	f := newCodeFixture(t, nil)
	ctx := context.Background()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// authorize plays the login page and returns the redirect's query.
	authorize := func(t *testing.T, flow *client.AuthCodeFlow) url.Values {
		t.Helper()
		resp, err := noFollow.Get(flow.AuthURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil {
			t.Fatalf("login page answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc.Query()
	}
	c := f.client(t, "http://127.0.0.1:1/callback")
	newFlow := func(t *testing.T) *client.AuthCodeFlow {
		t.Helper()
		flow, err := c.AuthCodeFlow()
		if err != nil {
			t.Fatal(err)
		}
		return flow
	}
	var errs []error

	t.Run("a redirect with another state is refused without exchanging the code", func(t *testing.T) {
		flow := newFlow(t)
		q := authorize(t, flow)
		q.Set("state", "forged")
		before := f.srv.GrantRequests("authorization_code")
		_, err := flow.Exchange(ctx, q)
		if !errors.Is(err, client.ErrStateMismatch) {
			t.Fatalf("got %v, want ErrStateMismatch", err)
		}
		if f.srv.GrantRequests("authorization_code") != before {
			t.Error("the code was sent to the token endpoint despite the wrong state")
		}
		errs = append(errs, err)
		// The forged request did not spend the flow: the real redirect
		// still logs in.
		q.Set("state", flow.State())
		if _, err := flow.Exchange(ctx, q); err != nil {
			t.Errorf("the real redirect after a forged one: %v", err)
		}
	})
	t.Run("a code exchanged with another login's verifier is refused", func(t *testing.T) {
		victim, attacker := newFlow(t), newFlow(t)
		q := authorize(t, victim)
		q.Set("state", attacker.State())
		_, err := attacker.Exchange(ctx, q)
		var aerr *client.AuthError
		if !errors.As(err, &aerr) || aerr.Code != "invalid_grant" {
			t.Fatalf("got %v, want invalid_grant", err)
		}
		errs = append(errs, err)
	})
	t.Run("a code used once is refused the second time", func(t *testing.T) {
		flow := newFlow(t)
		q := authorize(t, flow)
		if _, err := flow.Exchange(ctx, q); err != nil {
			t.Fatal(err)
		}
		if _, err := flow.Exchange(ctx, q); err == nil {
			t.Fatal("the same flow exchanged twice")
		} else {
			errs = append(errs, err)
		}
		again := newFlow(t)
		q.Set("state", again.State())
		_, err := again.Exchange(ctx, q)
		if !errors.Is(err, client.ErrInvalidGrant) {
			t.Fatalf("reused code: got %v, want invalid_grant", err)
		}
		errs = append(errs, err)
	})
	t.Run("a declined login is an access_denied AuthError", func(t *testing.T) {
		f.srv.DenyLogins(true)
		defer f.srv.DenyLogins(false)
		flow := newFlow(t)
		_, err := flow.Exchange(ctx, authorize(t, flow))
		var aerr *client.AuthError
		if !errors.As(err, &aerr) || aerr.Code != "access_denied" {
			t.Fatalf("got %v, want access_denied", err)
		}
		errs = append(errs, err)
	})
	// forgeThenFollow plays a browser that, before then is called with the
	// real redirect, receives requests to the redirect path that a web
	// page or local process forged: another state, no state, and an error
	// answer with another state. Each must be answered 400. Wait waits
	// for that browser to finish.
	forgeThenFollow := func(t *testing.T, then func(redirect string)) (open func(context.Context, string) error, wait func()) {
		var wg sync.WaitGroup
		return func(ctx context.Context, u string) error {
			resp, err := noFollow.Get(u)
			if err != nil {
				return err
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				return err
			}
			forged := func(q url.Values) string {
				l := *loc
				l.RawQuery = q.Encode()
				return l.String()
			}
			q := loc.Query()
			q.Set("state", "forged")
			noState := loc.Query()
			noState.Del("state")
			denied := url.Values{"error": {"access_denied"}, "state": {"forged"}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, u := range []string{forged(q), forged(noState), forged(denied)} {
					resp, err := http.Get(u)
					if err != nil {
						t.Errorf("forged request: %v", err)
						return
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "state mismatch") {
						t.Errorf("forged request answered %d %q, want 400 and a page about the state", resp.StatusCode, body)
					}
				}
				then(loc.String())
			}()
			return nil
		}, wg.Wait
	}
	t.Run("Login ignores redirects without its state and ends with the real one", func(t *testing.T) {
		lc := f.client(t, f.listen(t))
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		follow := func(redirect string) {
			if resp, err := http.Get(redirect); err == nil {
				resp.Body.Close()
			}
		}
		open, wait := forgeThenFollow(t, follow)
		err := lc.Login(ctx, client.LoginOptions{Open: open, Listener: f.ln})
		wait()
		if err != nil {
			t.Fatalf("Login: %v, want the real redirect to log in", err)
		}
		if _, err := lc.Token(ctx); err != nil {
			t.Errorf("Token after Login: %v", err)
		}
	})
	t.Run("Login with only forged redirects waits until ctx ends", func(t *testing.T) {
		lc := f.client(t, f.listen(t))
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// The user gives up after the forged requests were answered.
		giveUp := func(string) { cancel() }
		open, wait := forgeThenFollow(t, giveUp)
		err := lc.Login(ctx, client.LoginOptions{Open: open, Listener: f.ln})
		wait()
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "3 request(s) without this login's state were refused") {
			t.Fatalf("got %v, want context.Canceled counting 3 refused requests", err)
		}
		errs = append(errs, err)
	})
	t.Run("Login ends with a denial carrying its state", func(t *testing.T) {
		f.srv.DenyLogins(true)
		defer f.srv.DenyLogins(false)
		lc := f.client(t, f.listen(t))
		err := lc.Login(ctx, client.LoginOptions{Open: f.srv.Browser(), Listener: f.ln})
		var aerr *client.AuthError
		if !errors.As(err, &aerr) || aerr.Code != "access_denied" {
			t.Fatalf("got %v, want access_denied", err)
		}
		errs = append(errs, err)
	})

	texts := map[string]string{"log": f.logs.String()}
	for i, err := range errs {
		texts[fmt.Sprintf("error %d", i)] = fmt.Sprintf("%v|%+v", err, err)
	}
	requireNoSecrets(t, secretsSent(f.srv), texts)
}

func TestAuthCodeConfidentialApplication(t *testing.T) {
	f := newCodeFixture(t, nil, docusigntest.WithClientSecret("s3cret-value-for-tests"))
	ctx := context.Background()

	wrong := f.client(t, f.listen(t), client.WithClientSecret("not-the-secret"))
	err := wrong.Login(ctx, client.LoginOptions{Open: f.srv.Browser(), Listener: f.ln})
	var aerr *client.AuthError
	if !errors.As(err, &aerr) || aerr.Code != "invalid_client" {
		t.Fatalf("wrong secret: %v, want invalid_client", err)
	}
	if strings.Contains(fmt.Sprintf("%v %#v", err, wrong), "not-the-secret") {
		t.Error("the secret appears in the error or the formatted Client")
	}

	t.Setenv("TEST_DOCUSIGN_SECRET", f.in.Secret)
	c := f.client(t, f.listen(t), client.WithClientSecretEnv("TEST_DOCUSIGN_SECRET"))
	f.login(t, c)
	f.srv.Advance(9 * time.Hour)
	if st := getAccount(t, c); st != http.StatusOK {
		t.Fatalf("call after refresh: %d", st)
	}
	for _, r := range f.srv.RequestsTo("/oauth/token") {
		if user, _, ok := (&http.Request{Header: r.Header}).BasicAuth(); ok && user == f.in.Key {
			continue
		}
		if r.Status == http.StatusOK {
			t.Errorf("a successful token request without Basic credentials: %s", r.Body)
		}
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", c, c, c), f.in.Secret) {
		t.Error("the secret appears in the formatted Client")
	}
}

func TestAuthCodeWithRefreshTokenStartsWithoutABrowser(t *testing.T) {
	f := newCodeFixture(t, nil)
	first := f.client(t, f.listen(t))
	f.login(t, first)
	tok, err := first.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// A service elsewhere, with its own (empty) cache and the refresh token.
	f.cache = client.NewMemoryTokenCache()
	svc := f.client(t, "", client.WithRefreshToken(tok.RefreshToken))
	if st := getAccount(t, svc); st != http.StatusOK {
		t.Fatalf("call with WithRefreshToken: %d", st)
	}
	if got := f.srv.GrantRequests("refresh_token"); got != 1 {
		t.Errorf("%d refresh requests, want 1", got)
	}
}

func TestAuthCodeOptionsAreValidatedTogether(t *testing.T) {
	_, err := client.New(
		client.WithAuthorizationCode(),
		client.WithUserID("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
		client.WithPrivateKeyFile("/nonexistent.pem"),
		client.WithTokenLifetime(time.Hour),
		client.WithClientSecret(" "),
		client.WithRefreshToken(""),
		client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: "x"})),
	)
	if err == nil {
		t.Fatal("New accepted contradictory options")
	}
	for _, want := range []string{"WithIntegrationKey", "WithUserID", "WithPrivateKeyFile", "WithTokenLifetime", "WithClientSecret", "WithRefreshToken", "WithTokenSource"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}

	_, err = client.New(client.WithIntegrationKey("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
		client.WithUserID("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
		client.WithClientSecret("abc"), client.WithRefreshToken("rt"))
	for _, want := range []string{"WithClientSecret is only used by the Authorization Code Grant", "WithRefreshToken is only used", "WithPrivateKey"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("JWT Client with code grant options: error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoginRefusesANonLoopbackRedirectURI(t *testing.T) {
	c, err := client.New(client.WithIntegrationKey("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
		client.WithAuthorizationCode(), client.WithRedirectURI("https://app.example.com/callback"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Login(context.Background(), client.LoginOptions{Open: func(context.Context, string) error {
		t.Error("Open called for a login that cannot receive the redirect")
		return nil
	}})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("got %v, want an error about the loopback redirect URI", err)
	}
}

// staleCache answers its first n Loads with a snapshot taken earlier, as a
// process that read the cache just before another one rotated the refresh
// token, and stored the result a moment after, would see it.
type staleCache struct {
	client.TokenCache
	mu    sync.Mutex
	stale *client.Token
	n     int
}

func (c *staleCache) Load(ctx context.Context, key string) (*client.Token, error) {
	c.mu.Lock()
	stale := c.n > 0
	c.n--
	c.mu.Unlock()
	if stale {
		return c.stale, nil
	}
	return c.TokenCache.Load(ctx, key)
}

func TestAuthCodeRefreshTokenRotatedByAnotherProcessIsPickedUp(t *testing.T) {
	for _, staleLoads := range []int{1, 3} {
		t.Run(fmt.Sprintf("the cache shows the old token %d times", staleLoads), func(t *testing.T) {
			f := newCodeFixture(t, nil)
			a := f.client(t, f.listen(t))
			f.login(t, a)
			ctx := context.Background()
			before, err := a.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}

			// Process B reads the cache (refresh token 1) while process A
			// renews and rotates it (refresh token 2).
			f.srv.Advance(9 * time.Hour)
			after, err := a.Token(ctx)
			if err != nil || after.RefreshToken == before.RefreshToken {
				t.Fatalf("A's refresh: %v (rotated: %v)", err, after != nil && after.RefreshToken != before.RefreshToken)
			}
			f.cache = &staleCache{TokenCache: f.cache, stale: before, n: staleLoads}
			b := f.client(t, "")
			got, err := b.Token(ctx)
			if err != nil {
				t.Fatalf("B, whose refresh token was rotated by A: %v", err)
			}
			if got.AccessToken != after.AccessToken {
				t.Error("B did not pick up A's renewed token from the cache")
			}
		})
	}
}

func TestStandaloneFlowAndRefreshTokenSource(t *testing.T) {
	f := newCodeFixture(t, nil)
	ctx := context.Background()
	cfg := client.AuthCodeConfig{
		Environment:    f.srv.Environment(),
		IntegrationKey: f.in.Key,
		RedirectURI:    "http://127.0.0.1:1/callback",
		Now:            f.srv.Clock(),
	}
	if _, err := client.NewAuthCodeFlow(client.AuthCodeConfig{IntegrationKey: "nope"}); err == nil ||
		!strings.Contains(err.Error(), "OAuthURL") || !strings.Contains(err.Error(), "integration key") || !strings.Contains(err.Error(), "redirect URI") {
		t.Errorf("an empty config: %v, want every problem named", err)
	}
	flow, err := client.NewAuthCodeFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(flow.AuthURL())
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("state") != flow.State() || q.Get("scope") != "signature" {
		t.Errorf("AuthURL query %v", q)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(flow.AuthURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	tok, err := flow.Exchange(ctx, loc.Query())
	if err != nil {
		t.Fatal(err)
	}

	cache := client.NewMemoryTokenCache()
	src, err := client.NewRefreshTokenSource(cfg, tok, client.CachingOptions{Cache: cache, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(8 * time.Hour)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := src.Token(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := f.srv.GrantRequests("refresh_token"); got != 1 {
		t.Errorf("%d refresh requests for 20 callers, want 1", got)
	}
	stored, _ := cache.Load(ctx, "k")
	if stored == nil || stored.RefreshToken == "" || stored.RefreshToken == tok.RefreshToken {
		t.Error("the rotated refresh token was not stored in the cache")
	}
	if _, err := client.NewRefreshTokenSource(cfg, &client.Token{AccessToken: "a"}, client.CachingOptions{}); err == nil {
		t.Error("a token without refresh token was accepted")
	}
}

// TestAuthCodeCallbackErrorIsPrintable: the error code of a redirect (as
// its description) reaches error text and terminals only as printable
// ASCII, so a crafted redirect cannot inject escape sequences or lines.
func TestAuthCodeCallbackErrorIsPrintable(t *testing.T) {
	f := newCodeFixture(t, nil)
	flow, err := client.NewAuthCodeFlow(client.AuthCodeConfig{
		Environment:    f.srv.Environment(),
		IntegrationKey: f.in.Key,
		RedirectURI:    "http://127.0.0.1:1/callback",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = flow.Exchange(context.Background(), url.Values{
		"state":             {flow.State()},
		"error":             {"access_denied\x1b[2J\r\nFAKE: logged in" + strings.Repeat("x", 500)},
		"error_description": {"no\x1b]0;title\x07"},
	})
	var aerr *client.AuthError
	if !errors.As(err, &aerr) {
		t.Fatalf("Exchange = %v, want *AuthError", err)
	}
	for _, s := range []string{aerr.Code, aerr.Description, err.Error()} {
		if strings.ContainsAny(s, "\x1b\r\n\x07") {
			t.Errorf("control characters reach the error: %q", s)
		}
	}
	if len(aerr.Code) > 200 {
		t.Errorf("error code of %d bytes kept", len(aerr.Code))
	}
}

func TestLoginOnALocalhostRedirectURIKeepsTheRegisteredURI(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(free.Addr().String())
	free.Close()
	redirect := "http://localhost:" + port + "/callback"
	f := newCodeFixture(t, nil, docusigntest.WithRedirectURIs(redirect))
	c := f.client(t, redirect)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var authURL string
	browse := f.srv.Browser()
	open := func(ctx context.Context, u string) error {
		authURL = u
		return browse(ctx, u)
	}
	if err := c.Login(ctx, client.LoginOptions{Open: open}); err != nil {
		t.Fatalf("Login on %s: %v", redirect, err)
	}
	au, err := url.Parse(authURL)
	if err != nil || au.Query().Get("redirect_uri") != redirect {
		t.Errorf("login page URL %q, want redirect_uri=%s as registered", authURL, redirect)
	}
	for _, r := range f.srv.RequestsTo("/oauth/token") {
		if form, _ := url.ParseQuery(string(r.Body)); form.Get("grant_type") == "authorization_code" && form.Get("redirect_uri") != redirect {
			t.Errorf("code exchanged with redirect_uri %q, want %s", form.Get("redirect_uri"), redirect)
		}
	}
}

// TestProcessesSharingATokenCacheDirRefreshOnce: three Clients (processes)
// over one token cache directory renew an expired login together; the
// fake spends each refresh token on use, so without taking turns all but
// one would present a spent token.
func TestProcessesSharingATokenCacheDirRefreshOnce(t *testing.T) {
	f := newCodeFixture(t, nil)
	dir := t.TempDir()
	open := func() client.TokenCache {
		c, err := client.NewFileTokenCache(dir)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.cache = open()
	a := f.client(t, f.listen(t))
	f.login(t, a)
	procs := []*client.Client{a}
	for range 2 {
		f.cache = open()
		procs = append(procs, f.client(t, ""))
	}
	f.srv.Advance(9 * time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	toks := make([]*client.Token, len(procs))
	var wg sync.WaitGroup
	for i, c := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := c.Token(ctx)
			if err != nil {
				t.Errorf("process %d: %v", i, err)
			}
			toks[i] = tok
		}()
	}
	wg.Wait()
	if got := f.srv.GrantRequests("refresh_token"); got != 1 {
		t.Errorf("%d refresh requests from 3 processes, want 1", got)
	}
	for i, tok := range toks {
		if tok == nil || toks[0] == nil || tok.AccessToken != toks[0].AccessToken {
			t.Errorf("process %d did not get the one renewed token", i)
		}
	}
}
