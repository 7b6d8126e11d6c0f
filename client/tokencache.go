package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// TokenCache stores tokens between uses, for example on disk so that a
// collector started as a new process every minute reuses the token of the
// previous run instead of requesting one each time. Keys come from
// TokenCacheKey; implementations must be safe for concurrent use.
type TokenCache interface {
	// Load returns the token stored under key, or (nil, nil) if there is none.
	Load(ctx context.Context, key string) (*Token, error)
	// Store saves tok under key, replacing any previous token.
	Store(ctx context.Context, key string, tok *Token) error
	// Delete removes the token under key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// TokenCacheKey builds the cache key for a credential. It covers the
// environment (name and OAuth URL), integration key, user and scopes (in any
// order), so a token is never reused across environments — in particular
// not after switching from Developer to Production — nor across users or
// scope sets. For the JWT grant use JWTConfig.TokenCacheKey, which also
// covers the private key.
func TokenCacheKey(env Environment, integrationKey, userID string, scopes []string) string {
	sc := slices.Clone(scopes)
	for i := range sc {
		sc[i] = strings.TrimSpace(sc[i])
	}
	slices.Sort(sc)
	sc = slices.Compact(sc)
	return strings.Join([]string{
		"dsgo-token-v1",
		env.Name,
		strings.TrimRight(env.OAuthURL, "/"),
		strings.ToLower(strings.TrimSpace(integrationKey)),
		strings.ToLower(strings.TrimSpace(userID)),
		strings.Join(sc, " "),
	}, "|")
}

// authCodeCacheKey is the cache key of the Authorization Code Grant's
// tokens: like TokenCacheKey, with the grant in the place of the user, who
// is whoever logs in.
func authCodeCacheKey(env Environment, integrationKey string, scopes []string) string {
	return TokenCacheKey(env, integrationKey, "grant="+GrantTypeAuthorizationCode, scopes)
}

// TokenCacheKey is the cache key for tokens of this configuration:
// TokenCacheKey of its environment, integration key, user and scopes
// (DefaultScopes when empty), plus the fingerprint of the private key's
// public half. After a key rotation (or with a wrong key) the cached token
// of the old key is not used, so a key problem shows at once instead of
// up to an hour later.
func (c JWTConfig) TokenCacheKey() string {
	scopes := c.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes()
	}
	fp := "no-key"
	if c.PrivateKey != nil && c.PrivateKey.key != nil {
		fp = c.PrivateKey.Fingerprint()
	}
	return TokenCacheKey(c.Environment, c.IntegrationKey, c.UserID, scopes) + "|key=" + fp
}

// MemoryTokenCache keeps tokens in process memory. It is the default cache
// of a Client. The zero value is an empty cache ready to use.
type MemoryTokenCache struct {
	mu sync.Mutex
	m  map[string]*Token
}

// NewMemoryTokenCache returns an empty in-memory cache. One cache may be
// shared by several Clients in a process.
func NewMemoryTokenCache() *MemoryTokenCache {
	return &MemoryTokenCache{m: make(map[string]*Token)}
}

// Load returns a copy of the token under key.
func (c *MemoryTokenCache) Load(_ context.Context, key string) (*Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key].clone(), nil
}

// Store saves a copy of tok.
func (c *MemoryTokenCache) Store(_ context.Context, key string, tok *Token) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*Token)
	}
	c.m[key] = tok.clone()
	return nil
}

// Delete removes the token under key.
func (c *MemoryTokenCache) Delete(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	return nil
}

// String describes the cache without its tokens.
func (c *MemoryTokenCache) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("MemoryTokenCache{%d tokens}", len(c.m))
}

// GoString is String.
func (c *MemoryTokenCache) GoString() string { return c.String() }

// Format prints String for every verb.
func (c *MemoryTokenCache) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// FileTokenCache keeps each token in its own file in a directory. Files are
// written atomically (temporary file, then rename) with mode 0600, so
// concurrent processes never read a half-written token; the directory is
// created with mode 0700. File names are hashes of the cache key.
// Processes sharing the directory take turns to obtain a token through a
// lock file beside the token file (see Lock), so N processes starting
// together make one token request, and two never refresh with the same
// refresh token at once.
type FileTokenCache struct {
	dir string
}

// DefaultTokenCacheDir is the per-user cache directory for tokens:
// $XDG_CACHE_HOME/dsgo-docusign/tokens on Linux, the platform equivalent
// elsewhere.
func DefaultTokenCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("docusign: no user cache directory: %w", err)
	}
	return filepath.Join(base, "dsgo-docusign", "tokens"), nil
}

