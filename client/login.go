package client

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AuthCodeFlow starts a login for a Client built WithAuthorizationCode
// (and WithRedirectURI). Exchange on the returned flow stores the tokens in
// the Client and its token cache; every later call uses them and renews
// them silently. Use it in a web application that receives the redirect
// itself; command-line tools use Login.
func (c *Client) AuthCodeFlow() (*AuthCodeFlow, error) {
	if !c.settings.codeGrant || c.caching == nil {
		return nil, errors.New("docusign: AuthCodeFlow: the Client does not use the Authorization Code Grant: build it WithAuthorizationCode")
	}
	f, err := NewAuthCodeFlow(c.authCodeConfig())
	if err != nil {
		return nil, err
	}
	f.onToken = func(ctx context.Context, tok *Token) error {
		c.forgetUserInfo() // the user who logged in may be another one
		return c.caching.put(ctx, tok)
	}
	return f, nil
}

// LoginOptions configures Client.Login.
type LoginOptions struct {
	// Open shows the login page at authURL to the user, typically by
	// starting a browser or printing the URL. Required. An error stops the
	// login. authURL holds no secret (the PKCE challenge is a hash).
	Open func(ctx context.Context, authURL string) error
	// Listener, if set, receives the redirect instead of a listener Login
	// opens on the redirect URI's host and port (which must then be a
	// loopback address: 127.0.0.1, [::1] or localhost).
	Listener net.Listener
}

// Login runs the Authorization Code Grant for a person at this machine
// (RFC 8252's loopback redirect): it listens on the redirect URI (an
// http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH URI registered
// for the integration key), shows the login page through opts.Open, waits
// for the browser to come back, checks the state, exchanges the code with
// the PKCE verifier (and the secret, if set) and stores the tokens. The
// first redirect decides: a wrong state (ErrStateMismatch), a refused
// login (an *AuthError such as access_denied) or a refused code ends the
// login with that error. It returns ctx.Err() if ctx ends first, e.g. at a
// timeout the caller set.
func (c *Client) Login(ctx context.Context, opts LoginOptions) error {
	if opts.Open == nil {
		return errors.New("docusign: Login: LoginOptions.Open is nil: pass a function that shows the URL to the user (start a browser or print it)")
	}
	flow, err := c.AuthCodeFlow()
	if err != nil {
		return err
	}
	ru, _ := url.Parse(flow.RedirectURI()) // validated by New
	ln := opts.Listener
	if ln == nil {
		if ln, err = listenLoopback(ru); err != nil {
			return err
		}
	}
	path := ru.Path
	if path == "" {
		path = "/"
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	result := make(chan error, 1)
	var handled bool
	callback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path { // e.g. /favicon.ico
			http.NotFound(w, r)
			return
		}
		if handled {
			writeLoginPage(w, http.StatusConflict, "This login is already finished. You can close this window.")
			return
		}
		handled = true
		_, err := flow.Exchange(ctx, r.URL.Query())
		result <- err // before the page, so Login knows the outcome when the browser does
		if err != nil {
			writeLoginPage(w, http.StatusBadRequest, "Login failed: "+loginFailure(err)+" Return to the terminal for details.")
		} else {
			writeLoginPage(w, http.StatusOK, "Logged in to DocuSign. You can close this window.")
		}
	})
	srv := &http.Server{
		Handler:           serialHandler(callback),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	}()

	if err := opts.Open(ctx, flow.AuthURL()); err != nil {
		select {
		case rerr := <-result: // the redirect came and decided
			return rerr
		default:
			return fmt.Errorf("docusign: Login: showing the login page: %w", err)
		}
	}
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return fmt.Errorf("docusign: Login: no redirect from the browser to %s: %w", ru.Redacted(), ctx.Err())
	}
}

// listenLoopback listens on the host and port of a loopback http redirect
// URI.
func listenLoopback(ru *url.URL) (net.Listener, error) {
	host := ru.Hostname()
	ip := net.ParseIP(host)
	if ru.Scheme != "http" || !(strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())) {
		return nil, fmt.Errorf("docusign: Login: redirect URI %s is not a loopback http URI: register and set one such as http://127.0.0.1:8765/callback (WithRedirectURI), or pass LoginOptions.Listener", ru.Redacted())
	}
	port := ru.Port()
	if port == "" {
		port = "80"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("docusign: Login: listening for the redirect on %s: %w (is another login running, or the port taken?)", net.JoinHostPort(host, port), err)
	}
	return ln, nil
}

// serialHandler handles one request at a time, so the first redirect
// decides the login.
func serialHandler(h http.Handler) http.Handler {
	sem := make(chan struct{}, 1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sem <- struct{}{}
		defer func() { <-sem }()
		h.ServeHTTP(w, r)
	})
}

// loginFailure is a short, secret-free reason for the browser page.
func loginFailure(err error) string {
	var aerr *AuthError
	switch {
	case errors.Is(err, ErrStateMismatch):
		return "the answer does not belong to this login (state mismatch)."
	case errors.As(err, &aerr):
		return "DocuSign answered " + aerr.Code + "."
	}
	return "the code could not be exchanged."
}

// writeLoginPage answers the browser with a minimal page.
func writeLoginPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<!doctype html><title>DocuSign login</title><p>"+html.EscapeString(msg)+"</p>\n")
}

// Logout forgets the tokens this Client holds, in memory and in its token
// cache: with the Authorization Code Grant the refresh token too, so calls
// fail with ErrLoginRequired until someone logs in again (a refresh token
// given WithRefreshToken is not used again by this Client). DocuSign
// documents no endpoint to revoke tokens: its {OAuthURL}/logout page ends
// the browser session, the user withdraws the application's access under
// Connected Apps in their profile, and refresh tokens lapse 30 days after
// issue. With the JWT grant Logout is ResetToken.
func (c *Client) Logout(ctx context.Context) error {
	c.forgetUserInfo()
	if c.caching == nil {
		return c.ResetToken()
	}
	return c.caching.Logout()
}

// forgetUserInfo drops the cached user info.
func (c *Client) forgetUserInfo() {
	c.uiMu.Lock()
	c.ui = nil
	c.uiGen++
	c.uiCall = nil
	c.uiMu.Unlock()
}
