package specfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsgo/docusign/api"
)

// EnvDir and EnvRequired are the variables the generator's tooling reads
// too: a mirror directory, and any non-empty value (.ci/run sets 1) to
// make a missing file a failure instead of a skip, as specstest does.
const (
	EnvDir      = "DOCUSIGN_SPECS_DIR"
	EnvRequired = "DOCUSIGN_SPECS_REQUIRED"
)

// ErrNotFound is returned by Read when no mirror holds the file.
var ErrNotFound = errors.New("not in $" + EnvDir + " or ../shared/specs")

// Read returns the pinned sample called name (api.Samples), verified. A
// file found with another digest is an error, not a miss.
func Read(name string) ([]byte, error) {
	samples, err := api.Samples()
	if err != nil {
		return nil, err
	}
	for _, s := range samples {
		if s.Name == name {
			return find(s)
		}
	}
	return nil, fmt.Errorf("api/specs.lock.json pins no sample %q", name)
}

// Sample is Read for a test: without the file the test is skipped with
// the reason, or fails under DOCUSIGN_SPECS_REQUIRED=1; a wrong digest
// always fails.
func Sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := Read(name)
	switch {
	case err == nil:
		return b
	case errors.Is(err, ErrNotFound) && os.Getenv(EnvRequired) == "":
		t.Skip(err)
	default:
		t.Fatal(err)
	}
	return nil
}

func find(s api.Spec) ([]byte, error) {
	var dirs []string
	if d := os.Getenv(EnvDir); d != "" {
		dirs = append(dirs, d)
	}
	if root, err := moduleRoot(); err == nil {
		dirs = append(dirs, filepath.Join(root, "..", "shared", "specs"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, s.File)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != s.SHA256 {
			return nil, fmt.Errorf("%s: sha256 %s, the lock says %s", p, got, s.SHA256)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%s (%s): %w: download %s into one of them (its sha256 is checked against the lock)", s.File, s.Name, ErrNotFound, s.URL)
}

// moduleRoot is the nearest directory above the working directory (a
// package directory under test) that holds api/specs.lock.json.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "api", "specs.lock.json")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no api/specs.lock.json above the working directory")
		}
		dir = parent
	}
}
