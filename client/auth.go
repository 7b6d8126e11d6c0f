package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// authConfig holds the authentication settings set by the With... options
// below; New validates them all at once (authConfig.validate).
type authConfig struct {
	env            Environment
	envSet         bool
	integrationKey string
	userID         string
	keyLoaders     []keyLoader
	scopes         []string
	scopesSet      bool
	tokenLifetime  time.Duration
	lifetimeSet    bool
	refreshMargin  time.Duration
	marginSet      bool
	tokenCache     TokenCache
	tokenCacheSet  bool
	tokenCacheDir  string
	cacheDirSet    bool
	redirectURI    string
	accountID      string
	organizationID string
	tokenSource    TokenSource
	now            func() time.Time // clock; tests replace it

	codeGrant     bool           // WithAuthorizationCode
	secretLoaders []secretLoader // WithClientSecret, WithClientSecretEnv
	refreshToken  string         // WithRefreshToken
	refreshSet    bool
}

// secretLoader is one client secret option, read during validation.
type secretLoader struct {
	option string
	load   func() (string, error)
}

// keyLoader is one private key option, loaded during validation.
type keyLoader struct {
	option string
	load   func() (*PrivateKey, error)
}

// authSettings is authConfig after validation and defaulting.
type authSettings struct {
	env            Environment
	integrationKey string
	userID         string
	key            *PrivateKey
	scopes         []string
	lifetime       time.Duration
	margin         time.Duration
	cache          TokenCache
	redirectURI    string
	accountID      string
	organizationID string
	tokenSource    TokenSource
	now            func() time.Time

	codeGrant    bool   // Authorization Code Grant instead of JWT
	clientSecret string // confidential application's secret, "" for PKCE only
	refreshToken string // WithRefreshToken
}

// WithEnvironment selects the DocuSign environment (default Developer).
// Tokens, user info and base URIs are never shared between environments.
func WithEnvironment(env Environment) Option {
	return func(c *config) { c.env, c.envSet = env, true }
}

// WithIntegrationKey sets the integration key (OAuth client ID, a GUID) from
// Apps and Keys. Required unless WithTokenSource is used.
func WithIntegrationKey(key string) Option {
	return func(c *config) { c.integrationKey = strings.TrimSpace(key) }
}

// WithUserID sets the GUID of the user the integration acts as (the "API
// Username" in Apps and Keys). Required unless WithTokenSource is used.
func WithUserID(id string) Option {
	return func(c *config) { c.userID = strings.TrimSpace(id) }
}

// WithPrivateKey sets the RSA private key as PEM (PKCS#1 or PKCS#8). Common
// copy-and-paste damage is repaired (see ParsePrivateKey).
func WithPrivateKey(pem []byte) Option {
	data := append([]byte(nil), pem...)
	return func(c *config) {
		c.keyLoaders = append(c.keyLoaders, keyLoader{"WithPrivateKey", func() (*PrivateKey, error) { return ParsePrivateKey(data) }})
	}
}

// WithPrivateKeyFile reads the RSA private key from a PEM file.
func WithPrivateKeyFile(path string) Option {
	return func(c *config) {
		c.keyLoaders = append(c.keyLoaders, keyLoader{"WithPrivateKeyFile", func() (*PrivateKey, error) { return LoadPrivateKeyFile(path) }})
	}
}

// WithPrivateKeyEnv reads the RSA private key from environment variable
// name, repairing literal \n sequences and similar damage.
func WithPrivateKeyEnv(name string) Option {
	return func(c *config) {
		c.keyLoaders = append(c.keyLoaders, keyLoader{"WithPrivateKeyEnv", func() (*PrivateKey, error) { return LoadPrivateKeyEnv(name) }})
	}
}

// WithParsedPrivateKey uses a key already parsed (ParsePrivateKey,
// NewPrivateKey).
func WithParsedPrivateKey(key *PrivateKey) Option {
	return func(c *config) {
		c.keyLoaders = append(c.keyLoaders, keyLoader{"WithParsedPrivateKey", func() (*PrivateKey, error) {
			if key == nil || key.key == nil {
				return nil, &KeyError{Kind: KeyEmpty, Source: "WithParsedPrivateKey"}
			}
			return key, nil
		}})
	}
}

