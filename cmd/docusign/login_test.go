package main

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client/docusigntest"
)

// codeFixture turns the fixture into one for the Authorization Code Grant:
// an integration whose registered redirect URI is a free loopback port.
func codeFixture(t *testing.T, inOpts ...docusigntest.IntegrationOption) *fixture {
	t.Helper()
	f := newFixture(t, docusigntest.WithEvents(0), docusigntest.WithEnvelopes(0), docusigntest.WithUsers(20))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := "http://" + ln.Addr().String() + "/callback"
	ln.Close() // login listens on it again
	in := f.srv.NewIntegration(append([]docusigntest.IntegrationOption{docusigntest.WithoutConsent(), docusigntest.WithRedirectURIs(redirect)}, inOpts...)...)
	f.in = in
	f.vars["DOCUSIGN_INTEGRATION_KEY"] = in.Key
	f.vars["DOCUSIGN_REDIRECT_URI"] = redirect
	return f
}

// useFakeBrowser makes login's browser the fake's, for the test.
func useFakeBrowser(t *testing.T, srv *docusigntest.Server) {
	t.Helper()
	saved := openBrowser
	openBrowser = srv.Browser()
	t.Cleanup(func() { openBrowser = saved })
}

// runCollect runs a command line and returns its exit code and output.
func (f *fixture) runCollect(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout bytes.Buffer
	code, stderr := f.run(t, context.Background(), &stdout, args...)
	return code, stdout.String(), stderr
}

func TestLoginThenCommandsRefreshSilentlyUntilLogout(t *testing.T) {
	f := codeFixture(t)
	useFakeBrowser(t, f.srv)
	var outputs []string
	step := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, out, errOut := f.runCollect(t, args...)
		outputs = append(outputs, out, errOut)
		if code != wantCode {
			t.Fatalf("docusign %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, out, errOut)
		}
		return out, errOut
	}

	_, errOut := step(exitAuth, "whoami", "--auth", "code")
	if !strings.Contains(errOut, "docusign login") {
		t.Errorf("before login, the error does not say to log in:\n%s", errOut)
	}
	out, errOut := step(exitOK, "login")
	if !strings.Contains(out, "logged in as") || !strings.Contains(errOut, "/oauth/auth?") {
		t.Errorf("login printed:\n%s\n%s", out, errOut)
	}
	f.vars["DOCUSIGN_AUTH"] = "code"
	out, _ = step(exitOK, "whoami")
	if !strings.Contains(out, f.in.UserID) {
		t.Errorf("whoami after login does not show the logged-in user %s:\n%s", f.in.UserID, out)
	}
	f.srv.Advance(9 * time.Hour) // past the access token's 8 hours
	_, errOut = step(exitOK, "esign-users", "--max", "3", "-v")
	if !strings.Contains(errOut, "/oauth/token") {
		t.Errorf("-v did not log the refresh request:\n%s", errOut)
	}
	if got := f.srv.GrantRequests("refresh_token"); got != 1 {
		t.Errorf("%d refresh requests, want 1", got)
	}
	step(exitOK, "logout")
	_, errOut = step(exitAuth, "whoami")
	if !strings.Contains(errOut, "docusign login") {
		t.Errorf("after logout, the error does not say to log in:\n%s", errOut)
	}

	// Nothing secret in any output.
	var secrets []string
	for _, r := range f.srv.RequestsTo("/oauth/token") {
		form, _ := url.ParseQuery(string(r.Body))
		for _, k := range []string{"code", "code_verifier", "refresh_token"} {
			if v := form.Get(k); v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	for _, r := range f.srv.Requests() {
		if _, v, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
			secrets = append(secrets, v)
		}
	}
	if len(secrets) < 4 {
		t.Fatalf("only %d secrets collected", len(secrets))
	}
	all := strings.Join(outputs, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("a secret (%d chars) appears in the CLI's output", len(s))
		}
	}
}

// urlCatcher is a stderr that hands the login URL to a "user" who opens it.
type urlCatcher struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
	open func(string)
}

var loginURL = regexp.MustCompile(`https?://\S+/oauth/auth\?\S+`)

func (c *urlCatcher) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if u := loginURL.FindString(c.buf.String()); u != "" {
		c.once.Do(func() { go c.open(u) })
	}
	return len(p), nil
}

func TestLoginNoBrowserPrintsTheURLForTheUser(t *testing.T) {
	f := codeFixture(t, docusigntest.WithClientSecret("cli-secret-value"))
	f.vars["DOCUSIGN_CLIENT_SECRET"] = "cli-secret-value"
	saved := openBrowser
	openBrowser = func(context.Context, string) error {
		t.Error("--no-browser started a browser")
		return nil
	}
	t.Cleanup(func() { openBrowser = saved })

	browse := f.srv.Browser()
	stderr := &urlCatcher{open: func(u string) { _ = browse(context.Background(), u) }}
	var stdout bytes.Buffer
	e := &env{stdout: &stdout, stderr: stderr, getenv: func(k string) string { return f.vars[k] }}
	if code := run(context.Background(), e, []string{"login", "--no-browser", "--timeout", "1m"}); code != exitOK {
		stderr.mu.Lock()
		defer stderr.mu.Unlock()
		t.Fatalf("exit %d: %s", code, stderr.buf.String())
	}
	if !strings.Contains(stdout.String(), "logged in as") {
		t.Errorf("stdout: %s", stdout.String())
	}
	stderr.mu.Lock()
	defer stderr.mu.Unlock()
	if strings.Contains(stderr.buf.String()+stdout.String(), "cli-secret-value") {
		t.Error("the client secret appears in the output")
	}
}

func TestLoginConfigurationProblemsAreReportedTogether(t *testing.T) {
	f := codeFixture(t)
	f.vars["DOCUSIGN_REDIRECT_URI"] = "https://app.example.com/callback"
	code, _, errOut := f.runCollect(t, "login", "--auth", "jwt", "--user-id", f.in.UserID, "--token-cache", "off")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d: %s", code, exitUsage, errOut)
	}
	for _, want := range []string{"--auth / DOCUSIGN_AUTH is jwt", "--user-id is for --auth jwt", "DOCUSIGN_TOKEN_CACHE is off", "is not an http URI with a port"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error lacks %q:\n%s", want, errOut)
		}
	}
	code, _, errOut = f.runCollect(t, "whoami", "--auth", "saml")
	if code != exitUsage || !strings.Contains(errOut, `"saml" must be jwt or code`) {
		t.Errorf("--auth saml: exit %d: %s", code, errOut)
	}
}

func TestLoginRedirectURIErrorsHideCredentials(t *testing.T) {
	f := codeFixture(t)
	for _, uri := range []string{
		"https://alice:pa55word@app.example.com/callback?token=s3cr3t",
		"http://alice:pa55word@app.example.com:8765/callback?token=s3cr3t",
		"http://alice:pa55word@127.0.0.1:port/callback?token=s3cr3t",
	} {
		f.vars["DOCUSIGN_REDIRECT_URI"] = uri
		code, out, errOut := f.runCollect(t, "login")
		if code != exitUsage || !strings.Contains(errOut, "DOCUSIGN_REDIRECT_URI") {
			t.Errorf("%s: exit %d, want %d and an error naming the setting:\n%s", uri, code, exitUsage, errOut)
		}
		for _, secret := range []string{"alice", "pa55word", "s3cr3t"} {
			if strings.Contains(out+errOut, secret) {
				t.Errorf("%s: the output shows %q:\n%s", uri, secret, errOut)
			}
		}
	}
}
