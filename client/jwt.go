package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// OAuth scopes. eSignature and Monitor need ScopeSignature; the JWT grant
// always needs ScopeImpersonation; the Admin API needs the admin scopes for
// the operations used (e.g. ScopeOrganizationRead and ScopeUserRead to list
// users).
const (
	// ScopeSignature grants access to the eSignature REST API (and Monitor).
	ScopeSignature = "signature"
	// ScopeImpersonation lets the application act as the user (JWT grant).
	ScopeImpersonation = "impersonation"
	// ScopeExtended extends refresh tokens in the authorization code grant.
	ScopeExtended = "extended"
	// ScopeOpenID enables consent on behalf of users (eSignature).
	ScopeOpenID = "openid"
	// ScopeCORS is needed by browser applications calling eSignature.
	ScopeCORS = "cors"

	// ScopeOrganizationRead reads organizations and organization data (Admin).
	ScopeOrganizationRead = "organization_read"
	// ScopeGroupRead reads an account's groups (Admin).
	ScopeGroupRead = "group_read"
	// ScopePermissionRead reads an account's permission profiles (Admin).
	ScopePermissionRead = "permission_read"
	// ScopeUserRead reads user data (Admin).
	ScopeUserRead = "user_read"
	// ScopeUserWrite creates, updates and deletes users (Admin).
	ScopeUserWrite = "user_write"
	// ScopeAccountRead reads account data (Admin).
	ScopeAccountRead = "account_read"
	// ScopeAccountWrite creates, updates and deletes account data (Admin).
	ScopeAccountWrite = "account_write"
	// ScopeDomainRead reads an organization's reserved domains (Admin).
	ScopeDomainRead = "domain_read"
	// ScopeIdentityProviderRead reads an organization's identity providers (Admin).
	ScopeIdentityProviderRead = "identity_provider_read"
	// ScopeUserDataRedact deletes personal data of closed users (Admin).
	ScopeUserDataRedact = "user_data_redact"
	// ScopeAssetGroupAccountRead lists accounts eligible for cloning (Admin).
	ScopeAssetGroupAccountRead = "asset_group_account_read"
	// ScopeAssetGroupAccountCloneWrite starts account cloning (Admin).
	ScopeAssetGroupAccountCloneWrite = "asset_group_account_clone_write"
	// ScopeAssetGroupAccountCloneRead reads account cloning status (Admin).
	ScopeAssetGroupAccountCloneRead = "asset_group_account_clone_read"
)

// DefaultScopes returns the scopes used when none are configured (signature
// and impersonation): enough for eSignature and Monitor with the JWT grant.
// Each call returns a new slice, so callers may change it.
func DefaultScopes() []string { return []string{ScopeSignature, ScopeImpersonation} }

// MaxTokenLifetime is the longest JWT assertion lifetime DocuSign accepts,
// and the default. It also caps the lifetime of the tokens the JWT grant
// returns: a larger expires_in is read as MaxTokenLifetime.
const MaxTokenLifetime = time.Hour

// GrantTypeJWTBearer is the OAuth grant_type of the JWT grant.
const GrantTypeJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// JWTConfig describes a JWT grant: the application (integration key) signs
// an assertion with its RSA key to obtain a token acting as the user.
type JWTConfig struct {
	// Environment selects the OAuth server; its host is the audience.
	Environment Environment
	// IntegrationKey is the application's client ID (iss).
	IntegrationKey string
	// UserID is the GUID of the user to act as (sub).
	UserID string
	// PrivateKey signs the assertion (RS256).
	PrivateKey *PrivateKey
	// Scopes requested (space-separated in the assertion); default
	// DefaultScopes.
	Scopes []string
	// Lifetime of the assertion (exp - iat); default and maximum
	// MaxTokenLifetime.
	Lifetime time.Duration
	// RedirectURI, if set, lets consent_required errors carry the consent URL.
	RedirectURI string
	// HTTPClient sends the token request; nil means http.DefaultClient. It
	// must not add an Authorization header. Its redirect policy is replaced:
	// the token request never follows a redirect (see ErrOAuthRedirect).
	HTTPClient *http.Client
	// Now is the clock for iat and expiry; nil means time.Now.
	Now func() time.Time
}

// validate reports every problem of c as *OptionErrors naming the fields.
func (c *JWTConfig) validate() error {
	var errs []error
	if err := c.Environment.Validate(); err != nil {
		errs = append(errs, wrapOpt("JWTConfig.Environment", err))
	}
	if c.IntegrationKey == "" {
		errs = append(errs, optErr("JWTConfig.IntegrationKey", "integration key is empty"))
	}
	if err := checkGUID(c.UserID); err != nil {
		errs = append(errs, optErr("JWTConfig.UserID", "user ID: %w", err))
	}
	if c.PrivateKey == nil || c.PrivateKey.key == nil {
		errs = append(errs, optErr("JWTConfig.PrivateKey", "no private key"))
	}
	if c.Lifetime < 0 || c.Lifetime > MaxTokenLifetime {
		errs = append(errs, optErr("JWTConfig.Lifetime", "lifetime %s is outside (0, %s]", c.Lifetime, MaxTokenLifetime))
	}
	return errors.Join(errs...)
}

// JWTTokenSource requests a new token with the JWT grant on every call; wrap
// it in a CachingTokenSource (as Client does) to reuse tokens.
type JWTTokenSource struct {
	cfg      JWTConfig
	scopes   []string
	tokenURL string
}

