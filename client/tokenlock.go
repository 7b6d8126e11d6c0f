package client

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"time"
)

// TokenCacheLocker is implemented by a TokenCache that can make processes
// sharing it take turns to obtain a token. A CachingTokenSource whose
// cache implements it takes the lock for its key before requesting or
// refreshing a token, loads the cache again (another process may have just
// stored a fresh token), and releases the lock once the new token is
// stored. So N processes starting together make one token request, and
// two processes never refresh with the same refresh token at once.
// FileTokenCache implements it.
type TokenCacheLocker interface {
	// Lock waits until this caller holds the lock for key and returns the
	// function that releases it, or returns ctx.Err() when ctx ends first.
	// Any other error means the lock is unusable; the CachingTokenSource
	// then reports it (OnCacheError) and proceeds without the lock.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// TokenLockStaleAfter is how old a FileTokenCache lock file may grow before
// a waiting process takes it to be left by a process that died, and breaks
// it. A token request normally takes well under a second; a holder slower
// than this loses its turn, and processes then request tokens as if the
// cache had no lock.
const TokenLockStaleAfter = 30 * time.Second

// tokenLockPoll is how often a process waiting for a lock looks again.
const tokenLockPoll = 20 * time.Millisecond

// lockPath is the lock file for key, beside its token file.
func (c *FileTokenCache) lockPath(key string) string { return c.path(key) + ".lock" }

// Lock takes the lock for key (TokenCacheLocker): it creates the file
// <token file>.lock exclusively (mode 0600; it holds the process ID and no
// secret), looking again every 20ms while another process holds it, until
// ctx ends (Lock then returns ctx.Err()). The returned function removes
// it. A lock file older than TokenLockStaleAfter is broken. A lock file the
// cache cannot trust (a symlink, not a regular file, another user's,
// writable or readable by others) is neither followed nor removed: Lock
// returns an *UnsafeTokenCacheError naming it.
func (c *FileTokenCache) Lock(ctx context.Context, key string) (func(), error) {
	path := c.lockPath(key)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// O_EXCL fails on any existing entry, a symlink included, so the
		// lock is never created through a link planted by someone else.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return c.held(f)
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("docusign: token cache lock: %w", err)
		}
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // released meanwhile
		case err != nil:
			return nil, fmt.Errorf("docusign: token cache lock: %w", err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, &UnsafeTokenCacheError{path, "is a symlink", "remove it; the cache creates a new lock file"}
		}
		if err := checkCacheEntry(path, fi, false); err != nil {
			return nil, err
		}
		if lockIsStale(fi) {
			removed, err := breakStaleLock(path, fi)
			if err != nil {
				return nil, err
			}
			if removed {
				continue
			}
		}
		t := time.NewTimer(tokenLockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// held records the process ID in a newly created lock file and returns the
// function that removes it (once), unless it is no longer this lock: after
// a holder outlived TokenLockStaleAfter another process may own the path.
func (c *FileTokenCache) held(f *os.File) (func(), error) {
	path := f.Name()
	_, werr := f.WriteString("pid " + strconv.Itoa(os.Getpid()) + "\n")
	mine, serr := f.Stat()
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if err := errors.Join(werr, serr); err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("docusign: token cache lock: %w", err)
	}
	return sync.OnceFunc(func() {
		if fi, err := os.Lstat(path); err == nil && os.SameFile(fi, mine) && fi.ModTime().Equal(mine.ModTime()) {
			_ = os.Remove(path)
		}
	}), nil
}

// breakStaleLock removes the lock file at path if it is still the stale one
// seen, and says whether it did. Breakers take turns through a second lock
// file, <lock>.break, so that between one breaker's look and its removal no
// other breaker can remove the stale lock and let a process take a fresh
// one, which the first would then remove. The file must still be seen's
// (same file, still stale): a fresh lock that happens to reuse the inode is
// not stale. A .break file left by a breaker that died is removed once it
// is stale itself. A stale lock this process cannot remove (no write
// permission on the directory) is an error, not a reason to spin.
func breakStaleLock(path string, seen fs.FileInfo) (removed bool, err error) {
	cannot := func(err error) error {
		return fmt.Errorf("docusign: token cache lock %s is stale and cannot be removed: %w", path, err)
	}
	brk := path + ".break"
	f, err := os.OpenFile(brk, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		if fi, err := os.Lstat(brk); err == nil && fi.Mode().IsRegular() && lockIsStale(fi) {
			if err := os.Remove(brk); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return false, cannot(err)
			}
		}
		return false, nil // another process is breaking it
	case err != nil:
		return false, cannot(err)
	}
	_ = f.Close()
	defer os.Remove(brk)
	fi, err := os.Lstat(path)
	if err != nil || !os.SameFile(fi, seen) || !fi.ModTime().Equal(seen.ModTime()) || !lockIsStale(fi) {
		return false, nil // released or replaced meanwhile
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, cannot(err)
	}
	return true, nil
}

// lockIsStale reports a lock file older than TokenLockStaleAfter, or dated
// as far in the future.
func lockIsStale(fi fs.FileInfo) bool {
	age := time.Since(fi.ModTime())
	return age > TokenLockStaleAfter || age < -TokenLockStaleAfter
}
