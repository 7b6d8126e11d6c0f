package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingSource mints numbered tokens valid for ttl, optionally blocking
// until release is closed.
type countingSource struct {
	clock   *fakeClock
	ttl     time.Duration
	calls   atomic.Int64
	release chan struct{}
	err     error
}

func (s *countingSource) Token(ctx context.Context) (*Token, error) {
	n := s.calls.Add(1)
	if s.release != nil {
		<-s.release
	}
	if s.err != nil {
		return nil, s.err
	}
	now := s.clock.Now()
	return &Token{AccessToken: fmt.Sprintf("token-%d", n), TokenType: "Bearer", IssuedAt: now, Expiry: now.Add(s.ttl)}, nil
}

func TestConcurrentCallersShareOneTokenRequest(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: time.Hour, release: make(chan struct{})}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now})
	const n = 1000
	var wg sync.WaitGroup
	tokens := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := cts.Token(context.Background())
			errs[i] = err
			if tok != nil {
				tokens[i] = tok.AccessToken
			}
		}()
	}
	// Let the single fetch finish only once it has started.
	waitUntil(t, "the token request started", func() bool { return src.calls.Load() > 0 })
	close(src.release)
	wg.Wait()
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("%d token requests for %d concurrent callers, want 1", got, n)
	}
	for i := range n {
		if errs[i] != nil || tokens[i] != "token-1" {
			t.Fatalf("caller %d got %q, %v", i, tokens[i], errs[i])
		}
	}
}

func TestTokenIsRefreshedEarlyBeforeExpiry(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: time.Hour}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, RefreshMargin: 10 * time.Minute})
	ctx := context.Background()
	get := func() string {
		t.Helper()
		tok, err := cts.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	if got := get(); got != "token-1" {
		t.Fatalf("first token %s", got)
	}
	clk.Advance(49 * time.Minute)
	if got := get(); got != "token-1" {
		t.Fatalf("at 49 min (11 min left, margin 10): got %s, want the cached token-1", got)
	}
	clk.Advance(2 * time.Minute)
	if got := get(); got != "token-2" {
		t.Fatalf("at 51 min (9 min left, margin 10): got %s, want a new token-2", got)
	}
}

func TestShortLivedTokensAreRefreshedAtHalfTheirLife(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: 4 * time.Minute}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, RefreshMargin: 5 * time.Minute})
	ctx := context.Background()
	cts.Token(ctx)
	clk.Advance(time.Minute)
	cts.Token(ctx)
	if got := src.calls.Load(); got != 1 {
		t.Fatalf("a 4-minute token was replaced after 1 minute (%d requests)", got)
	}
	clk.Advance(90 * time.Second)
	cts.Token(ctx)
	if got := src.calls.Load(); got != 2 {
		t.Fatalf("a 4-minute token was not replaced after 2.5 minutes (%d requests)", got)
	}
}

func TestResetDropsTheTokenFromMemoryAndTheCache(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: time.Hour}
	cache := NewMemoryTokenCache()
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, Cache: cache, Key: "k"})
	ctx := context.Background()
	cts.Token(ctx)
	if tok, _ := cache.Load(ctx, "k"); tok == nil || tok.AccessToken != "token-1" {
		t.Fatalf("cache holds %v after the first token", tok)
	}
	if err := cts.Reset(); err != nil {
		t.Fatal(err)
	}
	if tok, _ := cache.Load(ctx, "k"); tok != nil {
		t.Fatal("Reset left the token in the persistent cache")
	}
	tok, _ := cts.Token(ctx)
	if tok.AccessToken != "token-2" || src.calls.Load() != 2 {
		t.Fatalf("after Reset got %s with %d requests, want token-2 with 2", tok.AccessToken, src.calls.Load())
	}
}

func TestAPersistedTokenIsReusedWithoutARequest(t *testing.T) {
	clk := newFakeClock()
	cache := NewMemoryTokenCache()
	cache.Store(context.Background(), "k", &Token{AccessToken: "persisted", Expiry: clk.Now().Add(time.Hour)})
	src := &countingSource{clock: clk, ttl: time.Hour}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, Cache: cache, Key: "k"})
	tok, err := cts.Token(context.Background())
	if err != nil || tok.AccessToken != "persisted" || src.calls.Load() != 0 {
		t.Fatalf("got %v, %v with %d requests; want the persisted token and no request", tok, err, src.calls.Load())
	}
}