// NewFileTokenCache returns a cache in dir, creating it (mode 0700) if
// needed and checking that it is writable, so a misconfigured cache fails
// at start-up rather than silently costing a token request per run.
//
// A directory another user owns or that group or other users can write
// (a shared /tmp, say) is refused with an *UnsafeTokenCacheError: anyone
// who can write there could plant a token and make this process act as
// another user. A directory others can only read (0755) is accepted, since
// token files are 0600 and Load refuses one that others can read.
func NewFileTokenCache(dir string) (*FileTokenCache, error) {
	if dir == "" {
		return nil, errors.New("docusign: token cache directory is empty: give a directory path")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("docusign: creating token cache directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("docusign: token cache directory: %w", err)
	}
	if err := checkCacheEntry(dir, fi, true); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return nil, fmt.Errorf("docusign: token cache directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return &FileTokenCache{dir: dir}, nil
}

// maxTokenFileSize caps a token file: a real one is well under 8 KiB.
const maxTokenFileSize = 64 << 10

// UnsafeTokenCacheError reports a token cache directory or file the cache
// refuses to trust: owned by another user, writable by other users, a
// token file readable by other users, or not a plain directory or regular
// file (a symlink, a FIFO, a device). Fix says how to repair it.
type UnsafeTokenCacheError struct {
	Path    string // the directory or file
	Problem string // what is wrong
	Fix     string // how to repair it
}

// Error names the path, the problem and the fix.
func (e *UnsafeTokenCacheError) Error() string {
	return fmt.Sprintf("docusign: token cache %s %s: %s", e.Path, e.Problem, e.Fix)
}

// checkCacheEntry refuses a cache directory (dir true) or token file that
// another user owns, that others can write, or that is of the wrong kind,
// and a token file that group or other users can read or search (any of
// the mode bits 0077). A directory others can read is accepted: it lists
// only hashed file names, and each file is checked.
func checkCacheEntry(path string, fi fs.FileInfo, dir bool) error {
	switch {
	case dir && !fi.IsDir():
		return &UnsafeTokenCacheError{path, "is not a directory", "give a directory path"}
	case !dir && !fi.Mode().IsRegular():
		return &UnsafeTokenCacheError{path, "is not a regular file (" + fi.Mode().Type().String() + ")", "remove it; the cache writes a new file"}
	case foreignOwner(fi):
		return &UnsafeTokenCacheError{path, "is owned by another user", "use a directory of your own (DefaultTokenCacheDir), or remove it"}
	case writableByOthers(fi) && dir:
		return &UnsafeTokenCacheError{path, fmt.Sprintf("is writable by other users (mode %v)", fi.Mode().Perm()), "chmod 700 it, or use a directory of your own (DefaultTokenCacheDir)"}
	case writableByOthers(fi):
		return &UnsafeTokenCacheError{path, fmt.Sprintf("is writable by other users (mode %v)", fi.Mode().Perm()), "remove it; the cache writes a new file with mode 0600"}
	case !dir && accessibleByOthers(fi):
		return &UnsafeTokenCacheError{path, fmt.Sprintf("grants access to other users (mode %v, want -rw-------), who may have copied its tokens", fi.Mode().Perm()), "chmod 600 it, or remove it; the cache writes a new file with mode 0600"}
	case !dir && fi.Size() > maxTokenFileSize:
		return &UnsafeTokenCacheError{path, fmt.Sprintf("is %d bytes, more than a token file can be (%d)", fi.Size(), maxTokenFileSize), "remove it"}
	}
	return nil
}

// Dir is the cache directory.
func (c *FileTokenCache) Dir() string { return c.dir }

// path is the file for key.
func (c *FileTokenCache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, "token-"+hex.EncodeToString(sum[:16])+".json")
}

// fileEntry is the on-disk form; Key guards against hash collisions and
// files copied between caches.
type fileEntry struct {
	Key   string    `json:"key"`
	Token fileToken `json:"token"`
}

// fileToken is a Token as stored in a file: unlike Token's own JSON form
// (which redacts), it holds the access and refresh tokens.
type fileToken struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry"`
	IssuedAt     time.Time `json:"issued_at,omitzero"`
}

// Load reads the token under key; a missing file is (nil, nil). The file
// is opened without following a symlink (O_NOFOLLOW where the platform has
// it) and without blocking on a FIFO, and read only if it is a regular file
// of at most 64 KiB that belongs to this user and that no one else can read
// or write (mode 0600 or stricter on Unix); otherwise Load returns an *UnsafeTokenCacheError (and a CachingTokenSource
// requests a new token, which replaces the file).
func (c *FileTokenCache) Load(ctx context.Context, key string) (*Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := c.path(key)
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &UnsafeTokenCacheError{path, "is a symlink", "remove it; the cache writes a new file"}
	}
	f, err := openNoFollow(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if isSymlinkOpenError(err) {
		return nil, &UnsafeTokenCacheError{path, "is a symlink", "remove it; the cache writes a new file"}
	}
	if err != nil {
		return nil, fmt.Errorf("docusign: reading token cache: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("docusign: reading token cache: %w", err)
	}
	if err := checkCacheEntry(path, fi, false); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("docusign: reading token cache: %w", err)
	}
	if len(data) > maxTokenFileSize {
		return nil, &UnsafeTokenCacheError{path, "grew beyond the size of a token file while being read", "remove it"}
	}
	var e fileEntry
	if err := json.Unmarshal(data, &e); err != nil {
		// Do not wrap the JSON error: its text may quote the file content.
		return nil, fmt.Errorf("docusign: token cache file %s is corrupt", path)
	}
	if e.Key != key {
		return nil, nil
	}
	t := Token(e.Token)
	return &t, nil
}

// Store writes tok atomically with mode 0600.
func (c *FileTokenCache) Store(_ context.Context, key string, tok *Token) error {
	if tok == nil {
		return errors.New("docusign: refusing to cache a nil token")
	}
	data, err := json.Marshal(fileEntry{Key: key, Token: fileToken(*tok)})
	if err != nil {
		return fmt.Errorf("docusign: encoding token for cache: %w", err)
	}
	f, err := os.CreateTemp(c.dir, ".token-*.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("docusign: writing token cache: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("docusign: writing token cache: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("docusign: writing token cache: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("docusign: writing token cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("docusign: writing token cache: %w", err)
	}
	if err := os.Rename(tmp, c.path(key)); err != nil {
		return fmt.Errorf("docusign: writing token cache: %w", err)
	}
	ok = true
	return nil
}

// Delete removes the file for key.
func (c *FileTokenCache) Delete(_ context.Context, key string) error {
	err := os.Remove(c.path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("docusign: deleting cached token: %w", err)
	}
	return nil
}

// String describes the cache.
func (c *FileTokenCache) String() string { return "FileTokenCache{" + c.dir + "}" }
