package speclock_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsgo/docusign/tools/internal/speclock"
	"github.com/dsgo/docusign/tools/internal/specstest"
)

var root = filepath.Join("..", "..", "..")

func TestTheMirrorMatchesTheLock(t *testing.T) {
	// Locator loads and verifies every locked spec where the generator
	// would find it, skipping with the reason when none is reachable.
	specstest.Locator(t, root)
}

func TestAChangedByteIsRefusedWithBothDigests(t *testing.T) {
	s, data := specstest.Load(t, root, "monitor")
	intact := t.TempDir()
	if err := os.WriteFile(filepath.Join(intact, s.File), data, 0o644); err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, s.File), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The damaged copy comes first and must not be skipped in favour of
	// the intact mirror behind it.
	loc := &speclock.Locator{Dirs: []string{dir, intact}}
	_, err := loc.Load(context.Background(), s)
	var ce *speclock.ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("want *ChecksumError, got %v", err)
	}
	if ce.Expected != s.SHA256 || ce.Actual == s.SHA256 || !strings.Contains(err.Error(), s.File) {
		t.Errorf("error does not name file and both digests: %v", err)
	}
}
