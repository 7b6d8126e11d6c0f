//go:build unix

package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin runs Load and fails the test if it has not returned within a
// generous deadline (a FIFO used to block it forever).
func loadWithin(t *testing.T, c *FileTokenCache, key string) (*Token, error) {
	t.Helper()
	type result struct {
		tok *Token
		err error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		tok, err := c.Load(ctx, key)
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-time.After(15 * time.Second):
		t.Fatal("Load blocked")
		return nil, nil
	}
}

func TestFileTokenCacheRefusesWhatItCannotTrust(t *testing.T) {
	ctx := context.Background()
	planted := `{"key":"k","token":{"access_token":"planted","expiry":"2999-01-01T00:00:00Z"}}`
	// withMode plants the token in a file with mode (umask aside).
	withMode := func(mode os.FileMode) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			os.WriteFile(path, []byte(planted), 0o600)
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		plant   func(t *testing.T, path string)
		problem string
	}{
		{"a symlink to another file", func(t *testing.T, path string) {
			other := filepath.Join(t.TempDir(), "theirs.json")
			os.WriteFile(other, []byte(planted), 0o600)
			if err := os.Symlink(other, path); err != nil {
				t.Fatal(err)
			}
		}, "symlink"},
		{"a symlink to /dev/zero", func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		}, "symlink"},
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}, "not a regular file"},
		{"a file others can write", withMode(0o666), "writable by other users"},
		{"a file others can read", withMode(0o644), "grants access to other users"},
		{"a file its group can read", withMode(0o640), "grants access to other users"},
		{"a file others can only search", withMode(0o601), "grants access to other users"},
		{"a file of another user", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(planted), 0o600)
			if err := os.Chown(path, os.Geteuid()+1000, -1); err != nil {
				t.Skip("cannot give a file to another user here:", err)
			}
		}, "owned by another user"},
		{"a huge file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(planted+strings.Repeat(" ", maxTokenFileSize)), 0o600)
		}, "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewFileTokenCache(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			tt.plant(t, c.path("k"))
			tok, err := loadWithin(t, c, "k")
			var unsafe *UnsafeTokenCacheError
			if tok != nil || !errors.As(err, &unsafe) || !strings.Contains(err.Error(), tt.problem) || unsafe.Path != c.path("k") {
				t.Fatalf("Load = %v, %v; want an *UnsafeTokenCacheError about %q", tok, err, tt.problem)
			}
			if tt.problem == "grants access to other users" && !strings.Contains(unsafe.Fix, "chmod 600") {
				t.Errorf("Fix = %q, want chmod 600", unsafe.Fix)
			}
			// A caching source requests a token of its own, reports the
			// problem, and replaces the entry.
			var reported error
			src := NewCachingTokenSource(StaticTokenSource(&Token{AccessToken: "mine", Expiry: time.Now().Add(time.Hour)}),
				CachingOptions{Cache: c, Key: "k", OnCacheError: func(err error) { reported = err }})
			got, err := src.Token(ctx)
			if err != nil || got.AccessToken != "mine" {
				t.Fatalf("Token = %v, %v; want the source's own token", got, err)
			}
			if !errors.As(reported, &unsafe) {
				t.Errorf("OnCacheError got %v, want the *UnsafeTokenCacheError", reported)
			}
			if again, err := loadWithin(t, c, "k"); err != nil || again == nil || again.AccessToken != "mine" {
				t.Errorf("after the new token, Load = %v, %v", again, err)
			}
			if fi, err := os.Lstat(c.path("k")); err != nil || fi.Mode() != 0o600 {
				t.Errorf("the new entry: %v, %v; want a regular file with mode 0600", fi, err)
			}
		})
	}
}

func TestNewFileTokenCacheRefusesADirectoryOthersCanWriteOrOwn(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	os.Mkdir(shared, 0o700)
	if err := os.Chmod(shared, 0o1777); err != nil { // like /tmp
		t.Fatal(err)
	}
	_, err := NewFileTokenCache(shared)
	var unsafe *UnsafeTokenCacheError
	if !errors.As(err, &unsafe) || unsafe.Path != shared || !strings.Contains(err.Error(), "writable by other users") || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("world-writable directory: %v", err)
	}
	if _, err := NewFileTokenCache(filepath.Join(shared, "sub")); err != nil {
		t.Errorf("a directory of our own below it: %v", err)
	}
	theirs := filepath.Join(t.TempDir(), "theirs")
	os.Mkdir(theirs, 0o700)
	if err := os.Chown(theirs, os.Geteuid()+1000, -1); err != nil {
		t.Skip("cannot give a directory to another user here:", err)
	}
	if _, err := NewFileTokenCache(theirs); !errors.As(err, &unsafe) || !strings.Contains(err.Error(), "owned by another user") {
		t.Errorf("directory of another user: %v", err)
	}
}

func TestFileTokenCacheAcceptsADirectoryOthersCanOnlyRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	os.Mkdir(dir, 0o700)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := NewFileTokenCache(dir)
	if err != nil {
		t.Fatalf("a 0755 directory of our own: %v", err)
	}
	ctx := context.Background()
	if err := c.Store(ctx, "k", &Token{AccessToken: "mine", Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if tok, err := c.Load(ctx, "k"); err != nil || tok == nil || tok.AccessToken != "mine" {
		t.Errorf("Load = %v, %v", tok, err)
	}
}
