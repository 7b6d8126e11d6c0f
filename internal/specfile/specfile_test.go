package specfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsgo/docusign/api"
)

func TestSampleIsReadAndVerified(t *testing.T) {
	b := Sample(t, "connect-message")
	if !strings.Contains(string(b), `"envelopeSummary"`) {
		t.Errorf("the Connect sample has no envelopeSummary: %.80s", b)
	}
}

func TestAChangedCopyIsRefusedNotSkipped(t *testing.T) {
	b := Sample(t, "connect-message")
	dir := t.TempDir()
	b[len(b)/2] ^= 1
	if err := os.WriteFile(filepath.Join(dir, "connect.schema-v2.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvDir, dir)
	_, err := Read("connect-message")
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("want a digest error, got %v", err)
	}
}

func TestAnUnknownNameIsAnError(t *testing.T) {
	if _, err := Read("nothing"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestAMissingFileSaysWhereToFetchIt(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	s := api.Spec{Name: "absent", File: "absent.json", URL: "https://raw.githubusercontent.com/o/r/0123/absent.json", SHA256: strings.Repeat("0", 64)}
	_, err := find(s)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	for _, want := range []string{s.URL, EnvDir, "../shared/specs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %q: %v", want, err)
		}
	}
}
