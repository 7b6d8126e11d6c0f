package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fileCache opens a FileTokenCache in dir.
func fileCache(t *testing.T, dir string) *FileTokenCache {
	t.Helper()
	c, err := NewFileTokenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// locked takes c's lock for key until the test ends or unlock is called.
func locked(t *testing.T, c *FileTokenCache, key string) (unlock func()) {
	t.Helper()
	unlock, err := c.Lock(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock)
	return unlock
}

// slowDisk is a FileTokenCache (locks included) whose Store takes a while,
// as on a busy disk: a process that released the lock before its Store
// completed would let the next one miss the new token.
type slowDisk struct{ *FileTokenCache }

func (c slowDisk) Store(ctx context.Context, key string, tok *Token) error {
	time.Sleep(slowly)
	return c.FileTokenCache.Store(ctx, key, tok)
}

// processes returns n CachingTokenSources over their own FileTokenCache of
// one directory, as n processes sharing a token cache would have.
func processes(t *testing.T, n int, src TokenSource, onErr func(error)) []*CachingTokenSource {
	t.Helper()
	dir := t.TempDir()
	var out []*CachingTokenSource
	for range n {
		out = append(out, NewCachingTokenSource(src, CachingOptions{Cache: slowDisk{fileCache(t, dir)}, Key: "k", OnCacheError: onErr}))
	}
	return out
}

// together calls Token on every source at once and returns the tokens.
func together[S TokenSource](t *testing.T, srcs []S) []*Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := make(chan struct{})
	toks := make([]*Token, len(srcs))
	var wg sync.WaitGroup
	for i, s := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok, err := s.Token(ctx)
			if err != nil {
				t.Errorf("process %d: %v", i, err)
			}
			toks[i] = tok
		}()
	}
	close(start)
	wg.Wait()
	return toks
}

// slowly delays a token request the way a network round trip does, so
// that without a lock every process would have missed the cache before the
// first token is stored.
const slowly = 50 * time.Millisecond

func TestProcessesSharingAFileCacheMakeOneTokenRequest(t *testing.T) {
	var requests atomic.Int32
	src := TokenSourceFunc(func(context.Context) (*Token, error) {
		n := requests.Add(1)
		time.Sleep(slowly)
		return &Token{AccessToken: fmt.Sprintf("token-%d", n), Expiry: time.Now().Add(time.Hour)}, nil
	})
	var reported atomic.Value
	toks := together(t, processes(t, 5, src, func(err error) { reported.Store(err) }))
	if n := requests.Load(); n != 1 {
		t.Errorf("5 processes made %d token requests, want 1", n)
	}
	for i, tok := range toks {
		if tok == nil || tok.AccessToken != "token-1" {
			t.Errorf("process %d got %v, want the one token requested", i, tok)
		}
	}
	if err := reported.Load(); err != nil {
		t.Errorf("OnCacheError: %v", err)
	}
}

// rotatingRefresher renews tokens like DocuSign with refresh token
// rotation: each refresh token works once, and its answer carries a new
// one.
type rotatingRefresher struct {
	mu       sync.Mutex
	current  string
	requests int
}

func (r *rotatingRefresher) Token(ctx context.Context) (*Token, error) { return r.refresh(ctx, nil) }

func (r *rotatingRefresher) refresh(_ context.Context, candidates []string) (*Token, error) {
	time.Sleep(slowly)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rt := range candidates {
		if rt != "" && rt == r.current {
			r.requests++
			r.current = fmt.Sprintf("refresh-%d", r.requests+1)
			return &Token{AccessToken: fmt.Sprintf("access-%d", r.requests+1), RefreshToken: r.current, Expiry: time.Now().Add(time.Hour)}, nil
		}
	}
	return nil, &LoginRequiredError{Reason: "refused", Err: ErrInvalidGrant}
}

func TestProcessesSharingAFileCacheRefreshOnceWithARotatingRefreshToken(t *testing.T) {
	r := &rotatingRefresher{current: "refresh-1"}
	procs := processes(t, 2, r, nil)
	// Both processes start from the cache's expired token and its refresh
	// token, which works only once.
	expired := &Token{AccessToken: "access-1", RefreshToken: "refresh-1", Expiry: time.Now().Add(-time.Minute)}
	if err := procs[0].cache.Store(context.Background(), "k", expired); err != nil {
		t.Fatal(err)
	}
	toks := together(t, procs)
	if r.requests != 1 {
		t.Errorf("2 processes made %d refresh requests, want 1", r.requests)
	}
	for i, tok := range toks {
		if tok == nil || tok.AccessToken != "access-2" || tok.RefreshToken != "refresh-2" {
			t.Errorf("process %d got %v, want the one renewed token", i, tok)
		}
	}
}