func TestAPersistedTokenNearExpiryIsReplaced(t *testing.T) {
	clk := newFakeClock()
	cache := NewMemoryTokenCache()
	cache.Store(context.Background(), "k", &Token{AccessToken: "old", Expiry: clk.Now().Add(time.Minute)})
	src := &countingSource{clock: clk, ttl: time.Hour}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, Cache: cache, Key: "k"})
	tok, _ := cts.Token(context.Background())
	if tok.AccessToken != "token-1" {
		t.Fatalf("got %s, want a new token", tok.AccessToken)
	}
	if p, _ := cache.Load(context.Background(), "k"); p.AccessToken != "token-1" {
		t.Fatalf("cache holds %s, want the new token", p.AccessToken)
	}
}

func TestInvalidateDropsOnlyTheRejectedToken(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: time.Hour}
	cache := NewMemoryTokenCache()
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, Cache: cache, Key: "k"})
	ctx := context.Background()
	cts.Token(ctx)
	// Many requests rejected with token-1: one replacement only.
	for range 5 {
		cts.invalidate("token-1")
		if tok, _ := cts.Token(ctx); tok.AccessToken != "token-2" {
			t.Fatalf("got %s, want token-2", tok.AccessToken)
		}
	}
	if got := src.calls.Load(); got != 2 {
		t.Fatalf("%d requests, want 2", got)
	}
}

func TestARejectedTokenIsNotReloadedFromTheCache(t *testing.T) {
	clk := newFakeClock()
	cache := NewMemoryTokenCache()
	src := &countingSource{clock: clk, ttl: time.Hour}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, Cache: cache, Key: "k"})
	ctx := context.Background()
	cts.Token(ctx)
	cts.invalidate("token-1")
	// Another process writes the rejected token back meanwhile.
	cache.Store(ctx, "k", &Token{AccessToken: "token-1", Expiry: clk.Now().Add(time.Hour)})
	if tok, _ := cts.Token(ctx); tok.AccessToken != "token-2" {
		t.Fatalf("got %s, want a new token instead of the rejected one", tok.AccessToken)
	}
}

func TestTokenErrorsReachEveryWaitingCaller(t *testing.T) {
	clk := newFakeClock()
	boom := errors.New("boom")
	src := &countingSource{clock: clk, ttl: time.Hour, err: boom}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now})
	if _, err := cts.Token(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	src.err = nil
	if tok, err := cts.Token(context.Background()); err != nil || tok.AccessToken != "token-2" {
		t.Fatalf("after a failure the next call should retry: %v, %v", tok, err)
	}
}

func TestACancelledCallerDoesNotCancelTheSharedRequest(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: time.Hour, release: make(chan struct{})}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := cts.Token(ctx)
		done <- err
	}()
	waitUntil(t, "the token request started", func() bool { return src.calls.Load() > 0 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v", err)
	}
	close(src.release)
	tok, err := cts.Token(context.Background())
	if err != nil || tok.AccessToken != "token-1" || src.calls.Load() != 1 {
		t.Fatalf("got %v, %v after %d requests; want the token the shared request fetched", tok, err, src.calls.Load())
	}
}

type failingCache struct{ MemoryTokenCache }

func (*failingCache) Store(context.Context, string, *Token) error { return errors.New("disk full") }

func TestACacheStoreFailureIsReportedButTheTokenIsReturned(t *testing.T) {
	clk := newFakeClock()
	var reported []error
	var mu sync.Mutex
	cts := NewCachingTokenSource(&countingSource{clock: clk, ttl: time.Hour}, CachingOptions{
		Now: clk.Now, Cache: &failingCache{MemoryTokenCache{m: map[string]*Token{}}}, Key: "k",
		OnCacheError: func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() },
	})
	tok, err := cts.Token(context.Background())
	if err != nil || tok.AccessToken != "token-1" {
		t.Fatalf("got %v, %v", tok, err)
	}
	var cerr *TokenCacheError
	if len(reported) != 1 || !errors.As(reported[0], &cerr) || cerr.Op != "store" {
		t.Fatalf("reported %v", reported)
	}
	if !errors.As(cts.LastCacheError(), &cerr) {
		t.Fatalf("LastCacheError = %v", cts.LastCacheError())
	}
}

