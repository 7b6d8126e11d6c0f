package speclock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EnvSpecsDir names the environment variable that points at a spec mirror.
const EnvSpecsDir = "DOCUSIGN_SPECS_DIR"

// Spec is one locked upstream specification.
type Spec struct {
	Name   string `json:"name"`   // short name, also the gen/ directory
	File   string `json:"file"`   // upstream file name
	URL    string `json:"url"`    // download address at the locked commit
	Commit string `json:"commit"` // upstream commit
	SHA256 string `json:"sha256"` // hex digest of the file
}

// Lock is the parsed lock file.
type Lock struct {
	Specs []Spec `json:"specs"`
	// Samples are other upstream files that tests read (e.g. DocuSign's
	// published Connect message), located and verified like the specs
	// but not generated from.
	Samples []Spec `json:"samples,omitempty"`
	// SDKs are official SDK packages read as a second source of API
	// surface, merged into the spec they name.
	SDKs []SDK `json:"sdks,omitempty"`
}

// SDK is one locked SDK package: an unmodified `npm pack` tarball.
type SDK struct {
	API     string `json:"api"`     // the spec (Spec.Name) it adds to
	Package string `json:"package"` // npm package name
	Version string `json:"version"` // exact version
	SHA256  string `json:"sha256"`  // hex digest of the tarball
}

// File is the tarball's name as npm pack writes it.
func (s SDK) File() string { return s.Package + "-" + s.Version + ".tgz" }

// String names the package and version, e.g. docusign-esign 10.0.0.
func (s SDK) String() string { return s.Package + " " + s.Version }

// SDKFor returns the SDK locked for the named spec.
func (l *Lock) SDKFor(api string) (SDK, bool) {
	for _, s := range l.SDKs {
		if s.API == api {
			return s, true
		}
	}
	return SDK{}, false
}

