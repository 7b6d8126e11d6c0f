package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Token is an OAuth access token, with the refresh token that renews it
// when the Authorization Code Grant issued it. Its String, GoString, Format,
// LogValue and MarshalJSON methods leave AccessToken and RefreshToken out,
// so printing, logging or JSON-encoding a Token or *Token is safe.
type Token struct {
	// AccessToken is the bearer credential. Treat it as a secret.
	AccessToken string `json:"access_token"`
	// RefreshToken renews the access token (Authorization Code Grant only;
	// empty for the JWT grant). Treat it as a secret: it stays valid much
	// longer than the access token.
	RefreshToken string `json:"refresh_token,omitempty"`
	// TokenType is the scheme for the Authorization header, "Bearer".
	TokenType string `json:"token_type,omitempty"`
	// Expiry is when the server stops accepting the token.
	Expiry time.Time `json:"expiry"`
	// IssuedAt is when the token was requested; zero if unknown. It lets a
	// cache refresh short-lived tokens proportionally early.
	IssuedAt time.Time `json:"issued_at,omitzero"`
}

// Type returns TokenType, or "Bearer" when it is empty.
func (t Token) Type() string {
	if t.TokenType == "" {
		return "Bearer"
	}
	return t.TokenType
}

// SetAuthHeader sets the Authorization header of r to the token.
func (t *Token) SetAuthHeader(r *http.Request) {
	r.Header.Set("Authorization", "Bearer "+t.AccessToken)
}

// Valid reports whether the token is non-empty and not yet expired at now.
func (t *Token) Valid(now time.Time) bool {
	return t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || now.Before(t.Expiry))
}

// freshAt reports whether t may still be handed out at now: it must not be
// within margin of expiry. For a token whose whole life is shorter than
// twice the margin, half its life is used as margin instead, so short-lived
// tokens are still reused.
func (t *Token) freshAt(now time.Time, margin time.Duration) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	if t.Expiry.IsZero() {
		return true
	}
	if !t.IssuedAt.IsZero() {
		if life := t.Expiry.Sub(t.IssuedAt); life > 0 && life < 2*margin {
			margin = life / 2
		}
	}
	return now.Before(t.Expiry.Add(-margin))
}

// String describes the token with the access token redacted. String,
// GoString, Format and MarshalJSON have value receivers, so a Token value
// is redacted as well as a *Token.
func (t Token) String() string {
	at := "<empty>"
	if t.AccessToken != "" {
		at = "REDACTED"
	}
	rt := ""
	if t.RefreshToken != "" {
		rt = " refresh_token=REDACTED"
	}
	return fmt.Sprintf("Token{type=%s access_token=%s%s expiry=%s}", t.Type(), at, rt, t.Expiry.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v redacts as well.
func (t Token) GoString() string { return t.String() }

// Format prints String for every verb (slog's text handler uses it too).
func (t Token) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String()) }

// MarshalJSON writes the token without its access and refresh tokens, so a
// struct holding a Token reaches a JSON log (slog's JSON handler) or a JSON
// dump redacted: {"token_type":"Bearer","expiry":...,"access_token_redacted":true}.
// To persist tokens use a TokenCache (FileTokenCache writes the secrets
// themselves) or copy the fields.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		TokenType       string    `json:"token_type"`
		Expiry          time.Time `json:"expiry"`
		IssuedAt        time.Time `json:"issued_at,omitzero"`
		Redacted        bool      `json:"access_token_redacted,omitempty"`
		RefreshRedacted bool      `json:"refresh_token_redacted,omitempty"`
	}{t.Type(), t.Expiry, t.IssuedAt, t.AccessToken != "", t.RefreshToken != ""})
}

// LogValue logs type and expiry only.
func (t *Token) LogValue() slog.Value {
	if t == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("type", t.Type()),
		slog.String("access_token", "REDACTED"),
		slog.Time("expiry", t.Expiry),
	)
}

