package client

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestFileTokenCacheStoresPrivatelyAndAtomically(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "tokens")
	c, err := NewFileTokenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok := &Token{AccessToken: "abc", TokenType: "Bearer", Expiry: time.Unix(1_800_000_000, 0).UTC(), IssuedAt: time.Unix(1_799_996_400, 0).UTC()}
	if err := c.Store(ctx, "key-1", tok); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o700 {
			t.Errorf("directory mode %o, want 700", perm)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || strings.HasSuffix(entries[0].Name(), ".tmp") || strings.HasPrefix(entries[0].Name(), ".") {
		t.Fatalf("directory holds %v, want exactly one token file and no temporary files", entries)
	}
	if runtime.GOOS != "windows" {
		info, _ := entries[0].Info()
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("token file mode %o, want 600", perm)
		}
	}
	if strings.Contains(entries[0].Name(), "key-1") {
		t.Error("file name contains the raw cache key")
	}
	got, err := c.Load(ctx, "key-1")
	if err != nil || got == nil || *got != *tok {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, tok)
	}
	// Overwrite replaces.
	tok2 := *tok
	tok2.AccessToken = "def"
	if err := c.Store(ctx, "key-1", &tok2); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Load(ctx, "key-1"); got.AccessToken != "def" {
		t.Fatalf("after overwrite got %s", got.AccessToken)
	}
	if got, err := c.Load(ctx, "other"); got != nil || err != nil {
		t.Fatalf("missing key: %v, %v", got, err)
	}
	if err := c.Delete(ctx, "key-1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Load(ctx, "key-1"); got != nil {
		t.Fatal("token still there after Delete")
	}
	if err := c.Delete(ctx, "key-1"); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
}

func TestFileTokenCacheTreatsACorruptFileAsAnError(t *testing.T) {
	c, err := NewFileTokenCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.path("k"), []byte(`{"key":"k","token":{"access_token":"sec`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = c.Load(context.Background(), "k")
	if err == nil || strings.Contains(err.Error(), "sec") {
		t.Fatalf("got %v, want a corruption error that does not quote the file", err)
	}
}

func TestFileTokenCacheIgnoresAnEntryForAnotherKey(t *testing.T) {
	c, _ := NewFileTokenCache(t.TempDir())
	ctx := context.Background()
	c.Store(ctx, "a", &Token{AccessToken: "x"})
	// Simulate a collision: the file for "b" holds the entry for "a".
	os.Rename(c.path("a"), c.path("b"))
	if got, err := c.Load(ctx, "b"); got != nil || err != nil {
		t.Fatalf("got %v, %v; want a miss", got, err)
	}
}

func TestNewFileTokenCacheRejectsUnusableDirectories(t *testing.T) {
	if _, err := NewFileTokenCache(""); err == nil {
		t.Error("empty directory accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := NewFileTokenCache(filepath.Join(file, "sub")); err == nil {
		t.Error("a path below a regular file was accepted")
	}
}

func TestTokenCacheKeySeparatesEnvironmentsKeysUsersAndScopes(t *testing.T) {
	base := TokenCacheKey(Developer(), testIK, testUser, []string{"signature", "impersonation"})
	same := []string{
		TokenCacheKey(Developer(), testIK, testUser, []string{"impersonation", "signature"}),
		TokenCacheKey(Developer(), strings.ToUpper(testIK), " "+testUser, []string{"signature", "impersonation", "signature"}),
	}
	for i, k := range same {
		if k != base {
			t.Errorf("equivalent key %d differs: %s vs %s", i, k, base)
		}
	}
	renamedDev := Developer()
	renamedDev.Name = "dev2"
	movedDev := Developer()
	movedDev.OAuthURL = "https://proxy.example.com"
	different := map[string]string{
		"production":      TokenCacheKey(Production(), testIK, testUser, []string{"signature", "impersonation"}),
		"renamed env":     TokenCacheKey(renamedDev, testIK, testUser, []string{"signature", "impersonation"}),
		"other OAuth URL": TokenCacheKey(movedDev, testIK, testUser, []string{"signature", "impersonation"}),
		"other key":       TokenCacheKey(Developer(), "ffffffff-4f50-6172-8394-a5b6c7d8e9f0", testUser, []string{"signature", "impersonation"}),
		"other user":      TokenCacheKey(Developer(), testIK, testAccount, []string{"signature", "impersonation"}),
		"other scopes":    TokenCacheKey(Developer(), testIK, testUser, []string{"signature", "impersonation", "user_read"}),
	}
	for name, k := range different {
		if k == base {
			t.Errorf("%s gives the same key", name)
		}
	}
	key, _ := NewPrivateKey(testRSAKey(t))
	cfg := JWTConfig{Environment: Developer(), IntegrationKey: testIK, UserID: testUser, PrivateKey: key}
	if k := cfg.TokenCacheKey(); !strings.HasPrefix(k, base+"|") || !strings.Contains(k, key.Fingerprint()) {
		t.Errorf("JWTConfig.TokenCacheKey() = %s, want %s plus the key fingerprint", k, base)
	}
}

func TestMemoryTokenCacheReturnsCopies(t *testing.T) {
	c := NewMemoryTokenCache()
	ctx := context.Background()
	tok := &Token{AccessToken: "a"}
	c.Store(ctx, "k", tok)
	tok.AccessToken = "changed"
	got, _ := c.Load(ctx, "k")
	got.AccessToken = "changed again"
	if again, _ := c.Load(ctx, "k"); again.AccessToken != "a" {
		t.Fatalf("cache content changed through a caller's pointer: %s", again.AccessToken)
	}
	if s := c.String(); strings.Contains(s, "\"a\"") {
		t.Errorf("String reveals tokens: %s", s)
	}
}
