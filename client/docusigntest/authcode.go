package docusigntest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Grant types of the Authorization Code Grant.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
)

// Lifetimes of the Authorization Code Grant, as DocuSign documents them.
const (
	DefaultAuthCodeTokenTTL = 8 * time.Hour       // access tokens (expires_in 28800)
	DefaultRefreshTokenTTL  = 30 * 24 * time.Hour // refresh tokens
	// AuthCodeTTL is how long a code from /oauth/auth can be exchanged.
	AuthCodeTTL = 5 * time.Minute
)

// authCodeState is the server's record of codes and refresh tokens.
type authCodeState struct {
	mu       sync.Mutex
	codes    map[string]*issuedCode
	refresh  map[string]*refreshToken
	requests map[string]int // token requests by grant type
	denied   atomic.Bool
}

// grantRecord is what codes and refresh tokens have in common: who they
// were issued to, until when, and whether they were spent.
type grantRecord struct {
	integrationKey string
	userID         string
	scopes         []string
	expires        time.Time
	used           bool // a code exchanged, a refresh token rotated
}

// check refuses a spent, expired or foreign record; what names it in the
// description.
func (g *grantRecord) check(what string, now time.Time, in *integration) *oauthError {
	switch {
	case g.used:
		return grantError("invalid_grant", "the %s was already used", what)
	case !now.Before(g.expires):
		return grantError("invalid_grant", "the %s expired", what)
	case g.integrationKey != in.key:
		return grantError("invalid_grant", "the %s was issued to another integration key", what)
	}
	return nil
}

// grant is what the record authorizes.
func (g *grantRecord) grant() grant {
	return grant{integrationKey: g.integrationKey, userID: g.userID, scopes: g.scopes}
}

// issuedCode is an authorization code and what it is bound to.
type issuedCode struct {
	grantRecord
	redirectURI string
	challenge   string   // PKCE S256 challenge; "" without PKCE
	issued      []string // refresh tokens issued for it
}

// refreshToken is an issued refresh token.
type refreshToken struct {
	grantRecord
}

// ttlOption validates a lifetime option and sets it.
func ttlOption(name string, d time.Duration, set func(*config)) Option {
	return func(c *config) {
		if d < time.Second {
			c.errorf("%s(%v): use at least one second", name, d)
			return
		}
		set(c)
	}
}

// WithAuthCodeTokenTTL sets the lifetime of access tokens issued by the
// Authorization Code Grant (default DefaultAuthCodeTokenTTL).
func WithAuthCodeTokenTTL(d time.Duration) Option {
	return ttlOption("WithAuthCodeTokenTTL", d, func(c *config) { c.codeTTL = d })
}

// WithRefreshTokenTTL sets the lifetime of refresh tokens (default
// DefaultRefreshTokenTTL); Advance past it to test a client's "log in
// again" path.
func WithRefreshTokenTTL(d time.Duration) Option {
	return ttlOption("WithRefreshTokenTTL", d, func(c *config) { c.refreshTTL = d })
}

// WithoutRefreshTokenRotation makes the refresh token grant return the
// refresh token it was given. By default each use issues a new refresh
// token and refuses the old one afterwards (invalid_grant), which is what a
// client must survive when DocuSign rotates them.
func WithoutRefreshTokenRotation() Option {
	return func(c *config) { c.noRotation = true }
}

// WithClientSecret makes the integration a confidential application with
// this secret key: token requests of the Authorization Code Grant must then
// authenticate with HTTP Basic (integration key, secret). Without it the
// integration is public and codes must carry a PKCE challenge.
func WithClientSecret(secret string) IntegrationOption {
	return func(c *integrationConfig) { c.secret = secret }
}

// DenyLogins makes /oauth/auth redirect with error=access_denied (as when
// the user declines), until called with false.
func (s *Server) DenyLogins(deny bool) { s.acg.denied.Store(deny) }

// GrantRequests is how many token requests of grantType
// ("authorization_code", "refresh_token") reached the server since it
// started, accepted or not.
func (s *Server) GrantRequests(grantType string) int {
	s.acg.mu.Lock()
	defer s.acg.mu.Unlock()
	return s.acg.requests[grantType]
}

// RevokeRefreshTokens revokes every refresh token issued so far, as a user
// withdrawing the application's access does; their next use gets
// invalid_grant.
func (s *Server) RevokeRefreshTokens() {
	s.acg.mu.Lock()
	defer s.acg.mu.Unlock()
	clear(s.acg.refresh)
}

// Browser returns a function that plays the user's browser for a login
// URL: it follows the login page's redirect to the application's redirect
// URI (a loopback listener of the test) and fails unless that answers 2xx.
// Pass it as client.LoginOptions.Open to drive a login headless.
func (s *Server) Browser() func(ctx context.Context, loginURL string) error {
	return func(ctx context.Context, loginURL string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loginURL, nil)
		if err != nil {
			return err
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			var uerr *url.Error
			if errors.As(err, &uerr) { // its URL may be the redirect, with the code
				return fmt.Errorf("docusigntest: browser: %s: %w", uerr.Op, uerr.Err)
			}
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if resp.StatusCode/100 != 2 {
			// The path only: the query holds the code.
			return fmt.Errorf("docusigntest: browser: %s %s answered %d: %s", resp.Request.URL.Host, resp.Request.URL.Path, resp.StatusCode, strings.TrimSpace(string(body)))
		}
		return nil
	}
}

// issueCode stores c and returns its value.
func (s *Server) issueCode(c issuedCode) string {
	v := randomToken()
	c.expires = s.Now().Add(AuthCodeTTL)
	s.acg.mu.Lock()
	defer s.acg.mu.Unlock()
	if s.acg.codes == nil {
		s.acg.codes = map[string]*issuedCode{}
	}
	s.acg.codes[v] = &c
	return v
}

