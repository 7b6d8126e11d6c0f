package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// OAuth grant types of the Authorization Code Grant.
const (
	// GrantTypeAuthorizationCode exchanges an authorization code for tokens.
	GrantTypeAuthorizationCode = "authorization_code"
	// GrantTypeRefreshToken renews an access token with a refresh token.
	GrantTypeRefreshToken = "refresh_token"
)

// AuthCodeTokenLifetime is how long DocuSign's Authorization Code Grant
// access tokens last (8 hours); used when an answer has no expires_in, and
// the cap of a larger one.
// Refresh tokens last 30 days and may be replaced (rotated) on each use.
const AuthCodeTokenLifetime = 8 * time.Hour

var (
	// ErrLoginRequired: the Authorization Code Grant has no usable refresh
	// token: nobody logged in yet, the user logged out, or DocuSign refused
	// the refresh token (expired, revoked or already used). The user must
	// log in again (Client.Login, `docusign login`).
	ErrLoginRequired = errors.New("docusign: log in again")
	// ErrStateMismatch: the redirect to the redirect URI carried a state
	// other than the login's own, so it does not answer this login (a
	// stale browser tab, or a forged request); the code is not exchanged.
	// AuthCodeFlow.Exchange returns it and the flow stays usable; Login
	// answers such a request 400 and keeps waiting for the real redirect.
	ErrStateMismatch = errors.New("docusign: login callback state does not match")
)

// LoginRequiredError says why the user must log in again. It matches
// ErrLoginRequired with errors.Is; Err, when set, is DocuSign's answer
// (an *AuthError with Code "invalid_grant").
type LoginRequiredError struct {
	// Reason says what happened, e.g. "the refresh token was refused".
	Reason string
	// Err is the underlying failure, if any.
	Err error
}

