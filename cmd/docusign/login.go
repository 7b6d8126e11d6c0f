package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/dsgo/docusign/client"
)

func init() {
	register(
		command{"login", "log in as yourself in the browser (--auth code); later commands renew it silently", `
Logs in with the Authorization Code Grant: opens the browser (or prints the
URL with --no-browser) at DocuSign's login page, listens on the redirect URI
(a loopback http://127.0.0.1:PORT/PATH registered for the integration key;
for localhost it listens on 127.0.0.1 and ::1), waits for the redirect that
carries this login's state (any other request to the path is answered 400
and ignored, until --timeout), exchanges the code with PKCE (and the secret in
DOCUSIGN_CLIENT_SECRET for a confidential app) and keeps the tokens in the
token cache. Later commands with --auth code (DOCUSIGN_AUTH=code) act as you
and renew the token silently until the refresh token lapses (30 days).`, runLogin},
		command{"logout", "remove the saved login from this machine", `
Removes the tokens of the login (access and refresh token) from the token
cache, so that commands with --auth code need a new login. With --auth jwt
it drops the cached JWT token.`, runLogout},
	)
}

// scopesCode are the scopes a login asks consent for: everything the
// commands need, so that one login serves them all (tokens are cached per
// scope set).
var scopesCode = scopesAdmin

// addAuthSettings defines the settings that choose the grant.
func (s *settings) addAuthSettings(add func(name, env, usage string, secret bool) *setting) {
	s.auth = add("auth", "DOCUSIGN_AUTH", "`GRANT`: jwt (the default; integration key, user ID, private key) or code (a person logs in with 'docusign login')", false)
	// Environment only, so the secret never shows in a process listing.
	s.clientSecret = add("", "DOCUSIGN_CLIENT_SECRET", "secret key of a confidential application (--auth code); without it the login uses PKCE alone", true)
}

// codeGrant reports whether the command runs with the Authorization Code
// Grant: it was chosen, or the command is login.
func (s *settings) codeGrant(n need) bool { return n.login || s.auth.value == "code" }

// validateGrant reports the problems of the grant settings.
func (s *settings) validateGrant(n need) []error {
	var errs []error
	switch v := s.auth.value; {
	case v != "" && v != "jwt" && v != "code":
		errs = append(errs, fmt.Errorf("%s: %q must be jwt or code", s.auth.name(), v))
	case n.login && v == "jwt":
		errs = append(errs, fmt.Errorf("%s is jwt, but login is for the Authorization Code Grant: set --auth code or unset %s", s.auth.name(), s.auth.env))
	}
	if !n.auth || !s.codeGrant(n) {
		return errs
	}
	for _, st := range []*setting{s.userID, s.privateKey, s.privateKeyFile} {
		if st.fromFlag {
			errs = append(errs, fmt.Errorf("--%s is for --auth jwt; with --auth code the user is whoever logs in: remove it", st.flag))
		}
	}
	if s.tokenCache.value == "off" {
		errs = append(errs, fmt.Errorf("%s is off, but --auth code keeps the login in the token cache: set a directory or leave it unset", s.tokenCache.name()))
	}
	if n.login {
		if s.redirectURI.value == "" {
			errs = append(errs, fmt.Errorf("%s is required to log in: register a loopback URI such as http://127.0.0.1:8765/callback for the integration key and set it", s.redirectURI.name()))
		} else if err := loopbackURI(s.redirectURI.value); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", s.redirectURI.name(), err))
		}
	}
	return errs
}

// loopbackURI accepts http://127.0.0.1:PORT/..., http://[::1]:PORT/... and
// http://localhost:PORT/..., where login can listen for the redirect.
// Errors show only the URI's scheme, host and path: user information or a
// query could hold a credential.
func loopbackURI(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("is not a URI: give an http URI with a port, e.g. http://127.0.0.1:8765/callback")
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	if u.Scheme != "http" || u.Port() == "" {
		return fmt.Errorf("%q is not an http URI with a port: login listens on it (e.g. http://127.0.0.1:8765/callback)", shown)
	}
	if ip := net.ParseIP(u.Hostname()); !strings.EqualFold(u.Hostname(), "localhost") && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%q is not a loopback address: login listens on this machine (use 127.0.0.1, [::1] or localhost)", shown)
	}
	return nil
}

// codeGrantOptions are the client options of the Authorization Code Grant.
func (s *settings) codeGrantOptions() []client.Option {
	opts := []client.Option{client.WithAuthorizationCode()}
	if v := s.clientSecret.value; v != "" {
		opts = append(opts, client.WithClientSecret(v))
	}
	return opts
}

// openBrowser starts the system's browser on u without waiting for it
// (and without tying it to the login's context, so finishing the login
// never kills a browser the opener started); tests replace it.
var openBrowser = func(_ context.Context, u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reap it
	return nil
}

func runLogin(ctx context.Context, e *env, args []string) error {
	var noBrowser bool
	var timeout time.Duration
	s, err := parse(e, "login", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&noBrowser, "no-browser", false, "print the login URL instead of opening a browser")
		fs.DurationVar(&timeout, "timeout", 5*time.Minute, "how long to wait for the browser to come back")
	})
	if err != nil {
		return err
	}
	var bad problems
	if timeout <= 0 {
		bad.addf("--timeout %s: want a positive duration such as 5m", timeout)
	}
	c, err := newClient(e, s, need{auth: true, login: true}, scopesCode, bad...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = c.Login(ctx, client.LoginOptions{Open: func(ctx context.Context, u string) error {
		fmt.Fprintf(e.stderr, "Log in to DocuSign at this URL (waiting up to %s):\n\n  %s\n\n", timeout, u)
		if !noBrowser {
			if err := openBrowser(ctx, u); err != nil {
				fmt.Fprintf(e.stderr, "could not start a browser (%v): open the URL yourself\n", err)
			}
		}
		return nil
	}})
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no login within %s: run login again (and check that the redirect URI is registered for the integration key): %w", timeout, err)
	}
	if err != nil {
		return err
	}
	ui, err := c.UserInfo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "logged in as %s <%s> (%s) in %s; later commands with --auth code use this login and renew it silently\n", ui.Name, ui.Email, ui.Sub, c.Environment().Name)
	return nil
}

func runLogout(ctx context.Context, e *env, args []string) error {
	s, err := parse(e, "logout", args, nil)
	if err != nil {
		return err
	}
	if s.auth.value == "" {
		s.auth.value = "code" // logout is about the login unless --auth jwt says otherwise
	}
	n := need{auth: true}
	c, err := newClient(e, s, n, scopesCode)
	if err != nil {
		return err
	}
	if err := c.Logout(ctx); err != nil {
		return err
	}
	if s.codeGrant(n) {
		fmt.Fprintf(e.stdout, "logged out: the saved login is removed from this machine\n"+
			"DocuSign documents no endpoint to revoke the tokens: to end the browser session open %s/logout, and to withdraw the app's access use Connected Apps in your DocuSign profile\n",
			strings.TrimRight(c.Environment().OAuthURL, "/"))
	} else {
		fmt.Fprintln(e.stdout, "cached JWT token dropped")
	}
	return nil
}
