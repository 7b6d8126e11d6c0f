//go:build unix

package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFileTokenCacheLockFileIsPrivateAndHoldsNoSecret(t *testing.T) {
	c := fileCache(t, t.TempDir())
	locked(t, c, "k")
	fi, err := os.Lstat(c.lockPath("k"))
	if err != nil || fi.Mode() != 0o600 {
		t.Fatalf("lock file: %v, %v; want a regular file with mode 0600", fi, err)
	}
	if data, _ := os.ReadFile(c.lockPath("k")); string(data) != "pid "+strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("lock file holds %q, want only the process ID", data)
	}
}

func TestFileTokenCacheRefusesALockFileItCannotTrust(t *testing.T) {
	tests := []struct {
		name    string
		plant   func(t *testing.T, path string)
		problem string
	}{
		{"a symlink to another file", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(t.TempDir(), "theirs"), path); err != nil {
				t.Fatal(err)
			}
		}, "is a symlink"},
		{"a file others can write", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o600)
			if err := os.Chmod(path, 0o622); err != nil {
				t.Fatal(err)
			}
		}, "writable by other users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fileCache(t, t.TempDir())
			path := c.lockPath("k")
			tt.plant(t, path)
			// Planted long ago: refused, not broken as stale.
			old := time.Now().Add(-2 * TokenLockStaleAfter)
			os.Chtimes(path, old, old)
			before, _ := os.Lstat(path)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var unsafe *UnsafeTokenCacheError
			if u, err := c.Lock(ctx, "k"); !errors.As(err, &unsafe) || unsafe.Path != path || !strings.Contains(unsafe.Problem, tt.problem) {
				if u != nil {
					u()
				}
				t.Fatalf("Lock = %v; want an *UnsafeTokenCacheError naming %s: %s", err, path, tt.problem)
			}
			if after, err := os.Lstat(path); err != nil || !os.SameFile(before, after) {
				t.Errorf("the planted entry was changed: %v", err)
			}
			// A caching source still gets its token, and reports the lock.
			var reported error
			src := NewCachingTokenSource(StaticTokenSource(&Token{AccessToken: "mine", Expiry: time.Now().Add(time.Hour)}),
				CachingOptions{Cache: c, Key: "k", OnCacheError: func(err error) { reported = err }})
			if tok, err := src.Token(ctx); err != nil || tok.AccessToken != "mine" {
				t.Fatalf("Token = %v, %v", tok, err)
			}
			if !errors.As(reported, &unsafe) {
				t.Errorf("OnCacheError got %v, want the *UnsafeTokenCacheError", reported)
			}
		})
	}
}

func TestFileTokenCacheReportsAStaleLockItCannotRemove(t *testing.T) {
	c := fileCache(t, t.TempDir())
	path := c.lockPath("k")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * TokenLockStaleAfter)
	os.Chtimes(path, old, old)
	if err := os.Chmod(c.Dir(), 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(c.Dir(), 0o700)
	if os.Rename(path, path+".probe") == nil {
		t.Skip("this user can rename in a read-only directory (root)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err := c.Lock(ctx, "k")
	if err == nil {
		u()
	}
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "cannot be removed") {
		t.Errorf("Lock = %v; want at once an error saying the stale lock cannot be removed", err)
	}
}