var (
	npmName    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	npmVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

var (
	hexDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hexCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// Read parses and validates the lock file at path.
func Read(path string) (*Lock, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var l Lock
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	seen, files := map[string]bool{}, map[string]bool{}
	check := func(i int, list string, s Spec) {
		where := fmt.Sprintf("%s: %s[%d] (%s)", path, list, i, s.Name)
		switch {
		case s.Name == "" || seen[s.Name]:
			errs = append(errs, fmt.Errorf("%s: name is empty or repeated", where))
		case s.File == "" || filepath.Base(s.File) != s.File:
			errs = append(errs, fmt.Errorf("%s: file must be a bare file name", where))
		case files[s.File]:
			errs = append(errs, fmt.Errorf("%s: file %s is also another entry's; they would share one mirror file", where, s.File))
		case !hexDigest.MatchString(s.SHA256):
			errs = append(errs, fmt.Errorf("%s: sha256 must be 64 lowercase hex digits", where))
		case !hexCommit.MatchString(s.Commit):
			errs = append(errs, fmt.Errorf("%s: commit must be 40 lowercase hex digits", where))
		case s.URL == "":
			errs = append(errs, fmt.Errorf("%s: url is empty", where))
		}
		seen[s.Name], files[s.File] = true, true
	}
	for i, s := range l.Specs {
		check(i, "specs", s)
	}
	specNames := maps.Clone(seen)
	for i, s := range l.Samples {
		check(i, "samples", s)
	}
	sdkSeen := map[string]bool{}
	for i, s := range l.SDKs {
		where := fmt.Sprintf("%s: sdks[%d] (%s)", path, i, s)
		switch {
		case !specNames[s.API] || sdkSeen[s.API]:
			errs = append(errs, fmt.Errorf("%s: api must name a locked spec, once", where))
		case !npmName.MatchString(s.Package):
			errs = append(errs, fmt.Errorf("%s: package must be an npm package name", where))
		case !npmVersion.MatchString(s.Version):
			errs = append(errs, fmt.Errorf("%s: version must be an exact version (1.2.3)", where))
		case !hexDigest.MatchString(s.SHA256):
			errs = append(errs, fmt.Errorf("%s: sha256 must be 64 lowercase hex digits", where))
		}
		sdkSeen[s.API] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &l, nil
}

// Get returns the locked spec with the given name.
func (l *Lock) Get(name string) (Spec, bool) {
	for _, s := range l.Specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// ChecksumError reports a spec file whose digest differs from the lock.
type ChecksumError struct {
	Path     string
	Expected string
	Actual   string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("spec %s: sha256 mismatch: lock expects %s, file has %s (refusing to use it; restore the file or bump api/specs.lock.json)", e.Path, e.Expected, e.Actual)
}

// Verify checks data against the locked digest.
func (s Spec) Verify(path string, data []byte) error { return verify(s.SHA256, path, data) }

func verify(want, path string, data []byte) error {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return &ChecksumError{Path: path, Expected: want, Actual: got}
	}
	return nil
}

// Locator finds spec files.
type Locator struct {
	// Dirs are the mirror directories searched in order.
	Dirs []string
	// CacheDir receives downloads and is searched after Dirs; empty
	// disables both.
	CacheDir string
	// NoDownload searches Dirs and CacheDir but never downloads (tests).
	NoDownload bool
	// Client downloads specs; nil means a client with a 2-minute timeout.
	Client *http.Client
	// Logf reports where each spec came from; nil is silent.
	Logf func(format string, args ...any)
}

// DefaultLocator searches $DOCUSIGN_SPECS_DIR, then root/../shared/specs,
// then the user cache directory (downloading on a miss).
func DefaultLocator(root string) *Locator {
	l := &Locator{}
	if d := os.Getenv(EnvSpecsDir); d != "" {
		l.Dirs = append(l.Dirs, d)
	}
	shared := filepath.Join(root, "..", "shared", "specs")
	if abs, err := filepath.Abs(shared); err == nil {
		shared = abs // errors name the real place
	}
	l.Dirs = append(l.Dirs, shared)
	if c, err := os.UserCacheDir(); err == nil {
		l.CacheDir = filepath.Join(c, "dsgo", "specs")
	}
	return l
}

// Load returns the verified bytes of s. A file present in a mirror with the
// wrong digest is an error: it is never skipped in favour of another copy.
func (l *Locator) Load(ctx context.Context, s Spec) ([]byte, error) {
	return l.load(ctx, s.Name, s.File, s.SHA256, func(ctx context.Context) ([]byte, string, error) {
		b, err := l.download(ctx, s)
		return b, s.URL, err
	})
}

// LoadSDK returns the verified tarball of s, from a mirror, the cache, or
// `npm pack` (which needs npm and its registry).
func (l *Locator) LoadSDK(ctx context.Context, s SDK) ([]byte, error) {
	return l.load(ctx, s.Package, s.File(), s.SHA256, func(ctx context.Context) ([]byte, string, error) {
		b, err := l.npmPack(ctx, s)
		return b, "npm pack " + s.Package + "@" + s.Version, err
	})
}

func (l *Locator) load(ctx context.Context, name, file, sha string, fetch func(context.Context) ([]byte, string, error)) ([]byte, error) {
	for _, dir := range l.Dirs {
		p := filepath.Join(dir, file)
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := verify(sha, p, data); err != nil {
			return nil, err
		}
		l.logf("%s: %s", name, p)
		return data, nil
	}
	if l.CacheDir == "" {
		return nil, &NotFoundError{Spec: Spec{Name: name, File: file}, Searched: l.Dirs}
	}
	cached := filepath.Join(l.CacheDir, sha[:16]+"-"+file)
	if data, err := os.ReadFile(cached); err == nil {
		if err := verify(sha, cached, data); err != nil {
			return nil, err
		}
		l.logf("%s: %s", name, cached)
		return data, nil
	}
	searched := append(slices.Clip(l.Dirs), l.CacheDir)
	if l.NoDownload {
		return nil, &NotFoundError{Spec: Spec{Name: name, File: file}, Searched: searched}
	}
	data, from, err := fetch(ctx)
	if err != nil {
		return nil, &NotFoundError{Spec: Spec{Name: name, File: file}, Searched: searched, Download: err}
	}
	if err := verify(sha, from, data); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.CacheDir, 0o755); err == nil {
		tmp := cached + ".tmp"
		if os.WriteFile(tmp, data, 0o644) == nil {
			_ = os.Rename(tmp, cached)
		}
	}
	l.logf("%s: downloaded with %s", name, from)
	return data, nil
}

// NotFoundError reports a spec found in no mirror, cache or download; its
// message says how to provide it.
type NotFoundError struct {
	Spec     Spec
	Searched []string // directories searched, in order
	Download error    // why the download failed; nil when none was tried
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "spec %s (%s) is not in %s", e.Spec.Name, e.Spec.File, strings.Join(e.Searched, ", "))
	if e.Download != nil {
		fmt.Fprintf(&b, ", and downloading it failed: %v", e.Download)
	} else {
		b.WriteString(", and downloading is off")
	}
	fmt.Fprintf(&b, "; set %s to a directory holding the files named in api/specs.lock.json (fetch them from the URLs there; their sha256 is checked), put them in ../shared/specs beside the project, or run `make generate` once with network access to download and cache them", EnvSpecsDir)
	return b.String()
}

// Unwrap returns the download error.
func (e *NotFoundError) Unwrap() error { return e.Download }

// npmPack runs `npm pack PACKAGE@VERSION` in a temporary directory and
// returns the tarball.
func (l *Locator) npmPack(ctx context.Context, s SDK) ([]byte, error) {
	dir, err := os.MkdirTemp("", "dsgo-npm-pack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", s.Package+"@"+s.Version)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("npm pack %s@%s: %w: %s", s.Package, s.Version, err, bytes.TrimSpace(out))
	}
	return os.ReadFile(filepath.Join(dir, s.File()))
}

func (l *Locator) download(ctx context.Context, s Spec) ([]byte, error) {
	c := l.Client
	if c == nil {
		c = &http.Client{Timeout: 2 * time.Minute}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", s.URL, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

func (l *Locator) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf(format, args...)
	}
}