// WithScopes sets the OAuth scopes (default DefaultScopes: signature and
// impersonation; with WithAuthorizationCode, signature). With the JWT
// grant ScopeImpersonation is added if missing, because that grant
// requires it. Admin API use needs e.g. ScopeOrganizationRead and
// ScopeUserRead in addition to ScopeSignature.
func WithScopes(scopes ...string) Option {
	s := slices.Clone(scopes)
	return func(c *config) { c.scopes, c.scopesSet = s, true }
}

// WithTokenLifetime sets the requested token lifetime (the JWT assertion's
// exp - iat); at most and by default one hour.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.tokenLifetime, c.lifetimeSet = d, true }
}

// WithRefreshMargin sets how long before expiry a token is replaced
// (default DefaultRefreshMargin, 5 minutes), so a request never starts with
// a token about to expire.
func WithRefreshMargin(d time.Duration) Option {
	return func(c *config) { c.refreshMargin, c.marginSet = d, true }
}

// WithTokenCache sets where tokens persist between uses (default: memory of
// this Client). Use NewFileTokenCache, or WithTokenCacheDir, for a process
// started every few minutes, so it does not request a token on every run.
func WithTokenCache(cache TokenCache) Option {
	return func(c *config) { c.tokenCache, c.tokenCacheSet = cache, true }
}

// WithTokenCacheDir persists tokens in files under dir (see
// NewFileTokenCache; DefaultTokenCacheDir gives a per-user location).
func WithTokenCacheDir(dir string) Option {
	return func(c *config) { c.tokenCacheDir, c.cacheDirSet = dir, true }
}

// WithRedirectURI sets a redirect URI registered for the integration key.
// It is needed to build consent URLs (Client.ConsentURL and the ConsentURL
// of consent_required errors).
func WithRedirectURI(uri string) Option {
	return func(c *config) { c.redirectURI = strings.TrimSpace(uri) }
}

// WithAccountID selects the eSignature account (a GUID) among the user's
// accounts; by default the user's default account is used.
func WithAccountID(id string) Option {
	return func(c *config) { c.accountID = strings.TrimSpace(id) }
}

// WithOrganizationID sets the organization (a GUID) for Admin API calls.
func WithOrganizationID(id string) Option {
	return func(c *config) { c.organizationID = strings.TrimSpace(id) }
}

// WithTokenSource supplies tokens from src instead of the JWT grant (for
// example tokens from another OAuth flow). src is used as is, without the
// Client's caching; integration key, user ID and private key options are
// then not needed, and the token cache and lifetime options are errors
// (they would have no effect).
func WithTokenSource(src TokenSource) Option {
	return func(c *config) { c.tokenSource = src }
}

// WithAuthorizationCode selects the Authorization Code Grant instead of
// the JWT grant: a person logs in once in the browser (Client.Login, or an
// AuthCodeFlow in a web application) and the Client then acts as them,
// renewing the 8-hour access token with the refresh token (30 days,
// rotated on use) as needed and keeping both in the token cache. Needs
// WithIntegrationKey, and WithRedirectURI to log in; user ID and private key
// are not used. Without WithClientSecret the application is public and
// relies on PKCE alone. Default scopes: signature.
func WithAuthorizationCode() Option {
	return func(c *config) { c.codeGrant = true }
}

// WithClientSecret sets the integration key's secret key for a
// confidential application (Authorization Code Grant): token requests then
// authenticate with it (HTTP Basic) in addition to PKCE.
func WithClientSecret(secret string) Option {
	return func(c *config) {
		c.secretLoaders = append(c.secretLoaders, secretLoader{"WithClientSecret", func() (string, error) {
			if strings.TrimSpace(secret) == "" {
				return "", errors.New("the secret is empty: pass the secret key from Apps and Keys, or remove the option for a public (PKCE) application")
			}
			return strings.TrimSpace(secret), nil
		}})
	}
}