// Error describes the problem and the fix, without any token.
func (e *LoginRequiredError) Error() string {
	msg := "docusign: log in again: " + e.Reason + " (Client.Login, or run `docusign login`)"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is matches ErrLoginRequired.
func (e *LoginRequiredError) Is(target error) bool { return target == ErrLoginRequired }

// Unwrap returns the underlying failure.
func (e *LoginRequiredError) Unwrap() error { return e.Err }

// AuthCodeConfig describes the Authorization Code Grant of one integration
// key: a person logs in through the browser and the application acts as
// them. Public applications (no secret) rely on PKCE alone; confidential
// ones also authenticate with the secret. PKCE (S256) is used in both cases.
type AuthCodeConfig struct {
	// Environment selects the OAuth server.
	Environment Environment
	// IntegrationKey is the application's client ID.
	IntegrationKey string
	// ClientSecret is the integration key's secret key for a confidential
	// application, sent as HTTP Basic credentials; empty for a public
	// application. Treat it as a secret.
	ClientSecret string
	// RedirectURI is where DocuSign sends the browser after login; it must be
	// registered for the integration key. Needed to log in, not to refresh.
	RedirectURI string
	// Scopes requested at login (default: signature).
	Scopes []string
	// HTTPClient sends the token requests; nil means http.DefaultClient. It
	// must not add an Authorization header. Its redirect policy is replaced:
	// token requests never follow a redirect (see ErrOAuthRedirect).
	HTTPClient *http.Client
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time
}

// String describes the configuration without the secret.
func (c AuthCodeConfig) String() string {
	secret := "none (public, PKCE)"
	if c.ClientSecret != "" {
		secret = "REDACTED"
	}
	return fmt.Sprintf("AuthCodeConfig{env=%s integration_key=%s secret=%s redirect_uri=%s scopes=%q}",
		c.Environment.Name, c.IntegrationKey, secret, c.RedirectURI, c.Scopes)
}

// GoString is String.
func (c AuthCodeConfig) GoString() string { return c.String() }

// Format prints String for every verb.
func (c AuthCodeConfig) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue keeps the secret out of slog output.
func (c AuthCodeConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// validate reports every problem of c as *OptionErrors naming the fields,
// and whether a redirect URI is needed (for logging in) as well.
func (c *AuthCodeConfig) validate(login bool) error {
	var errs []error
	if err := c.Environment.Validate(); err != nil {
		errs = append(errs, wrapOpt("AuthCodeConfig.Environment", err))
	}
	if err := checkGUID(strings.TrimSpace(c.IntegrationKey)); err != nil {
		errs = append(errs, optErr("AuthCodeConfig.IntegrationKey", "integration key: %w", err))
	}
	switch {
	case c.RedirectURI == "" && login:
		errs = append(errs, optErr("AuthCodeConfig.RedirectURI", "redirect URI is empty: set one registered for the integration key (WithRedirectURI)"))
	case c.RedirectURI != "":
		if err := checkRedirectURI(c.RedirectURI); err != nil {
			errs = append(errs, wrapOpt("AuthCodeConfig.RedirectURI", err))
		}
	}
	return errors.Join(errs...)
}

// withDefaults fills in the defaults of unset fields.
func (c AuthCodeConfig) withDefaults() AuthCodeConfig {
	c.HTTPClient = withoutRedirects(c.HTTPClient)
	if c.Now == nil {
		c.Now = time.Now
	}
	if len(c.Scopes) == 0 {
		c.Scopes = []string{ScopeSignature}
	}
	c.IntegrationKey = strings.TrimSpace(c.IntegrationKey)
	return c
}

// tokenURL is the OAuth server's token endpoint.
func (c *AuthCodeConfig) tokenURL() string {
	return strings.TrimRight(c.Environment.OAuthURL, "/") + "/oauth/token"
}

// request sends one token request of the grant in form, authenticating the
// client as the application type requires: HTTP Basic with the secret for
// confidential applications, client_id in the form for public ones.
func (c *AuthCodeConfig) request(ctx context.Context, form url.Values) (*Token, error) {
	var setAuth func(*http.Request)
	if c.ClientSecret != "" {
		setAuth = func(r *http.Request) { r.SetBasicAuth(c.IntegrationKey, c.ClientSecret) }
	} else {
		form.Set("client_id", c.IntegrationKey)
	}
	tok, aerr, err := requestToken(ctx, c.HTTPClient, c.tokenURL(), form, setAuth, c.Now(), AuthCodeTokenLifetime, AuthCodeTokenLifetime)
	if aerr != nil {
		return nil, aerr
	}
	return tok, err
}

// AuthCodeFlow is one login with the Authorization Code Grant: it holds the
// state and PKCE verifier generated for it, sends the user to AuthURL, and
// exchanges the code the redirect brings back (Exchange), once. Its String
// and Format show no state, verifier, code or secret.
//
// A web application keeps the flow (e.g. keyed by State) between sending
// the browser away and receiving the redirect; a command-line tool uses
// Client.Login, which does all of it with a loopback redirect URI.
type AuthCodeFlow struct {
	// The configuration (with the secret), state and verifier sit behind a
	// pointer: fmt dereferences one pointer level of a struct field it
	// cannot call methods on (an unexported *AuthCodeFlow in an
	// application's struct printed with %s), and there shows only this
	// address.
	s       *flowSecrets
	used    atomic.Bool
	onToken func(context.Context, *Token) error // stores the token (Client flows)
}

// flowSecrets is what an AuthCodeFlow must not print.
type flowSecrets struct {
	cfg      AuthCodeConfig
	state    string
	verifier string
}

// NewAuthCodeFlow validates cfg (RedirectURI is required) and starts a login
// with a new random state and PKCE verifier.
func NewAuthCodeFlow(cfg AuthCodeConfig) (*AuthCodeFlow, error) {
	if err := cfg.validate(true); err != nil {
		return nil, err
	}
	return &AuthCodeFlow{s: &flowSecrets{cfg: cfg.withDefaults(), state: randomString(16), verifier: randomString(32)}}, nil
}

// randomString returns n random bytes, base64url-encoded without padding
// (32 bytes give the 43-character PKCE verifier RFC 7636 recommends).
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pkceChallenge is the S256 code challenge of verifier.
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthURL is where the user logs in and grants consent:
//
//	{OAuthURL}/oauth/auth?response_type=code&scope=...&client_id=...&redirect_uri=...&state=...&code_challenge=...&code_challenge_method=S256
func (f *AuthCodeFlow) AuthURL() string {
	u, _ := ConsentURL(ConsentParams{ // validated in NewAuthCodeFlow
		Environment:    f.s.cfg.Environment,
		IntegrationKey: f.s.cfg.IntegrationKey,
		RedirectURI:    f.s.cfg.RedirectURI,
		Scopes:         f.s.cfg.Scopes,
		State:          f.s.state,
	})
	return u + "&code_challenge=" + pkceChallenge(f.s.verifier) + "&code_challenge_method=S256"
}

// State is the flow's state value, for an application that keeps flows by
// state between the login request and the redirect. It is not a secret
// once sent, but keep it out of logs.
func (f *AuthCodeFlow) State() string { return f.s.state }

// RedirectURI is the redirect URI the flow sends the user back to.
func (f *AuthCodeFlow) RedirectURI() string { return f.s.cfg.RedirectURI }

// Exchange completes the login with the query of the redirect to the
// redirect URI: it checks the state (ErrStateMismatch), turns an error
// answer (error=access_denied, ...) into an *AuthError, and exchanges the
// code with the PKCE verifier (and the secret, if any) for tokens. A flow
// exchanges at most one code; with a Client's flow the tokens are stored
// in the Client's token cache. After ErrStateMismatch the flow is still
// usable: a forged or stale request does not spend it, so keep waiting for
// the redirect that carries the state.
func (f *AuthCodeFlow) Exchange(ctx context.Context, callback url.Values) (*Token, error) {
	if !f.stateMatches(callback) {
		return nil, fmt.Errorf("%w: the redirect does not answer this login (a stale browser tab or a forged request); start the login again", ErrStateMismatch)
	}
	if code := callback.Get("error"); code != "" {
		return nil, &AuthError{Code: printable(code), Description: printable(callback.Get("error_description")), Endpoint: f.s.cfg.RedirectURI, Grant: GrantTypeAuthorizationCode}
	}
	code := callback.Get("code")
	if code == "" {
		return nil, errors.New("docusign: the login redirect carries no code")
	}
	if !f.used.CompareAndSwap(false, true) {
		return nil, errors.New("docusign: this login was already completed: start a new one (codes are single-use)")
	}
	tok, err := f.s.cfg.request(ctx, url.Values{
		"grant_type":    {GrantTypeAuthorizationCode},
		"code":          {code},
		"redirect_uri":  {f.s.cfg.RedirectURI},
		"code_verifier": {f.s.verifier},
	})
	if err != nil {
		return nil, err
	}
	if f.onToken != nil {
		if err := f.onToken(ctx, tok); err != nil {
			return tok, err
		}
	}
	return tok.clone(), nil
}

// stateMatches reports whether a redirect's query carries this flow's
// state, comparing in constant time.
func (f *AuthCodeFlow) stateMatches(callback url.Values) bool {
	return subtle.ConstantTimeCompare([]byte(callback.Get("state")), []byte(f.s.state)) == 1
}

// printable keeps the printable ASCII (at most 200 bytes) of a value from
// a redirect (error, error_description), so that it cannot carry terminal
// escape sequences or control characters into logs and error text.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 200 {
			break
		}
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// String describes the flow without its state, verifier or the secret.
func (f *AuthCodeFlow) String() string {
	return fmt.Sprintf("AuthCodeFlow{%s completed=%t}", f.s.cfg, f.used.Load())
}

// GoString is String.
func (f *AuthCodeFlow) GoString() string { return f.String() }

// Format prints String for every verb.
func (f *AuthCodeFlow) Format(f2 fmt.State, verb rune) { formatRedacted(f2, verb, f.String()) }

// refresher is a token source that renews a token from refresh tokens: a
// CachingTokenSource passes it the refresh tokens it knows, newest first.
type refresher interface {
	refresh(ctx context.Context, candidates []string) (*Token, error)
}

// refreshTokenSource renews access tokens with the refresh token grant. It
// is wrapped in a CachingTokenSource, which keeps the current refresh
// token (in memory and in the token cache) and asks it to refresh once for
// any number of waiting callers.
type refreshTokenSource struct {
	cfg AuthCodeConfig

	mu      sync.Mutex
	seed    string // WithRefreshToken; tried after the cached ones
	noSeed  bool   // after Logout the seed is not used again
	revoked map[string]bool
}

// Token renews with the configured refresh token.
func (s *refreshTokenSource) Token(ctx context.Context) (*Token, error) { return s.refresh(ctx, nil) }

// refresh tries each distinct refresh token (the candidates, then the
// configured one) until DocuSign accepts one; a token it refuses with
// invalid_grant is not tried again. A refused last token means the user
// must log in again (*LoginRequiredError). A token answer without a new
// refresh token keeps the one used.
func (s *refreshTokenSource) refresh(ctx context.Context, candidates []string) (*Token, error) {
	s.mu.Lock()
	if s.seed != "" && !s.noSeed {
		candidates = append(candidates, s.seed)
	}
	var list []string
	for _, rt := range candidates {
		if rt != "" && !s.revoked[rt] && !slices.Contains(list, rt) {
			list = append(list, rt)
		}
	}
	s.mu.Unlock()
	if len(list) == 0 {
		return nil, &LoginRequiredError{Reason: "no refresh token: nobody has logged in with this integration key, environment and scopes, or the login was removed"}
	}
	var last error
	for _, rt := range list {
		tok, err := s.cfg.request(ctx, url.Values{"grant_type": {GrantTypeRefreshToken}, "refresh_token": {rt}})
		if err == nil {
			if tok.RefreshToken == "" {
				tok.RefreshToken = rt
			}
			return tok, nil
		}
		if !errors.Is(err, ErrInvalidGrant) {
			return nil, err
		}
		s.mu.Lock()
		if s.revoked == nil {
			s.revoked = map[string]bool{}
		}
		s.revoked[rt] = true
		s.mu.Unlock()
		last = err
	}
	return nil, &LoginRequiredError{Reason: "DocuSign refused the saved refresh token", Err: last}
}

// forget stops using the configured refresh token (Logout).
func (s *refreshTokenSource) forget() {
	s.mu.Lock()
	s.noSeed = true
	s.mu.Unlock()
}

// String describes the source without tokens or secret.
func (s *refreshTokenSource) String() string { return "RefreshTokenSource{" + s.cfg.String() + "}" }

// NewRefreshTokenSource returns a token source for the Authorization Code
// Grant outside a Client: it hands out tok's access token while fresh and
// then renews it with the refresh token (once for any number of concurrent
// callers), keeping rotated refresh tokens in opts.Cache under opts.Key
// when set. tok is typically the result of AuthCodeFlow.Exchange; with only
// a stored refresh token, pass &Token{RefreshToken: rt}.
func NewRefreshTokenSource(cfg AuthCodeConfig, tok *Token, opts CachingOptions) (*CachingTokenSource, error) {
	if err := cfg.validate(false); err != nil {
		return nil, err
	}
	if tok == nil || tok.RefreshToken == "" {
		return nil, errors.New("docusign: NewRefreshTokenSource: the token has no refresh token: log in first (AuthCodeFlow)")
	}
	cfg = cfg.withDefaults()
	if opts.Now == nil {
		opts.Now = cfg.Now
	}
	cs := NewCachingTokenSource(&refreshTokenSource{cfg: cfg}, opts)
	cs.mu.Lock()
	cs.tok, cs.sec.refreshTok = tok.clone(), tok.RefreshToken
	cs.mu.Unlock()
	return cs, nil
}