// NewJWTTokenSource validates cfg and returns a source for it.
func NewJWTTokenSource(cfg JWTConfig) (*JWTTokenSource, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = MaxTokenLifetime
	}
	cfg.HTTPClient = withoutRedirects(cfg.HTTPClient)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes()
	}
	return &JWTTokenSource{
		cfg:      cfg,
		scopes:   scopes,
		tokenURL: strings.TrimRight(cfg.Environment.OAuthURL, "/") + "/oauth/token",
	}, nil
}

// assertion signs the JWT grant assertion for time now.
func (s *JWTTokenSource) assertion(now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss":   s.cfg.IntegrationKey,
		"sub":   s.cfg.UserID,
		"aud":   s.cfg.Environment.OAuthHost(),
		"iat":   now.Unix(),
		"exp":   now.Add(s.cfg.Lifetime).Unix(),
		"scope": strings.Join(s.scopes, " "),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.cfg.PrivateKey.key)
	if err != nil {
		return "", fmt.Errorf("docusign: signing JWT assertion: %w", err)
	}
	return signed, nil
}

// Token requests a new access token from {OAuthURL}/oauth/token. OAuth
// failures are returned as *AuthError.
func (s *JWTTokenSource) Token(ctx context.Context) (*Token, error) {
	now := s.cfg.Now()
	assertion, err := s.assertion(now)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {GrantTypeJWTBearer}, "assertion": {assertion}}
	tok, aerr, err := requestToken(ctx, s.cfg.HTTPClient, s.tokenURL, form, nil, now, s.cfg.Lifetime, MaxTokenLifetime)
	if aerr != nil {
		if aerr.Code == codeConsentRequired && s.cfg.RedirectURI != "" {
			aerr.ConsentURL, _ = ConsentURL(ConsentParams{
				Environment:    s.cfg.Environment,
				IntegrationKey: s.cfg.IntegrationKey,
				RedirectURI:    s.cfg.RedirectURI,
				Scopes:         s.scopes,
			})
		}
		return nil, aerr
	}
	return tok, err
}

// tokenResponse is the success answer of /oauth/token.
type tokenResponse struct {
	AccessToken  string      `json:"access_token"`
	TokenType    string      `json:"token_type"`
	ExpiresIn    json.Number `json:"expires_in"`
	RefreshToken string      `json:"refresh_token"`
}

// requestToken POSTs form to tokenURL (with setAuth, if any, adding client
// credentials) and reads the answer: a *Token on success, an *AuthError for
// an OAuth error answer, or another error. The token expires after
// expires_in (at most max), or after def when the answer has none. No error
// quotes the form or the answer's body, which hold secrets.
func requestToken(ctx context.Context, hc *http.Client, tokenURL string, form url.Values, setAuth func(*http.Request), now time.Time, def, max time.Duration) (*Token, *AuthError, error) {
	// Through the Client's pipeline: error answers come back as responses
	// (to become *AuthError here), and the POST may be retried on throttling
	// or server errors, which is safe because it only mints a token.
	ctx = WithRetryNonIdempotent(keepErrorResponses(ctx))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, fmt.Errorf("docusign: building token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cache-Control", "no-store")
	if setAuth != nil {
		req = withOAuthCredentials(hc, req, setAuth)
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error quotes the URL, which holds no secret (they are in the
		// body and headers).
		return nil, nil, fmt.Errorf("docusign: requesting token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		aerr := newAuthError(resp)
		aerr.Grant = form.Get("grant_type")
		return nil, aerr, nil
	}
	var tr tokenResponse
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody))
	if err := dec.Decode(&tr); err != nil {
		// The decoder's error can quote body bytes, which may include the
		// token: report only the position-free kind of failure.
		return nil, nil, fmt.Errorf("docusign: token response from %s is not valid JSON", tokenURL)
	}
	if tr.AccessToken == "" {
		return nil, nil, fmt.Errorf("docusign: token response from %s has no access_token", tokenURL)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return nil, nil, fmt.Errorf("docusign: token response from %s has token_type %q, want Bearer", tokenURL, tr.TokenType)
	}
	tok := &Token{AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, TokenType: "Bearer", IssuedAt: now}
	life, err := tokenLifetime(tr.ExpiresIn, def, max)
	if err != nil {
		return nil, nil, fmt.Errorf("docusign: token response from %s: %w", tokenURL, err)
	}
	tok.Expiry = now.Add(life)
	return tok, nil, nil
}

// tokenLifetime reads an OAuth expires_in (seconds, a JSON number or string):
// def when absent, at most max (a larger value, however large, is clamped
// rather than overflowing into the past).
func tokenLifetime(expiresIn json.Number, def, max time.Duration) (time.Duration, error) {
	if expiresIn == "" {
		return min(def, max), nil
	}
	secs, err := strconv.ParseFloat(string(expiresIn), 64)
	if err != nil || !(secs > 0) { // also refuses NaN
		return 0, fmt.Errorf("invalid expires_in %q: want a positive number of seconds", string(expiresIn))
	}
	if secs >= max.Seconds() {
		return max, nil
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// String describes the source without its key.
func (s *JWTTokenSource) String() string {
	return fmt.Sprintf("JWTTokenSource{env=%s integration_key=%s user=%s scopes=%q key=%s}",
		s.cfg.Environment.Name, s.cfg.IntegrationKey, s.cfg.UserID, s.scopes, s.cfg.PrivateKey)
}

// GoString is String.
func (s *JWTTokenSource) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *JWTTokenSource) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String()) }
