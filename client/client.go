package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Client is an authenticated connection to one DocuSign environment: it
// obtains and caches tokens (JWT grant, or the Authorization Code Grant's
// refresh token), discovers the user's account and
// base URIs, and sends requests through the transport pipeline with the
// bearer token applied to each attempt. It is safe for concurrent use.
//
// Client implements Do, so it can be passed wherever generated API clients
// expect an HTTP request doer.
type Client struct {
	settings *authSettings
	env      Environment

	ts      TokenSource
	caching *CachingTokenSource // nil with WithTokenSource

	httpClient *http.Client // pipeline with the auth layer
	oauthHTTP  *http.Client // pipeline without it, for /oauth/*

	golive     *GoLiveTracker
	rates      *rateState // latest rate-limit state seen by the pipeline
	envOrigins []string   // origins of the environment's URLs: they get the token
	readAhead  int        // pages the pagers' iterators fetch ahead (WithReadAhead)

	uiMu   sync.Mutex
	ui     *UserInfo
	uiCall *userInfoCall
	uiGen  uint64
}

// userInfoCall is one in-flight /oauth/userinfo request shared by callers.
type userInfoCall struct {
	done chan struct{}
	info *UserInfo
	err  error
}

// New builds a Client. It validates every option first and reports all
// problems together (errors.Join), each naming the option and the fix; no
// network call is made until a token or API call is needed.
func New(opts ...Option) (*Client, error) {
	var cfg config
	for i, o := range opts {
		if o == nil {
			cfg.addErr(optErr("New", "option %d is nil: remove it", i))
			continue
		}
		o(&cfg)
	}
	errs := slicesClone(cfg.errs)
	settings, err := cfg.authConfig.validate()
	if err != nil {
		errs = append(errs, err)
	}
	if err := cfg.transportConfig.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	c := &Client{settings: settings, env: settings.env, readAhead: cfg.pagingConfig.depth()}
	c.envOrigins = origins(c.env.OAuthURL, c.env.ESignatureURL, c.env.AdminURL, c.env.MonitorURL)
	c.golive = newGoLiveTracker(settings.env.Sandbox, settings.now)

	// OAuth requests go through the transport without the auth layer.
	// OAuth credentials (the userinfo bearer token, client authentication)
	// are added inside the pipeline (oauthCredentials), so WithMiddleware
	// layers never see them.
	oauthHTTP, err := cfg.transportConfig.newHTTPClient(func(rt http.RoundTripper) http.RoundTripper {
		return &oauthCredentials{next: rt}
	})
	if err != nil {
		return nil, err
	}
	oauthHTTP.Transport = &oauthPipeline{next: oauthHTTP.Transport}
	c.oauthHTTP = withoutRedirects(oauthHTTP)
	c.httpClient, err = cfg.transportConfig.newHTTPClient(func(rt http.RoundTripper) http.RoundTripper {
		return &authTransport{base: rt, client: c}
	})
	if err != nil {
		return nil, err
	}
	c.rates = cfg.transportConfig.rates

	if settings.tokenSource != nil {
		c.ts = settings.tokenSource
		return c, nil
	}
	var src TokenSource
	var key string // the token cache key: per grant, environment, key and scopes
	if settings.codeGrant {
		src = &refreshTokenSource{cfg: c.authCodeConfig(), seed: settings.refreshToken}
		key = authCodeCacheKey(settings.env, settings.integrationKey, settings.scopes)
	} else {
		jwtCfg := JWTConfig{
			Environment:    settings.env,
			IntegrationKey: settings.integrationKey,
			UserID:         settings.userID,
			PrivateKey:     settings.key,
			Scopes:         settings.scopes,
			Lifetime:       settings.lifetime,
			RedirectURI:    settings.redirectURI,
			HTTPClient:     c.oauthHTTP,
			Now:            settings.now,
		}
		jwtSrc, err := NewJWTTokenSource(jwtCfg)
		if err != nil {
			return nil, err
		}
		src = jwtSrc
		key = jwtCfg.TokenCacheKey()
	}
	logger := cfg.transportConfig.log()
	c.caching = NewCachingTokenSource(&loggedTokenSource{src: src, log: logger, env: settings.env.Name}, CachingOptions{
		Cache:         settings.cache,
		Key:           key,
		RefreshMargin: settings.margin,
		Now:           settings.now,
		OnCacheError: func(err error) {
			logger.Warn("docusign: token cache failed; the token is still used", slog.String("error", err.Error()))
		},
	})
	c.ts = c.caching
	return c, nil
}

