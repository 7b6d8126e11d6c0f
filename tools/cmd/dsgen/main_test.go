package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsgo/docusign/tools/internal/specstest"
)

var root = filepath.Join("..", "..", "..")

// TestCheckExitsNonZeroOnADifference runs dsgen as `make check` does,
// against a generated tree in a temporary directory: 0 when it matches,
// 1 with the difference when one byte changed, a file is missing or a
// stale file is present.
func TestCheckExitsNonZeroOnADifference(t *testing.T) {
	loc := specstest.Locator(t, root)
	out := t.TempDir()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-root", root, "-only", "monitor", "-out", out, "-q"}, &stderr, loc); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, stderr.String())
	}
	check := func() (int, string) {
		stderr.Reset()
		code := run(context.Background(), []string{"-root", root, "-only", "monitor", "-out", out, "-check", "-q"}, &stderr, loc)
		return code, stderr.String()
	}
	if code, msg := check(); code != 0 {
		t.Fatalf("check of a fresh tree: exit %d: %s", code, msg)
	}
	gen := filepath.Join(out, "monitor", "monitor.gen.go")
	orig, err := os.ReadFile(gen)
	if err != nil {
		t.Fatal(err)
	}
	breaks := map[string]func(){
		"a changed byte": func() { os.WriteFile(gen, append([]byte("//"), orig...), 0o644) },
		"a missing file": func() { os.Remove(gen) },
		"a stale file":   func() { os.WriteFile(filepath.Join(out, "monitor", "old.go"), []byte("package monitor\n"), 0o644) },
	}
	for name, brk := range breaks {
		brk()
		code, msg := check()
		if code != 1 || !strings.Contains(msg, "out of date") || !strings.Contains(msg, "gen/monitor/") {
			t.Errorf("%s: exit %d, want 1 with the difference:\n%s", name, code, msg)
		}
		os.WriteFile(gen, orig, 0o644)
		os.Remove(filepath.Join(out, "monitor", "old.go"))
	}
}

// TestCheckOfOneAPILooksAtThatAPIOnly: -only monitor -check compares
// gen/monitor and ignores the other APIs' directories, as -only without
// -check replaces only gen/monitor.
func TestCheckOfOneAPILooksAtThatAPIOnly(t *testing.T) {
	loc := specstest.Locator(t, root)
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-root", root, "-only", "monitor", "-check", "-q"}, &stderr, loc); code != 0 {
		t.Errorf("exit %d:\n%s", code, stderr.String())
	}
}

func TestBadFlagsExitTwo(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-nope"}, &stderr, nil); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if code := run(context.Background(), []string{"-single"}, &stderr, nil); code != 1 || !strings.Contains(stderr.String(), "-single needs -only") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