func TestTokenNeverPrintsTheAccessToken(t *testing.T) {
	tok := &Token{AccessToken: "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.secret-part", RefreshToken: "refresh-secret-part", TokenType: "Bearer", Expiry: time.Unix(1_800_000_000, 0)}
	slogOut := func(h func(w *bytes.Buffer) slog.Handler, args ...any) string {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("got token", args...)
		return buf.String()
	}
	jsonH := func(w *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(w, nil) }
	textH := func(w *bytes.Buffer) slog.Handler { return slog.NewTextHandler(w, nil) }
	holder := struct{ T *Token }{tok}
	valueHolder := struct{ T Token }{*tok}
	jsPtr, _ := json.Marshal(tok)
	jsVal, _ := json.Marshal(*tok)
	jsHolder, _ := json.Marshal(holder)
	outs := map[string]string{
		"%v":                     fmt.Sprintf("%v", tok),
		"%+v":                    fmt.Sprintf("%+v", tok),
		"%#v":                    fmt.Sprintf("%#v", tok),
		"%s":                     fmt.Sprintf("%s", tok),
		"%q":                     fmt.Sprintf("%q", tok),
		"value %v":               fmt.Sprintf("%v", *tok),
		"value %+v":              fmt.Sprintf("%+v", *tok),
		"value %#v":              fmt.Sprintf("%#v", *tok),
		"%+v in struct":          fmt.Sprintf("%+v", holder),
		"value %+v in struct":    fmt.Sprintf("%+v", valueHolder),
		"slog JSON":              slogOut(jsonH, "token", tok),
		"slog JSON value":        slogOut(jsonH, "token", *tok),
		"slog JSON struct":       slogOut(jsonH, "holder", holder),
		"slog JSON value struct": slogOut(jsonH, "holder", valueHolder),
		"slog text":              slogOut(textH, "token", tok),
		"slog text value":        slogOut(textH, "token", *tok),
		"slog text struct":       slogOut(textH, "holder", holder),
		"json.Marshal(*Token)":   string(jsPtr),
		"json.Marshal(Token)":    string(jsVal),
		"json.Marshal(struct)":   string(jsHolder),
		"caching %+v":            fmt.Sprintf("%+v", NewCachingTokenSource(StaticTokenSource(tok), CachingOptions{})),
	}
	for name, out := range outs {
		if strings.Contains(out, "secret-part") {
			t.Errorf("%s output reveals a token: %s", name, out)
		}
	}
	if !strings.Contains(outs["%v"], "REDACTED") || !strings.Contains(outs["value %v"], "REDACTED") {
		t.Errorf("%%v output %q / %q does not show redaction", outs["%v"], outs["value %v"])
	}
	if !strings.Contains(string(jsPtr), `"access_token_redacted":true`) || !strings.Contains(string(jsPtr), `"expiry"`) {
		t.Errorf("JSON form %s does not say the token was redacted", jsPtr)
	}
	if got := fmt.Sprintf("%v", (*Token)(nil)); got != "<nil>" {
		t.Errorf("nil token prints %q", got)
	}
}

func TestTokenValidity(t *testing.T) {
	now := time.Unix(1000, 0)
	tests := []struct {
		name string
		tok  *Token
		want bool
	}{
		{"a nil token is invalid", nil, false},
		{"an empty token is invalid", &Token{Expiry: now.Add(time.Hour)}, false},
		{"an expired token is invalid", &Token{AccessToken: "x", Expiry: now.Add(-time.Second)}, false},
		{"a future expiry is valid", &Token{AccessToken: "x", Expiry: now.Add(time.Second)}, true},
		{"no expiry is valid", &Token{AccessToken: "x"}, true},
	}
	for _, tt := range tests {
		if got := tt.tok.Valid(now); got != tt.want {
			t.Errorf("%s: Valid = %v", tt.name, got)
		}
	}
}

func TestStaticTokenSourceRefusesAnEmptyToken(t *testing.T) {
	if _, err := StaticTokenSource(nil).Token(context.Background()); err == nil {
		t.Error("nil token accepted")
	}
	tok, err := StaticTokenSource(&Token{AccessToken: "a"}).Token(context.Background())
	if err != nil || tok.AccessToken != "a" {
		t.Errorf("got %v, %v", tok, err)
	}
}

func BenchmarkCachingTokenSourceCachedToken(b *testing.B) {
	clk := newFakeClock()
	cts := NewCachingTokenSource(&countingSource{clock: clk, ttl: time.Hour}, CachingOptions{Now: clk.Now})
	ctx := context.Background()
	cts.Token(ctx)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := cts.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestManyRequestsRejectingTheSameTokenCauseOneReplacement(t *testing.T) {
	clk := newFakeClock()
	src := &countingSource{clock: clk, ttl: time.Hour}
	cts := NewCachingTokenSource(src, CachingOptions{Now: clk.Now, Cache: NewMemoryTokenCache(), Key: "k"})
	ctx := context.Background()
	cts.Token(ctx)
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cts.invalidate("token-1")
			if tok, err := cts.Token(ctx); err != nil || tok.AccessToken != "token-2" {
				t.Errorf("got %v, %v; want token-2", tok, err)
			}
		}()
	}
	wg.Wait()
	if got := src.calls.Load(); got != 2 {
		t.Fatalf("%d token requests, want 2", got)
	}
}