// clone returns a copy so cached tokens cannot be changed by callers.
func (t *Token) clone() *Token {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// TokenSource supplies access tokens. Implementations must be safe for
// concurrent use. A source that also has a Reset() error method is reset by
// the Client when a request carrying its token is answered with 401.
type TokenSource interface {
	// Token returns a valid token, or an error saying why none could be had.
	Token(ctx context.Context) (*Token, error)
}

// TokenSourceFunc adapts a function to TokenSource.
type TokenSourceFunc func(ctx context.Context) (*Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (*Token, error) { return f(ctx) }

// StaticTokenSource returns a TokenSource that always returns tok, e.g. a
// token obtained elsewhere. It cannot refresh.
func StaticTokenSource(tok *Token) TokenSource {
	return TokenSourceFunc(func(context.Context) (*Token, error) {
		if tok == nil || tok.AccessToken == "" {
			return nil, errors.New("docusign: static token source has no access token")
		}
		return tok.clone(), nil
	})
}

// DefaultRefreshMargin is how long before expiry a cached token is replaced.
const DefaultRefreshMargin = 5 * time.Minute

// tokenFetchTimeout bounds a shared token request that outlives the caller
// that started it.
const tokenFetchTimeout = 2 * time.Minute

// CachingOptions configures NewCachingTokenSource.
type CachingOptions struct {
	// Cache persists tokens across processes; nil keeps them in memory only.
	Cache TokenCache
	// Key identifies the credential in Cache; required with a Cache. Build
	// it with TokenCacheKey so that tokens never cross environments, keys,
	// users or scopes.
	Key string
	// RefreshMargin replaces a token this long before it expires (default
	// DefaultRefreshMargin; tokens shorter-lived than twice the margin are
	// replaced at half their life).
	RefreshMargin time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnCacheError is told about persistent cache failures that do not stop
	// a token from being returned (a failed Store means the next process
	// requests a new token). Nil ignores them; LastCacheError still has the
	// latest.
	OnCacheError func(error)
}

// CachingTokenSource wraps a TokenSource with an in-memory token, an
// optional persistent TokenCache, early refresh and single-flight: however
// many goroutines ask while no fresh token is at hand, the underlying source
// is asked once. With a cache that also implements TokenCacheLocker (as
// FileTokenCache does), processes sharing the cache take turns as well:
// the source is asked under the cache's lock, after loading the cache
// again, so the processes make one request between them. Safe for
// concurrent use.
type CachingTokenSource struct {
	src    TokenSource
	cache  TokenCache
	key    string
	margin time.Duration
	now    func() time.Time
	onErr  func(error)

	mu       sync.Mutex
	cacheErr error
	tok      *Token
	call     *tokenCall
	gen      uint64 // bumped by Reset; results of older fetches are not kept
	// sec holds the tokens kept as strings behind a pointer: fmt
	// dereferences one pointer level of a struct field it cannot call
	// methods on (an unexported *CachingTokenSource in an application's
	// struct printed with %s), and there shows only this address.
	sec *cachingSecrets

	persistMu sync.Mutex // orders Store and Delete on the persistent cache
}

// cachingSecrets are a CachingTokenSource's tokens kept as strings.
type cachingSecrets struct {
	rejected string // access token last rejected; never reloaded from cache
	// refreshTok is the newest refresh token seen (Authorization Code
	// Grant). Reset and a rejected access token keep it; Logout drops it.
	refreshTok string
}

// tokenCall is one in-flight fetch shared by all waiting callers.
type tokenCall struct {
	done chan struct{}
	tok  *Token
	err  error
}

// NewCachingTokenSource wraps src (see CachingTokenSource). It panics when
// opts has a Cache but no Key: sources sharing that cache would hand each
// other their tokens (another user's, another environment's).
func NewCachingTokenSource(src TokenSource, opts CachingOptions) *CachingTokenSource {
	if opts.Cache != nil && opts.Key == "" {
		panic("docusign: NewCachingTokenSource: CachingOptions.Cache is set but CachingOptions.Key is empty: " +
			"build the key with TokenCacheKey so that tokens of different credentials never mix")
	}
	if opts.RefreshMargin <= 0 {
		opts.RefreshMargin = DefaultRefreshMargin
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &CachingTokenSource{src: src, cache: opts.Cache, key: opts.Key, margin: opts.RefreshMargin, now: opts.Now, onErr: opts.OnCacheError, sec: &cachingSecrets{}}
}

// cacheError records the failure err of cache operation op as a
// *TokenCacheError, passes it to OnCacheError and returns it; it returns
// nil when err is nil.
func (s *CachingTokenSource) cacheError(op string, err error) error {
	if err == nil {
		return nil
	}
	cerr := &TokenCacheError{Op: op, Err: err}
	s.mu.Lock()
	s.cacheErr = cerr
	s.mu.Unlock()
	if s.onErr != nil {
		s.onErr(cerr)
	}
	return cerr
}

// LastCacheError returns the most recent persistent cache failure, or nil.
func (s *CachingTokenSource) LastCacheError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cacheErr
}

// Token returns a fresh token: the one in memory, else one from the
// persistent cache, else a new one from the wrapped source (stored in both).
// If ctx ends while waiting, Token returns ctx.Err(); the shared request
// continues for the other callers and the cache.
func (s *CachingTokenSource) Token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	if s.tok.freshAt(s.now(), s.margin) {
		t := s.tok.clone()
		s.mu.Unlock()
		return t, nil
	}
	c := s.call
	if c == nil {
		c = &tokenCall{done: make(chan struct{})}
		s.call = c
		gen := s.gen
		rejected := s.sec.rejected
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		go func() {
			defer cancel()
			s.fetch(fctx, c, gen, rejected)
		}()
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		if c.err != nil {
			return nil, c.err
		}
		return c.tok.clone(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetch obtains a token for call c started at generation gen.
func (s *CachingTokenSource) fetch(ctx context.Context, c *tokenCall, gen uint64, rejected string) {
	tok, fromCache, unlock, err := s.obtain(ctx, rejected)
	defer unlock() // after Store: a process waiting for the lock then loads the new token

	s.persistMu.Lock()
	s.mu.Lock()
	current := s.gen == gen
	if err == nil && current {
		s.tok = tok
		if tok.RefreshToken != "" {
			s.sec.refreshTok = tok.RefreshToken
		}
	}
	if s.call == c { // Reset may have detached c and a newer fetch begun
		s.call = nil
	}
	s.mu.Unlock()
	if err == nil && current && !fromCache && s.cache != nil {
		// The token is valid and kept in memory, so callers get it; a
		// cache problem goes to OnCacheError.
		_ = s.cacheError("store", s.cache.Store(ctx, s.key, tok))
	}
	s.persistMu.Unlock()

	c.tok, c.err = tok, err
	close(c.done)
}

// obtain consults the persistent cache and then the wrapped source. With
// a cache that locks (TokenCacheLocker), the source is asked while holding
// the cache's lock for the key, after loading the cache once more: another
// process may have stored a fresh token while this one waited. The caller
// stores the token and then calls unlock (never nil).
//
// A source that renews from refresh tokens (the Authorization Code Grant)
// is given the refresh tokens known, the cache's first: another process may
// have rotated it. When all are refused, the cache is watched for up to
// rotationWait for a refresh token not tried yet: another process sharing
// a cache without lock may have rotated the token, its Store a moment
// behind DocuSign's answer.
func (s *CachingTokenSource) obtain(ctx context.Context, rejected string) (tok *Token, fromCache bool, unlock func(), err error) {
	unlock = func() {}
	t, cached := s.load(ctx, rejected)
	if t != nil {
		return t, true, unlock, nil
	}
	if l, ok := s.cache.(TokenCacheLocker); ok {
		u, lerr := l.Lock(ctx, s.key)
		switch {
		case lerr == nil:
			unlock = u
			if t, cached = s.load(ctx, rejected); t != nil {
				return t, true, unlock, nil
			}
		case ctx.Err() != nil:
			return nil, false, unlock, ctx.Err()
		default:
			// Proceed as without a lock: the token matters more.
			_ = s.cacheError("lock", lerr)
		}
	}
	tok, fromCache, err = s.request(ctx, rejected, cached)
	return tok, fromCache, unlock, err
}

// request asks the wrapped source for a token; cached is the refresh token
// of the cache's entry, if any (see obtain).
func (s *CachingTokenSource) request(ctx context.Context, rejected, cached string) (tok *Token, fromCache bool, err error) {
	r, refreshes := s.src.(refresher)
	if !refreshes {
		return checkToken(s.src.Token(ctx))
	}
	s.mu.Lock()
	tried := []string{cached, s.sec.refreshTok}
	s.mu.Unlock()
	tok, err = r.refresh(ctx, tried)
	var lre *LoginRequiredError
	if err == nil || !errors.As(err, &lre) || lre.Err == nil || s.cache == nil {
		// Success, another failure, or no refresh token at all: nothing
		// another process could have rotated.
		return checkToken(tok, err)
	}
	deadline := time.Now().Add(rotationWait)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, false, err
		case <-time.After(rotationPoll):
		}
		t, rt := s.load(ctx, rejected)
		if t != nil {
			return t, true, nil
		}
		if rt != "" && !slices.Contains(tried, rt) {
			return checkToken(r.refresh(ctx, []string{rt}))
		}
	}
	return nil, false, err
}

// How long, and how often, obtain watches the cache for a refresh token
// another process rotated (see obtain).
const (
	rotationWait = time.Second
	rotationPoll = 100 * time.Millisecond
)

// load reads the persistent cache: a fresh token (not the rejected one),
// else the refresh token of the entry, if any. A load failure (missing or
// corrupt entry) is a miss: the new token overwrites the entry, and a
// persistent problem shows up on Store. An entry the cache refuses to
// trust (*UnsafeTokenCacheError) is reported as well.
func (s *CachingTokenSource) load(ctx context.Context, rejected string) (fresh *Token, refreshToken string) {
	if s.cache == nil {
		return nil, ""
	}
	t, err := s.cache.Load(ctx, s.key)
	var unsafe *UnsafeTokenCacheError
	if errors.As(err, &unsafe) {
		_ = s.cacheError("load", err)
	}
	if err != nil || t == nil {
		return nil, ""
	}
	if t.AccessToken != rejected && t.freshAt(s.now(), s.margin) {
		return t.clone(), ""
	}
	return nil, t.RefreshToken
}

// checkToken accepts a source's answer that carries an access token.
func checkToken(t *Token, err error) (*Token, bool, error) {
	if err != nil {
		return nil, false, err
	}
	if t == nil || t.AccessToken == "" {
		return nil, false, errors.New("docusign: token source returned no access token")
	}
	return t.clone(), false, nil
}

// Reset drops the cached access token from memory and from the persistent
// cache, so the next Token call requests a new one. A refresh token
// (Authorization Code Grant) is kept, so the next call renews silently;
// Logout drops it too.
func (s *CachingTokenSource) Reset() error {
	s.mu.Lock()
	s.gen++
	if s.tok != nil {
		s.sec.rejected = s.tok.AccessToken
	}
	s.tok = nil
	s.call = nil // a fetch in flight finishes for its own callers only
	keep := s.sec.refreshTok
	s.mu.Unlock()
	return s.deletePersistent(keep)
}

// invalidate is Reset limited to the token that was rejected: when many
// requests fail with the same token at once, it is dropped once and the
// replacement fetched by the first of them is kept.
func (s *CachingTokenSource) invalidate(accessToken string) error {
	s.mu.Lock()
	if (s.tok != nil && s.tok.AccessToken != accessToken) || (s.tok == nil && s.sec.rejected == accessToken) {
		// Already replaced, or already dropped with a replacement possibly
		// in flight: dropping again would discard that replacement.
		s.mu.Unlock()
		return nil
	}
	s.gen++
	s.sec.rejected = accessToken
	s.tok = nil
	s.call = nil // a refresh in flight may bring back the rejected token
	keep := s.sec.refreshTok
	s.mu.Unlock()
	return s.deletePersistent(keep)
}

// Logout forgets every token: the access token and the refresh token, in
// memory and in the persistent cache. With the Authorization Code Grant the
// next Token call fails with ErrLoginRequired until someone logs in again.
func (s *CachingTokenSource) Logout() error {
	s.mu.Lock()
	s.gen++
	if s.tok != nil {
		s.sec.rejected = s.tok.AccessToken
	}
	s.tok = nil
	s.sec.refreshTok = ""
	s.call = nil
	s.mu.Unlock()
	if f, ok := s.src.(interface{ forget() }); ok {
		f.forget()
	}
	return s.deletePersistent("")
}

// put installs a token obtained outside the source (a completed login) in
// memory and in the persistent cache, replacing whatever was there.
func (s *CachingTokenSource) put(ctx context.Context, tok *Token) error {
	tok = tok.clone()
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	s.mu.Lock()
	s.gen++
	s.tok = tok
	s.sec.rejected = ""
	if tok.RefreshToken != "" {
		s.sec.refreshTok = tok.RefreshToken
	}
	s.call = nil
	s.mu.Unlock()
	if s.cache == nil {
		return nil
	}
	return s.cacheError("store", s.cache.Store(ctx, s.key, tok))
}

// deletePersistent removes the cached access token. A refresh token
// survives: the newest one (the cache's, else keep) is stored alone.
func (s *CachingTokenSource) deletePersistent(keep string) error {
	if s.cache == nil {
		return nil
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	ctx := context.Background()
	if keep != "" {
		if t, err := s.cache.Load(ctx, s.key); err == nil && t != nil && t.RefreshToken != "" {
			keep = t.RefreshToken
		}
		return s.cacheError("store", s.cache.Store(ctx, s.key, &Token{RefreshToken: keep}))
	}
	return s.cacheError("delete", s.cache.Delete(ctx, s.key))
}

// String describes the source without any token.
func (s *CachingTokenSource) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	state := "empty"
	if s.tok != nil {
		state = "expiry " + s.tok.Expiry.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("CachingTokenSource{%s, margin=%s}", state, s.margin)
}

// GoString is String.
func (s *CachingTokenSource) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *CachingTokenSource) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String()) }

// TokenCacheError reports a persistent token cache that could not be
// written or cleared. The token itself was obtained and is usable.
type TokenCacheError struct {
	Op  string // "load" (an entry the cache refuses), "store", "delete" or "lock"
	Err error
}

// Error describes the failure.
func (e *TokenCacheError) Error() string {
	effect := "each run will request a new token until this is fixed"
	if e.Op == "lock" {
		effect = "processes sharing the cache may each request a token until this is fixed"
	}
	return fmt.Sprintf("docusign: token cache %s failed: %v (%s)", e.Op, e.Err, effect)
}

// Unwrap returns the cache's error.
func (e *TokenCacheError) Unwrap() error { return e.Err }