// issueRefresh stores a new refresh token.
func (s *Server) issueRefresh(integrationKey, userID string, scopes []string) string {
	v := randomToken()
	s.acg.mu.Lock()
	defer s.acg.mu.Unlock()
	if s.acg.refresh == nil {
		s.acg.refresh = map[string]*refreshToken{}
	}
	s.acg.refresh[v] = &refreshToken{grantRecord{integrationKey: integrationKey, userID: userID, scopes: scopes, expires: s.Now().Add(s.cfg.refreshTTL)}}
	return v
}

// clientOf authenticates the application of a code or refresh token
// request: HTTP Basic with the secret (confidential applications), or
// client_id in the form (public ones).
func (s *Server) clientOf(r *http.Request) (*integration, *oauthError) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id = r.PostForm.Get("client_id")
	}
	s.mu.Lock()
	in := s.integrations[id]
	s.mu.Unlock()
	switch {
	case id == "":
		return nil, grantError("invalid_client", "no client authentication: send HTTP Basic integration_key:secret, or client_id for a public (PKCE) application")
	case in == nil:
		return nil, grantError("invalid_client", "the integration key is unknown")
	case basic && (in.secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(in.secret)) != 1):
		return nil, grantError("invalid_client", "the integration key and secret do not match")
	case !basic && in.secret != "":
		return nil, grantError("invalid_client", "the application is confidential: authenticate with HTTP Basic integration_key:secret")
	}
	return in, nil
}

// handleCodeGrants serves the authorization_code and refresh_token grants
// of POST /oauth/token.
func (s *Server) handleCodeGrants(w http.ResponseWriter, r *http.Request, grantType string) {
	s.acg.mu.Lock()
	if s.acg.requests == nil {
		s.acg.requests = map[string]int{}
	}
	s.acg.requests[grantType]++
	s.acg.mu.Unlock()

	in, oerr := s.clientOf(r)
	if oerr != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="docusign"`)
		writeJSON(w, http.StatusUnauthorized, oerr)
		return
	}
	var g grant
	var rt string
	if grantType == grantAuthorizationCode {
		g, rt, oerr = s.redeemCode(r, in)
	} else {
		g, rt, oerr = s.redeemRefresh(r, in)
	}
	if oerr != nil {
		writeJSON(w, http.StatusBadRequest, oerr)
		return
	}
	v := s.storeToken(&token{userID: g.userID, integrationKey: g.integrationKey, scopes: g.scopes}, s.cfg.codeTTL)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  v,
		"token_type":    "Bearer",
		"refresh_token": rt,
		"expires_in":    int(s.cfg.codeTTL / time.Second),
		"scope":         strings.Join(g.scopes, " "),
	})
}

// redeemCode checks an authorization code request and spends the code. A
// code presented twice is refused, and the refresh token issued for it is
// revoked (RFC 6749 section 4.1.2).
func (s *Server) redeemCode(r *http.Request, in *integration) (grant, string, *oauthError) {
	v := r.PostForm.Get("code")
	if v == "" {
		return grant{}, "", grantError("invalid_request", "code is missing")
	}
	s.acg.mu.Lock()
	c := s.acg.codes[v]
	var problem *oauthError
	switch {
	case c == nil:
		problem = grantError("invalid_grant", "the authorization code is unknown")
	case c.used:
		problem = c.check("authorization code", s.Now(), in)
		s.revokeLocked(c.issued)
	default:
		problem = c.check("authorization code", s.Now(), in)
	}
	switch {
	case problem != nil:
	case r.PostForm.Has("redirect_uri") && r.PostForm.Get("redirect_uri") != c.redirectURI:
		problem = grantError("invalid_grant", "redirect_uri differs from the one the code was issued for")
	case c.challenge == "" && in.secret == "":
		problem = grantError("invalid_grant", "a public application's code needs a PKCE code_challenge")
	case c.challenge != "" && !pkceMatches(r.PostForm.Get("code_verifier"), c.challenge):
		problem = grantError("invalid_grant", "the code_verifier does not match the code_challenge")
	}
	if c != nil {
		c.used = true // a failed attempt spends the code as well
	}
	s.acg.mu.Unlock()
	if problem != nil {
		return grant{}, "", problem
	}
	rt := s.issueRefresh(c.integrationKey, c.userID, c.scopes)
	s.acg.mu.Lock()
	c.issued = append(c.issued, rt)
	s.acg.mu.Unlock()
	return c.grant(), rt, nil
}

// pkceMatches checks a code_verifier against an S256 challenge.
func pkceMatches(verifier, challenge string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// revokeLocked drops issued refresh tokens; s.acg.mu is held.
func (s *Server) revokeLocked(issued []string) {
	for _, v := range issued {
		delete(s.acg.refresh, v)
	}
}

// redeemRefresh checks a refresh token request and, with rotation, spends
// the token for a new one.
func (s *Server) redeemRefresh(r *http.Request, in *integration) (grant, string, *oauthError) {
	v := r.PostForm.Get("refresh_token")
	if v == "" {
		return grant{}, "", grantError("invalid_request", "refresh_token is missing")
	}
	s.acg.mu.Lock()
	rt := s.acg.refresh[v]
	var problem *oauthError
	if rt == nil {
		problem = grantError("invalid_grant", "the refresh token is unknown or revoked")
	} else if problem = rt.check("refresh token", s.Now(), in); problem == nil && !s.cfg.noRotation {
		rt.used = true
	}
	s.acg.mu.Unlock()
	if problem != nil {
		return grant{}, "", problem
	}
	if s.cfg.noRotation {
		return rt.grant(), v, nil
	}
	return rt.grant(), s.issueRefresh(rt.integrationKey, rt.userID, rt.scopes), nil
}
