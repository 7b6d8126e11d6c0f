package specstest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsgo/docusign/tools/internal/speclock"
)

// EnvRequired names the variable that turns a skip into a failure.
const EnvRequired = "DOCUSIGN_SPECS_REQUIRED"

// Lock reads the project's lock file under root.
func Lock(t testing.TB, root string) *speclock.Lock {
	t.Helper()
	l, err := speclock.Read(filepath.Join(root, "api", "specs.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Locator returns the generator's locator for the project at root with
// downloading turned off, after checking that every locked spec is
// reachable through it (skipping t otherwise).
func Locator(t testing.TB, root string) *speclock.Locator {
	t.Helper()
	loc := offline(root)
	l := Lock(t, root)
	for _, s := range l.Specs {
		load(t, loc, s)
	}
	for _, s := range l.Samples {
		load(t, loc, s)
	}
	for _, s := range l.SDKs {
		sdk(t, loc, s)
	}
	return loc
}

// SDK returns the verified tarball of the SDK locked for the spec named
// api, and whether the lock pins one.
func SDK(t testing.TB, root, api string) ([]byte, bool) {
	t.Helper()
	s, ok := Lock(t, root).SDKFor(api)
	if !ok {
		return nil, false
	}
	return sdk(t, offline(root), s), true
}

// offline is the generator's locator for the project at root with
// downloading turned off.
func offline(root string) *speclock.Locator {
	loc := speclock.DefaultLocator(root)
	loc.NoDownload = true
	return loc
}

func sdk(t testing.TB, loc *speclock.Locator, s speclock.SDK) []byte {
	t.Helper()
	b, err := loc.LoadSDK(context.Background(), s)
	skipOrFail(t, err)
	return b
}

// Load returns the verified bytes of the locked spec named name.
func Load(t testing.TB, root, name string) (speclock.Spec, []byte) {
	t.Helper()
	s, ok := Lock(t, root).Get(name)
	if !ok {
		t.Fatalf("the lock has no spec %q", name)
	}
	return s, load(t, offline(root), s)
}

// File returns the verified bytes of the locked spec whose upstream file
// name is file.
func File(t testing.TB, root, file string) []byte {
	t.Helper()
	for _, s := range Lock(t, root).Specs {
		if s.File == file {
			_, b := Load(t, root, s.Name)
			return b
		}
	}
	t.Fatalf("the lock has no spec file %q", file)
	return nil
}

func load(t testing.TB, loc *speclock.Locator, s speclock.Spec) []byte {
	t.Helper()
	b, err := loc.Load(context.Background(), s)
	skipOrFail(t, err)
	return b
}

// skipOrFail skips t when err says a locked file is unreachable (unless
// EnvRequired is set) and fails it on any other error.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	var nf *speclock.NotFoundError
	switch {
	case err == nil:
	case errors.As(err, &nf) && os.Getenv(EnvRequired) == "":
		t.Skipf("skipped: %v (or set %s=1 to make this a failure)", err, EnvRequired)
	default:
		t.Fatal(err) // a damaged copy is never skipped
	}
}