// loggedTokenSource logs each token request (never the token), so an
// operator can see when a process requests a token on every run.
type loggedTokenSource struct {
	src TokenSource
	log *slog.Logger
	env string
}

// Token asks the wrapped source and logs the outcome.
func (l *loggedTokenSource) Token(ctx context.Context) (*Token, error) {
	tok, err := l.src.Token(ctx)
	return l.logged(ctx, tok, err)
}

// refresh passes refresh tokens on to a refreshing source.
func (l *loggedTokenSource) refresh(ctx context.Context, candidates []string) (*Token, error) {
	if r, ok := l.src.(refresher); ok {
		tok, err := r.refresh(ctx, candidates)
		return l.logged(ctx, tok, err)
	}
	return l.Token(ctx)
}

// forget passes Logout on.
func (l *loggedTokenSource) forget() {
	if f, ok := l.src.(interface{ forget() }); ok {
		f.forget()
	}
}

func (l *loggedTokenSource) logged(ctx context.Context, tok *Token, err error) (*Token, error) {
	if err != nil {
		l.log.DebugContext(ctx, "docusign: token request failed", slog.String("environment", l.env), slog.String("error", err.Error()))
		return nil, err
	}
	l.log.DebugContext(ctx, "docusign: obtained a new access token", slog.String("environment", l.env), slog.Time("expiry", tok.Expiry))
	return tok, nil
}

// authCodeConfig is the Client's Authorization Code Grant configuration.
func (c *Client) authCodeConfig() AuthCodeConfig {
	s := c.settings
	return AuthCodeConfig{
		Environment:    s.env,
		IntegrationKey: s.integrationKey,
		ClientSecret:   s.clientSecret,
		RedirectURI:    s.redirectURI,
		Scopes:         s.scopes,
		HTTPClient:     c.oauthHTTP,
		Now:            s.now,
	}
}

func slicesClone(e []error) []error { return append([]error(nil), e...) }

// Environment is the environment the Client talks to.
func (c *Client) Environment() Environment { return c.env }

// TokenSource is the Client's token source: a *CachingTokenSource over the
// JWT grant or the refresh token grant (WithAuthorizationCode), or the
// source given with WithTokenSource.
func (c *Client) TokenSource() TokenSource { return c.ts }

// Token returns a valid access token, requesting one only when the cached
// token is missing or near expiry.
func (c *Client) Token(ctx context.Context) (*Token, error) { return c.ts.Token(ctx) }

// ResetToken forgets the cached token (in memory and in the token cache)
// and the cached user info, so the next call authenticates from scratch
// (with WithAuthorizationCode: renews with the refresh token, which
// survives; Logout forgets it).
// With WithTokenSource, the source is reset if it has a Reset() error method.
func (c *Client) ResetToken() error {
	c.forgetUserInfo() // a request in flight finishes for its own callers only
	if r, ok := c.ts.(interface{ Reset() error }); ok {
		return r.Reset()
	}
	return nil
}

// invalidateToken drops the token a server rejected.
func (c *Client) invalidateToken(accessToken string) error {
	if c.caching != nil {
		return c.caching.invalidate(accessToken)
	}
	if r, ok := c.ts.(interface{ Reset() error }); ok {
		return r.Reset()
	}
	return nil
}