func TestFileTokenCacheBreaksAStaleLock(t *testing.T) {
	c := fileCache(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A process died holding the lock.
	path := c.lockPath("k")
	if err := os.WriteFile(path, []byte("pid 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * TokenLockStaleAfter)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	unlock, err := c.Lock(ctx, "k")
	if err != nil {
		t.Fatalf("Lock with a stale lock file: %v", err)
	}
	if fi, err := os.Lstat(path); err != nil || time.Since(fi.ModTime()) > TokenLockStaleAfter {
		t.Errorf("the lock file after Lock: %v, %v; want a new one", fi, err)
	}
	unlock()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unlock left the lock file: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(c.Dir(), "*.stale")); len(m) != 0 {
		t.Errorf("breaking the lock left %v", m)
	}
}

func TestFileTokenCacheLockWaitsUntilTheContextEnds(t *testing.T) {
	dir := t.TempDir()
	holder, waiter := fileCache(t, dir), fileCache(t, dir)
	unlock := locked(t, holder, "k")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if u, err := waiter.Lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		if u != nil {
			u()
		}
		t.Fatalf("Lock while another process holds it: %v, want context.DeadlineExceeded", err)
	}
	locked(t, waiter, "other")() // another key is not held
	// A source waiting for the lock returns its caller's ctx error; the
	// wait itself ends with ctx's error, without asking the source or
	// reporting a cache error.
	var asked atomic.Bool
	src := NewCachingTokenSource(TokenSourceFunc(func(context.Context) (*Token, error) {
		asked.Store(true)
		return &Token{AccessToken: "a"}, nil
	}), CachingOptions{Cache: waiter, Key: "k"})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if tok, _, release, err := src.obtain(ctx2, ""); !errors.Is(err, context.DeadlineExceeded) || tok != nil {
		release()
		t.Errorf("obtain while another process holds the lock: %v, %v; want context.DeadlineExceeded", tok, err)
	}
	ctx3, cancel3 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel3()
	if tok, err := src.Token(ctx3); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Token while another process holds the lock: %v, %v; want context.DeadlineExceeded", tok, err)
	}
	if asked.Load() || src.LastCacheError() != nil {
		t.Errorf("waiting for the lock: source asked %v, cache error %v; want neither", asked.Load(), src.LastCacheError())
	}
	// The request Token started goes on; once the holder releases the
	// lock, it asks the source.
	unlock()
	ctx4, cancel4 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel4()
	if tok, err := src.Token(ctx4); err != nil || tok.AccessToken != "a" || !asked.Load() {
		t.Errorf("after the holder released the lock: %v, %v", tok, err)
	}
}

func TestCachingTokenSourceProceedsWithoutAnUnusableLock(t *testing.T) {
	c := fileCache(t, t.TempDir())
	// A directory where the lock file belongs cannot be opened as a file.
	if err := os.Mkdir(c.lockPath("k"), 0o700); err != nil {
		t.Fatal(err)
	}
	var reported error
	src := NewCachingTokenSource(StaticTokenSource(&Token{AccessToken: "mine", Expiry: time.Now().Add(time.Hour)}),
		CachingOptions{Cache: c, Key: "k", OnCacheError: func(err error) { reported = err }})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := src.Token(ctx)
	if err != nil || tok.AccessToken != "mine" {
		t.Fatalf("Token = %v, %v; want the source's token", tok, err)
	}
	var cerr *TokenCacheError
	if !errors.As(reported, &cerr) || cerr.Op != "lock" || !strings.Contains(reported.Error(), "processes sharing the cache") {
		t.Errorf("OnCacheError got %v, want a *TokenCacheError for the lock", reported)
	}
	if again, err := c.Load(ctx, "k"); err != nil || again == nil || again.AccessToken != "mine" {
		t.Errorf("the token was not stored: %v, %v", again, err)
	}
}

func TestClientsSharingATokenCacheDirMakeOneTokenRequest(t *testing.T) {
	m := newMiniDS(t)
	dir := t.TempDir()
	clients := make([]*Client, 5)
	for i := range clients {
		clients[i] = newMiniClient(t, m, WithTokenCacheDir(dir))
	}
	toks := together(t, clients)
	if n := m.tokenReqs.Load(); n != 1 {
		t.Errorf("5 clients sharing a cache directory made %d token requests, want 1", n)
	}
	for i, tok := range toks {
		if tok == nil || toks[0] == nil || tok.AccessToken != toks[0].AccessToken {
			t.Errorf("client %d got another token than client 0", i)
		}
	}
}

// Several processes finding the same stale lock at once break it once: they
// then hold the lock one at a time, and none of them removes a fresh lock
// another has just taken.
func TestProcessesBreakingOneStaleLockStillTakeTurns(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for round := range 20 {
		path := fileCache(t, dir).lockPath("k")
		if err := os.WriteFile(path, []byte("pid 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-2 * TokenLockStaleAfter)
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
		var holders, most, turns atomic.Int32
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := fileCache(t, dir) // each "process" has its own cache value
				unlock, err := c.Lock(ctx, "k")
				if err != nil {
					t.Errorf("round %d: Lock: %v", round, err)
					return
				}
				n := holders.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(2 * time.Millisecond)
				holders.Add(-1)
				turns.Add(1)
				unlock()
			}()
		}
		wg.Wait()
		if most.Load() != 1 || turns.Load() != 6 {
			t.Fatalf("round %d: at most %d holders at once over %d turns; want 1 over 6", round, most.Load(), turns.Load())
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "*.stale")); len(m) != 0 {
			t.Fatalf("round %d: breaking the lock left %v", round, m)
		}
	}
}
