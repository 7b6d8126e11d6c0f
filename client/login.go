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
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// AuthCodeFlow starts a login for a Client built WithAuthorizationCode
// (and WithRedirectURI). Exchange on the returned flow stores the tokens in
// the Client and its token cache; every later call uses them and renews
// them silently. Use it in a web application that receives the redirect
// itself; command-line tools use Login.
func (c *Client) AuthCodeFlow() (*AuthCodeFlow, error) {
	if !c.settings.codeGrant || c.caching == nil {
		return nil, optErr("WithAuthorizationCode", "Client.AuthCodeFlow needs a Client built with it (this one uses another grant)")
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
// the PKCE verifier (and the secret, if set) and stores the tokens.
//
// Only a redirect carrying this login's state ends it: with the tokens, a
// refused login (an *AuthError such as access_denied) or a refused code.
// A request to the redirect path without the right state (a stale browser
// tab, or any web page or local process forging the redirect) is answered
// 400 and Login keeps waiting, so it cannot end the login. Login returns
// when ctx ends first (e.g. at a timeout the caller set) with an error
// wrapping ctx.Err() that counts the requests it refused.
//
// For a localhost redirect host Login listens on the loopback addresses
// 127.0.0.1 and, where the machine has it, ::1, not on whatever localhost
// resolves to; the redirect URI sent to DocuSign stays the registered one.
func (c *Client) Login(ctx context.Context, opts LoginOptions) error {
	if opts.Open == nil {
		return fieldErr("LoginOptions.Open", "is nil: pass a function that shows the URL to the user (start a browser or print it)")
	}
	flow, err := c.AuthCodeFlow()
	if err != nil {
		return err
	}
	ru, _ := url.Parse(flow.RedirectURI()) // validated by New
	lns := []net.Listener{opts.Listener}
	if opts.Listener == nil {
		if lns, err = listenLoopback(ru); err != nil {
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
	var refused atomic.Int64 // requests with a wrong or no state
	callback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path { // e.g. /favicon.ico
			http.NotFound(w, r)
			return
		}
		if handled {
			writeLoginPage(w, http.StatusConflict, "This login is already finished. You can close this window.")
			return
		}
		q := r.URL.Query()
		if !flow.stateMatches(q) {
			refused.Add(1)
			writeLoginPage(w, http.StatusBadRequest, "This request does not belong to the pending login (state mismatch) and was ignored.")
			return
		}
		handled = true
		_, err := flow.Exchange(ctx, q)
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
	for _, ln := range lns {
		go func() { _ = srv.Serve(ln) }()
	}
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
		select {
		case err := <-result: // the redirect won the race
			return err
		default:
		}
		why := ""
		if n := refused.Load(); n > 0 {
			why = fmt.Sprintf(" (%d request(s) without this login's state were refused)", n)
		}
		return fmt.Errorf("docusign: Login: no redirect from the browser to %s%s: %w", redactConfigURL(ru), why, ctx.Err())
	}
}

// listenTCP is net.Listen; tests record the addresses asked for.
var listenTCP = net.Listen

// listenLoopback listens on the host and port of a loopback http redirect
// URI. For localhost it listens on the loopback IPs themselves (127.0.0.1,
// and ::1 where the machine has it), never on what the name resolves to:
// a hosts file or resolver mapping localhost elsewhere must not expose the
// redirect, with its code, to the network.
func listenLoopback(ru *url.URL) ([]net.Listener, error) {
	host := ru.Hostname()
	ip := net.ParseIP(host)
	localhost := strings.EqualFold(host, "localhost")
	if ru.Scheme != "http" || !(localhost || (ip != nil && ip.IsLoopback())) {
		return nil, optErr("WithRedirectURI", "Login: redirect URI %s is not a loopback http URI: register and set one such as http://127.0.0.1:8765/callback, or pass LoginOptions.Listener", redactConfigURL(ru))
	}
	port := ru.Port()
	if port == "" {
		port = "80"
	}
	if !localhost {
		addr := net.JoinHostPort(ip.String(), port)
		ln, err := listenTCP("tcp", addr)
		if err != nil {
			return nil, listenError(addr, err)
		}
		return []net.Listener{ln}, nil
	}
	addr4 := net.JoinHostPort("127.0.0.1", port)
	ln4, err := listenTCP("tcp4", addr4)
	if err != nil {
		return nil, listenError(addr4, err)
	}
	lns := []net.Listener{ln4}
	// ::1 too, on the same port, for browsers that try it first; a machine
	// without IPv6 loopback is served by 127.0.0.1 alone.
	port = strconv.Itoa(ln4.Addr().(*net.TCPAddr).Port) // the same port when it was 0
	addr6 := net.JoinHostPort("::1", port)
	switch ln6, err := listenTCP("tcp6", addr6); {
	case err == nil:
		lns = append(lns, ln6)
	case errors.Is(err, syscall.EADDRINUSE):
		// Another process holds the port on ::1: a browser trying ::1
		// first would hand it the code.
		_ = ln4.Close()
		return nil, listenError(addr6, err)
	}
	return lns, nil
}

// listenError explains a failure to listen for the redirect.
func listenError(addr string, err error) error {
	return fmt.Errorf("docusign: Login: listening for the redirect on %s: %w (is another login running, or the port taken?)", addr, err)
}

// serialHandler handles one request at a time, so the first redirect with
// the right state decides the login.
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
	if c.caching == nil {
		return c.ResetToken() // forgets the user info as well
	}
	c.forgetUserInfo()
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