func TestACachingSourceWithACacheButNoKeyIsRefused(t *testing.T) {
	// Two sources sharing a cache under the empty key would hand each other
	// their tokens: another user's, another environment's.
	shared := NewMemoryTokenCache()
	defer func() {
		r := recover()
		if msg, _ := r.(string); !strings.Contains(msg, "CachingOptions.Key") || !strings.Contains(msg, "TokenCacheKey") {
			t.Fatalf("recovered %v, want a panic naming CachingOptions.Key and TokenCacheKey", r)
		}
	}()
	NewCachingTokenSource(StaticTokenSource(&Token{AccessToken: "a"}), CachingOptions{Cache: shared})
	t.Fatal("NewCachingTokenSource accepted a Cache with an empty Key")
}

func TestACachingSourceWithoutACacheNeedsNoKey(t *testing.T) {
	cts := NewCachingTokenSource(StaticTokenSource(&Token{AccessToken: "a"}), CachingOptions{})
	if tok, err := cts.Token(context.Background()); err != nil || tok.AccessToken != "a" {
		t.Fatalf("got %v, %v", tok, err)
	}
}

// gatedSource mints "token-N" for its N-th call once gate N is opened, so a
// test decides when each fetch finishes.
type gatedSource struct {
	started chan int // receives N when call N begins
	gates   [4]chan struct{}
	calls   atomic.Int64
}

func newGatedSource() *gatedSource {
	s := &gatedSource{started: make(chan int, len(gatedSource{}.gates))}
	for i := range s.gates {
		s.gates[i] = make(chan struct{})
	}
	return s
}

func (s *gatedSource) Token(ctx context.Context) (*Token, error) {
	n := int(s.calls.Add(1))
	s.started <- n
	<-s.gates[n-1]
	return &Token{AccessToken: fmt.Sprintf("token-%d", n), Expiry: time.Now().Add(time.Hour)}, nil
}

func TestResetDetachesTheFetchInFlight(t *testing.T) {
	src := newGatedSource()
	cts := NewCachingTokenSource(src, CachingOptions{})
	ctx := context.Background()
	first := make(chan *Token)
	go func() { tok, _ := cts.Token(ctx); first <- tok }()
	<-src.started // fetch 1 is in flight
	if err := cts.Reset(); err != nil {
		t.Fatal(err)
	}
	cts.mu.Lock()
	attached := cts.call != nil
	cts.mu.Unlock()
	if attached {
		close(src.gates[0])
		<-first
		t.Fatal("after Reset the fetch begun before it is still the one new callers join")
	}
	// A caller after Reset must not wait for (and get) the token of the
	// fetch that began before it: it starts fetch 2.
	second := make(chan *Token)
	go func() { tok, _ := cts.Token(ctx); second <- tok }()
	if n := <-src.started; n != 2 {
		t.Fatalf("call %d started, want 2", n)
	}
	close(src.gates[0])
	if tok := <-first; tok.AccessToken != "token-1" {
		t.Fatalf("the caller before Reset got %v", tok)
	}
	// Fetch 1 finishing must leave fetch 2 in place: a third caller joins
	// it instead of starting fetch 3.
	cts.mu.Lock()
	attached = cts.call != nil
	cts.mu.Unlock()
	if !attached {
		close(src.gates[1])
		close(src.gates[2])
		t.Fatal("fetch 1 finishing detached fetch 2, so the next caller starts another request")
	}
	third := make(chan *Token)
	go func() { tok, _ := cts.Token(ctx); third <- tok }()
	close(src.gates[1])
	for name, ch := range map[string]chan *Token{"second": second, "third": third} {
		if tok := <-ch; tok.AccessToken != "token-2" {
			t.Errorf("the %s caller got %v, want token-2", name, tok)
		}
	}
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
}

func TestTheZeroMemoryTokenCacheIsUsable(t *testing.T) {
	var c MemoryTokenCache
	ctx := context.Background()
	if err := c.Store(ctx, "k", &Token{AccessToken: "a"}); err != nil {
		t.Fatal(err)
	}
	if tok, err := c.Load(ctx, "k"); err != nil || tok == nil || tok.AccessToken != "a" {
		t.Fatalf("Load = %v, %v", tok, err)
	}
	if err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
}

// waitUntil polls cond until it holds (waitFor), failing the test (instead
// of hanging it) when it does not within 10 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !waitFor(cond) {
		t.Fatalf("timed out waiting until %s", what)
	}
}