// UserInfo returns the user and accounts behind the token
// (GET {OAuthURL}/oauth/userinfo), fetched once and cached for the life of
// the Client (ResetToken clears it). Concurrent first calls share one request.
func (c *Client) UserInfo(ctx context.Context) (*UserInfo, error) {
	c.uiMu.Lock()
	if c.ui != nil {
		ui := c.ui.clone()
		c.uiMu.Unlock()
		return ui, nil
	}
	call := c.uiCall
	if call == nil {
		call = &userInfoCall{done: make(chan struct{})}
		c.uiCall = call
		gen := c.uiGen
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		go func() {
			defer cancel()
			info, err := c.fetchUserInfo(fctx)
			c.uiMu.Lock()
			if err == nil && gen == c.uiGen {
				c.ui = info
			}
			if c.uiCall == call { // ResetToken may have detached it
				c.uiCall = nil
			}
			c.uiMu.Unlock()
			call.info, call.err = info, err
			close(call.done)
		}()
	}
	c.uiMu.Unlock()
	select {
	case <-call.done:
		if call.err != nil {
			return nil, call.err
		}
		return call.info.clone(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetchUserInfo calls /oauth/userinfo, replacing the token once on 401.
func (c *Client) fetchUserInfo(ctx context.Context) (*UserInfo, error) {
	tok, err := c.ts.Token(ctx)
	if err != nil {
		return nil, err
	}
	info, err := fetchUserInfo(ctx, c.oauthHTTP, c.env, tok)
	var aerr *AuthError
	if errors.As(err, &aerr) && aerr.StatusCode == http.StatusUnauthorized {
		_ = c.invalidateToken(tok.AccessToken)
		fresh, terr := c.ts.Token(ctx)
		if terr != nil {
			return nil, terr
		}
		if fresh.AccessToken != tok.AccessToken {
			info, err = fetchUserInfo(ctx, c.oauthHTTP, c.env, fresh)
		}
	}
	return info, err
}

// Account returns the selected eSignature account: the one set with
// WithAccountID, else the user's default account. A configured account the
// user does not have is an *AccountNotFoundError listing the user's accounts.
func (c *Client) Account(ctx context.Context) (*Account, error) {
	ui, err := c.UserInfo(ctx)
	if err != nil {
		return nil, err
	}
	a, err := c.selectAccount(ui)
	if err != nil {
		return nil, err
	}
	cp := *a
	return &cp, nil
}

// selectAccount is the account of ui this Client uses (WithAccountID's, else
// the default), refusing an http base_uri unless Environment.AllowHTTP.
func (c *Client) selectAccount(ui *UserInfo) (*Account, error) {
	a, err := ui.selectAccount(c.settings.accountID)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(a.BaseURI); u != nil && !strings.EqualFold(u.Scheme, "https") && !c.env.AllowHTTP {
		return nil, fmt.Errorf("docusign: userinfo account %s has base_uri %s, which is not https: refusing to send the token there (set Environment.AllowHTTP for a local test server)", a.AccountID, a.BaseURI)
	}
	return a, nil
}

// AccountID returns the selected account's ID (see Account).
func (c *Client) AccountID(ctx context.Context) (string, error) {
	a, err := c.Account(ctx)
	if err != nil {
		return "", err
	}
	return a.AccountID, nil
}

// OrganizationID is the organization set with WithOrganizationID, or "".
// (The organization of the selected account is in Account(ctx).Organization.)
func (c *Client) OrganizationID() string { return c.settings.organizationID }

// ESignatureURL is the eSignature REST base including /restapi: the
// environment's ESignatureURL, or, when that is empty as in Production, the
// selected account's base_uri + "/restapi".
func (c *Client) ESignatureURL(ctx context.Context) (string, error) {
	if c.env.ESignatureURL != "" {
		return strings.TrimRight(c.env.ESignatureURL, "/"), nil
	}
	a, err := c.Account(ctx)
	if err != nil {
		return "", err
	}
	return a.ESignatureURL(), nil
}

// AdminURL is the Admin API base (including /management), "" if the
// environment has none.
func (c *Client) AdminURL() string { return strings.TrimRight(c.env.AdminURL, "/") }

// MonitorURL is the Monitor API base, "" if the environment has none.
func (c *Client) MonitorURL() string { return strings.TrimRight(c.env.MonitorURL, "/") }

// ConsentURL returns the URL where the user grants this integration key
// consent for the configured scopes (see the package function ConsentURL).
// It needs WithIntegrationKey and WithRedirectURI.
func (c *Client) ConsentURL(state string) (string, error) {
	return ConsentURL(ConsentParams{
		Environment:    c.env,
		IntegrationKey: c.settings.integrationKey,
		RedirectURI:    c.settings.redirectURI,
		Scopes:         c.settings.scopes,
		State:          state,
	})
}

// HTTPClient returns the *http.Client whose transport applies the bearer
// token to each request (and each retry) and replaces a rejected token once.
func (c *Client) HTTPClient() *http.Client { return c.httpClient }

// Do sends req through HTTPClient. It lets a Client serve as the HTTP
// request doer of generated API clients.
func (c *Client) Do(req *http.Request) (*http.Response, error) { return c.httpClient.Do(req) }

// Rate returns the latest rate-limit state DocuSign reported to this
// Client (zero until a response carried the headers).
func (c *Client) Rate() Rate { return c.rates.Latest() }

// GoLive returns the tracker of consecutive successful eSignature calls
// (see GoLiveTracker).
func (c *Client) GoLive() *GoLiveTracker { return c.golive }

// isESignatureRequest reports whether u is under the eSignature base: the
// environment's, or, without one, the selected account's (once known).
func (c *Client) isESignatureRequest(u *url.URL) bool {
	if c.env.ESignatureURL != "" {
		return urlUnder(u, c.env.ESignatureURL)
	}
	c.uiMu.Lock()
	ui := c.ui
	c.uiMu.Unlock()
	if ui == nil {
		return false
	}
	a, err := c.selectAccount(ui)
	return err == nil && urlUnder(u, a.ESignatureURL())
}

// sendsTokenTo reports whether a request to u may carry the bearer token:
// only the environment's own hosts and the base_uri host of the selected
// account (from this Client's userinfo; https unless Environment.AllowHTTP)
// receive it, each with its own scheme and port. The user's other accounts
// do not. Without an eSignature URL in the environment (as in Production)
// the account host is the eSignature host, so the user info is loaded
// first if needed.
func (c *Client) sendsTokenTo(ctx context.Context, u *url.URL) bool {
	o := origin(u)
	if slices.Contains(c.envOrigins, o) {
		return true
	}
	c.uiMu.Lock()
	ui := c.ui
	c.uiMu.Unlock()
	if ui == nil && c.env.ESignatureURL == "" {
		ui, _ = c.UserInfo(ctx) // on failure the request goes without the token
	}
	if ui == nil {
		return false
	}
	a, err := c.selectAccount(ui)
	if err != nil {
		return false
	}
	b, err := url.Parse(a.BaseURI)
	return err == nil && b.Host != "" && origin(b) == o
}

// origins returns the origins of the non-empty URLs among bases.
func origins(bases ...string) []string {
	var out []string
	for _, base := range bases {
		if b, err := url.Parse(base); err == nil && b.Host != "" {
			out = append(out, origin(b))
		}
	}
	return out
}

// origin renders u's scheme, host and port for comparison: lower case,
// with the default port of http and https made explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// String describes the Client without secrets.
func (c *Client) String() string {
	if c == nil {
		return "client.Client(<nil>)"
	}
	s := c.settings
	auth := "token source " + fmt.Sprintf("%T", c.ts)
	switch {
	case c.caching != nil && s.codeGrant:
		secret := "none (public, PKCE)"
		if s.clientSecret != "" {
			secret = "REDACTED"
		}
		auth = fmt.Sprintf("authorization code integration_key=%s secret=%s scopes=%q", s.integrationKey, secret, s.scopes)
	case c.caching != nil:
		auth = fmt.Sprintf("JWT integration_key=%s user=%s key=%s scopes=%q", s.integrationKey, s.userID, s.key, s.scopes)
	}
	return fmt.Sprintf("client.Client{env=%s oauth=%s %s}", c.env.Name, c.env.OAuthURL, auth)
}

// GoString is String, so %#v shows no secrets.
func (c *Client) GoString() string { return c.String() }

// LogValue keeps secrets out of slog output.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format prints String for every verb.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }
