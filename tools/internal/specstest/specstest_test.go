package specstest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var realRoot = filepath.Join("..", "..", "..")

// recorder stands in for a test: it records a skip or a failure and ends
// the goroutine, as the testing package does.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.failed = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f with a recorder in its own goroutine.
func call(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// project makes a project root holding only api/specs.lock.json, with no
// ../shared beside it, and an empty user cache.
func project(t *testing.T) string {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(realRoot, "api", "specs.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "proj")
	if err := os.MkdirAll(filepath.Join(root, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "api", "specs.lock.json"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv(EnvRequired, "")
	return root
}

// TestSpecsAreFoundThroughTheVariableAlone: with only $DOCUSIGN_SPECS_DIR
// pointing at the specs (no ../shared, nothing cached), the tests that
// need them run instead of skipping.
func TestSpecsAreFoundThroughTheVariableAlone(t *testing.T) {
	s, want := Load(t, realRoot, "monitor")
	mirror := t.TempDir()
	if err := os.WriteFile(filepath.Join(mirror, s.File), want, 0o644); err != nil {
		t.Fatal(err)
	}
	root := project(t)
	t.Setenv("DOCUSIGN_SPECS_DIR", mirror)
	var got []byte
	r := call(t, func(tb testing.TB) { _, got = Load(tb, root, "monitor") })
	if r.skipped != "" || r.failed != "" || !bytes.Equal(got, want) {
		t.Fatalf("skipped %q, failed %q, %d bytes", r.skipped, r.failed, len(got))
	}
}

// TestUnreachableSpecsSkipWithTheReasonOrFailWhenRequired: with no specs
// anywhere, the test is skipped with a message that says how to provide
// them; with DOCUSIGN_SPECS_REQUIRED=1 (CI) it fails instead.
func TestUnreachableSpecsSkipWithTheReasonOrFailWhenRequired(t *testing.T) {
	root := project(t)
	t.Setenv("DOCUSIGN_SPECS_DIR", t.TempDir())
	r := call(t, func(tb testing.TB) { Load(tb, root, "monitor") })
	if r.failed != "" || !strings.Contains(r.skipped, "DOCUSIGN_SPECS_DIR") || !strings.Contains(r.skipped, "monitor") {
		t.Errorf("skipped %q, failed %q; want a skip naming DOCUSIGN_SPECS_DIR", r.skipped, r.failed)
	}
	t.Setenv(EnvRequired, "1")
	r = call(t, func(tb testing.TB) { Locator(tb, root) })
	if r.skipped != "" || !strings.Contains(r.failed, "DOCUSIGN_SPECS_DIR") {
		t.Errorf("required: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}
}