// WithClientSecretEnv reads the client secret (see WithClientSecret) from
// environment variable name.
func WithClientSecretEnv(name string) Option {
	return func(c *config) {
		c.secretLoaders = append(c.secretLoaders, secretLoader{"WithClientSecretEnv", func() (string, error) {
			v := strings.TrimSpace(os.Getenv(name))
			if v == "" {
				return "", fmt.Errorf("environment variable %s is empty or unset: set it to the secret key from Apps and Keys", name)
			}
			return v, nil
		}})
	}
}

// WithRefreshToken starts the Authorization Code Grant from a refresh token
// obtained elsewhere (e.g. kept in a secret store after a one-time login),
// so a service never opens a browser. A newer, rotated refresh token in the
// token cache is preferred; this one is tried when there is none or it is
// refused.
func WithRefreshToken(refreshToken string) Option {
	return func(c *config) { c.refreshToken, c.refreshSet = strings.TrimSpace(refreshToken), true }
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidGUID reports whether s is a GUID in the 8-4-4-4-12 hex form
// DocuSign uses for integration keys and user, account and organization
// IDs: the check New applies to those options, for callers (such as a CLI)
// that validate input before building a Client.
func ValidGUID(s string) bool { return guidRE.MatchString(s) }

// checkGUID accepts the 8-4-4-4-12 hex form DocuSign uses for IDs.
func checkGUID(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if !ValidGUID(s) {
		return fmt.Errorf("%q is not a GUID (want 8-4-4-4-12 hex digits, e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0)", s)
	}
	return nil
}

// checkRedirectURI accepts an absolute URI without fragment. Its errors
// show the URI redacted (redactConfigURL).
func checkRedirectURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) { // its text quotes the whole URI
			err = uerr.Err
		}
		return fmt.Errorf("redirect URI is not a URI (%v): give an absolute URI such as https://app.example.com/callback", err)
	}
	if u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
		return fmt.Errorf("redirect URI %q is not an absolute URI (e.g. https://app.example.com/callback)", redactConfigURL(u))
	}
	if u.Fragment != "" {
		return fmt.Errorf("redirect URI %q must not contain a fragment", redactConfigURL(u))
	}
	return nil
}

// redactConfigURL shows a configured URI (a redirect URI) for an error
// with its user information, query and fragment replaced by REDACTED: any
// of them may hold a credential (user:password@, ?token=...).
func redactConfigURL(u *url.URL) string {
	r := *u
	if r.User != nil {
		r.User = url.User("REDACTED")
	}
	if r.Opaque != "" {
		if i := strings.LastIndexByte(r.Opaque, '@'); i >= 0 {
			r.Opaque = "REDACTED" + r.Opaque[i:]
		}
	}
	if r.RawQuery != "" || r.ForceQuery {
		r.RawQuery, r.ForceQuery = "REDACTED", false
	}
	if r.Fragment != "" {
		r.Fragment, r.RawFragment = "REDACTED", ""
	}
	return r.String()
}

// validate checks every auth setting and returns the resolved settings, or
// all problems joined.
func (a *authConfig) validate() (*authSettings, error) {
	var errs []error
	s := &authSettings{
		env:            Developer(),
		integrationKey: a.integrationKey,
		userID:         a.userID,
		redirectURI:    a.redirectURI,
		accountID:      a.accountID,
		organizationID: a.organizationID,
		tokenSource:    a.tokenSource,
		now:            a.now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if a.envSet {
		s.env = a.env
	}
	if err := s.env.Validate(); err != nil {
		errs = append(errs, wrapOpt("WithEnvironment", err))
	}

	byo := a.tokenSource != nil
	s.codeGrant = a.codeGrant
	errs = append(errs, a.validateCodeGrant(s)...)
	if a.codeGrant {
		// The user is whoever logs in; the JWT settings have no use.
		if a.userID != "" {
			errs = append(errs, fieldErr("WithUserID", "is not used with WithAuthorizationCode (the user is whoever logs in): remove it"))
		}
		if len(a.keyLoaders) > 0 {
			errs = append(errs, fieldErr(a.keyLoaders[0].option, "is not used with WithAuthorizationCode, which needs no private key: remove it"))
		}
		if a.lifetimeSet {
			errs = append(errs, optErr("WithTokenLifetime", "has no effect with WithAuthorizationCode (DocuSign issues 8-hour tokens): remove it"))
		}
		if a.integrationKey == "" {
			errs = append(errs, optErr("WithIntegrationKey", "integration key is required: copy it from Apps and Keys in DocuSign admin"))
		}
	} else if byo {
		if len(a.keyLoaders) > 0 {
			errs = append(errs, fieldErr(a.keyLoaders[0].option, "cannot be combined with WithTokenSource, which replaces the JWT grant: remove one of them"))
		}
		// These shape the Client's own caching of JWT grant tokens, which a
		// token source replaces.
		for _, o := range []struct {
			name string
			set  bool
		}{{"WithTokenCache", a.tokenCacheSet}, {"WithTokenCacheDir", a.cacheDirSet}, {"WithTokenLifetime", a.lifetimeSet}, {"WithRefreshMargin", a.marginSet}} {
			if o.set {
				errs = append(errs, fieldErr(o.name, "has no effect with WithTokenSource: remove it"))
			}
		}
	} else {
		if a.integrationKey == "" {
			errs = append(errs, optErr("WithIntegrationKey", "integration key is required: copy it from Apps and Keys in DocuSign admin"))
		}
		if a.userID == "" {
			errs = append(errs, optErr("WithUserID", "user ID is required: use the API Username (a GUID) from Apps and Keys"))
		}
		switch len(a.keyLoaders) {
		case 0:
			errs = append(errs, optErr("WithPrivateKey", "no private key: set one of WithPrivateKey, WithPrivateKeyFile, WithPrivateKeyEnv"))
		case 1:
			k, err := a.keyLoaders[0].load()
			if err != nil {
				errs = append(errs, wrapOpt(a.keyLoaders[0].option, err))
			}
			s.key = k
		default:
			names := make([]string, len(a.keyLoaders))
			for i, l := range a.keyLoaders {
				names[i] = l.option
			}
			errs = append(errs, optErr(names[0], "private key set %d times (%s): set exactly one", len(names), strings.Join(names, ", ")))
		}
	}
	if a.integrationKey != "" {
		if err := checkGUID(a.integrationKey); err != nil {
			errs = append(errs, optErr("WithIntegrationKey", "%v: the integration key is the GUID shown in Apps and Keys", err))
		}
	}
	if a.userID != "" {
		if err := checkGUID(a.userID); err != nil {
			errs = append(errs, optErr("WithUserID", "%v: use the API Username GUID, not the email address", err))
		}
	}
	if a.accountID != "" {
		if err := checkGUID(a.accountID); err != nil {
			errs = append(errs, optErr("WithAccountID", "%v: use the API Account ID GUID, not the short account number", err))
		}
	}
	if a.organizationID != "" {
		if err := checkGUID(a.organizationID); err != nil {
			errs = append(errs, optErr("WithOrganizationID", "%v: copy the organization ID from DocuSign Admin > Overview", err))
		}
	}
	if a.redirectURI != "" {
		if err := checkRedirectURI(a.redirectURI); err != nil {
			errs = append(errs, wrapOpt("WithRedirectURI", err))
		}
	}

	// Scopes: trimmed, deduplicated in order, impersonation added.
	scopes := DefaultScopes()
	if a.scopesSet {
		scopes = nil
		for _, sc := range a.scopes {
			sc = strings.TrimSpace(sc)
			switch {
			case sc == "":
				errs = append(errs, optErr("WithScopes", "empty scope: remove it"))
			case strings.ContainsAny(sc, " \t\r\n"):
				errs = append(errs, optErr("WithScopes", "scope %q contains whitespace: pass each scope as its own argument", sc))
			case !slices.Contains(scopes, sc):
				scopes = append(scopes, sc)
			}
		}
		if len(a.scopes) == 0 {
			errs = append(errs, optErr("WithScopes", "no scopes given: pass at least ScopeSignature"))
		}
	}
	if a.codeGrant && !a.scopesSet {
		scopes = []string{ScopeSignature}
	}
	if !a.codeGrant && !slices.Contains(scopes, ScopeImpersonation) {
		scopes = append(slices.Clone(scopes), ScopeImpersonation)
	}
	s.scopes = slices.Clone(scopes)

	if !byo {
		errs = append(errs, a.validateCaching(s)...)
	}
	if a.codeGrant {
		s.lifetime = AuthCodeTokenLifetime
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// validateCodeGrant checks the options of the Authorization Code Grant
// and fills them into s.
func (a *authConfig) validateCodeGrant(s *authSettings) []error {
	var errs []error
	if !a.codeGrant {
		if len(a.secretLoaders) > 0 {
			errs = append(errs, fieldErr(a.secretLoaders[0].option, "is only used by the Authorization Code Grant: add WithAuthorizationCode, or remove it"))
		}
		if a.refreshSet {
			errs = append(errs, fieldErr("WithRefreshToken", "is only used by the Authorization Code Grant: add WithAuthorizationCode, or remove it"))
		}
		return errs
	}
	if a.tokenSource != nil {
		errs = append(errs, fieldErr("WithTokenSource", "cannot be combined with WithAuthorizationCode, which supplies the tokens: remove one of them"))
	}
	switch len(a.secretLoaders) {
	case 0:
	case 1:
		v, err := a.secretLoaders[0].load()
		if err != nil {
			errs = append(errs, wrapOpt(a.secretLoaders[0].option, err))
		}
		s.clientSecret = v
	default:
		errs = append(errs, optErr(a.secretLoaders[0].option, "client secret set %d times: set exactly one of WithClientSecret, WithClientSecretEnv", len(a.secretLoaders)))
	}
	if a.refreshSet && a.refreshToken == "" {
		errs = append(errs, optErr("WithRefreshToken", "the refresh token is empty: pass one from an earlier login, or remove the option and log in"))
	}
	s.refreshToken = a.refreshToken
	return errs
}

// validateCaching checks the lifetime, refresh margin and token cache of
// the JWT grant and fills them into s.
func (a *authConfig) validateCaching(s *authSettings) []error {
	var errs []error
	s.lifetime = MaxTokenLifetime
	if a.lifetimeSet {
		switch {
		case a.tokenLifetime <= 0:
			errs = append(errs, optErr("WithTokenLifetime", "%s is not positive: use up to %s", a.tokenLifetime, MaxTokenLifetime))
		case a.tokenLifetime > MaxTokenLifetime:
			errs = append(errs, optErr("WithTokenLifetime", "%s exceeds DocuSign's maximum of %s: use %s or less", a.tokenLifetime, MaxTokenLifetime, MaxTokenLifetime))
		case a.tokenLifetime < time.Minute:
			errs = append(errs, optErr("WithTokenLifetime", "%s is too short to be useful: use at least one minute", a.tokenLifetime))
		default:
			s.lifetime = a.tokenLifetime
		}
	}
	s.margin = DefaultRefreshMargin
	if s.lifetime < 4*DefaultRefreshMargin {
		s.margin = s.lifetime / 4
	}
	if a.marginSet {
		switch {
		case a.refreshMargin < 0:
			errs = append(errs, optErr("WithRefreshMargin", "%s is negative: use 0 or more", a.refreshMargin))
		case a.refreshMargin >= s.lifetime:
			errs = append(errs, optErr("WithRefreshMargin", "%s is not shorter than the token lifetime %s: every call would request a new token", a.refreshMargin, s.lifetime))
		default:
			s.margin = a.refreshMargin
		}
	}

	switch {
	case a.cacheDirSet && a.tokenCacheDir == "":
		errs = append(errs, optErr("WithTokenCacheDir", "the directory is empty: give a directory path (DefaultTokenCacheDir gives a per-user one), or use WithTokenCache(nil) to keep tokens in memory only"))
	case a.cacheDirSet && a.tokenCacheSet:
		errs = append(errs, fieldErr("WithTokenCacheDir", "cannot be combined with WithTokenCache: use one"))
	case a.cacheDirSet:
		fc, err := NewFileTokenCache(a.tokenCacheDir)
		if err != nil {
			errs = append(errs, wrapOpt("WithTokenCacheDir", err))
		} else {
			s.cache = fc
		}
	case a.tokenCacheSet:
		s.cache = a.tokenCache // WithTokenCache(nil): memory of the token source only
	default:
		s.cache = NewMemoryTokenCache()
	}
	return errs
}

// authTransport is the auth layer of the request pipeline: it sets the
// bearer token on each attempt, retries once with a new token after a 401,
// and reports eSignature outcomes to the Go-Live tracker.
type authTransport struct {
	base   http.RoundTripper
	client *Client
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.client
	esign := c.isESignatureRequest(req.URL)
	if req.Header.Get("Authorization") != "" || !c.sendsTokenTo(req.Context(), req.URL) {
		// An explicit Authorization header wins; foreign hosts (e.g. a
		// redirect to storage) never receive the token.
		resp, err := t.base.RoundTrip(req)
		if esign {
			c.golive.observe(req, resp, err)
		}
		return resp, err
	}
	ctx := req.Context()
	tok, err := c.ts.Token(ctx)
	if err == nil && (tok == nil || tok.AccessToken == "") {
		err = errors.New("docusign: token source returned no access token")
	}
	if err != nil {
		closeBody(req)
		return nil, err
	}
	r := req.Clone(ctx)
	tok.SetAuthHeader(r)
	resp, err := t.base.RoundTrip(r)
	if esign {
		c.golive.observe(req, resp, err)
	}
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	// 401: the token was revoked or expired early. Replace it; the retry
	// layer above, which allowed this (it can replay the body and has not
	// done so for a 401 yet), then sends the request once more as its own,
	// logged attempt.
	st, _ := ctx.Value(authAttemptKey{}).(*authAttempt)
	if st == nil || !st.mayRefresh {
		return resp, nil
	}
	// A cache that cannot forget the token is reported by LastCacheError;
	// a fresh token is tried regardless.
	_ = c.invalidateToken(tok.AccessToken)
	fresh, err := c.ts.Token(ctx)
	if err == nil && (fresh == nil || fresh.AccessToken == "") {
		err = errors.New("token source returned no access token")
	}
	if err != nil {
		discardBody(resp)
		// The path only: query values may carry personal data (an email
		// filter) and this error is logged.
		return nil, fmt.Errorf("docusign: %s %s was answered 401 and no new token could be obtained: %w", req.Method, req.URL.EscapedPath(), err)
	}
	st.refreshed = fresh.AccessToken != tok.AccessToken
	return resp, nil
}

// authAttemptKey carries an *authAttempt in an attempt's context.
type authAttemptKey struct{}

// authAttempt is how the retry layer and the auth layer agree on one
// attempt: mayRefresh (set by retry) lets auth replace a token answered with
// 401; refreshed (set by auth) asks retry to send the request once more.
type authAttempt struct {
	mayRefresh bool
	refreshed  bool
}

// closeBody closes a request body the transport will not send, as the
// RoundTripper contract requires.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// ErrOAuthRedirect is matched (errors.Is) by the error of an OAuth request
// (token or userinfo) that was answered with a redirect. OAuth requests never
// follow redirects: the token request carries the signed assertion, the
// userinfo request the bearer token, and a token another host returns must
// not be used. The fix is the environment's OAuthURL (it must be the final
// address of the account server).
var ErrOAuthRedirect = errors.New("docusign: OAuth requests do not follow redirects")

// withoutRedirects returns a copy of hc (http.DefaultClient when nil) that
// returns an error wrapping ErrOAuthRedirect instead of following a
// redirect.
func withoutRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		from := via[len(via)-1].URL
		return fmt.Errorf("%w: %s %s%s was redirected to %s: set Environment.OAuthURL to the account server's final address",
			ErrOAuthRedirect, via[0].Method, from.Host, from.EscapedPath(), origin(req.URL))
	}
	return &c
}
