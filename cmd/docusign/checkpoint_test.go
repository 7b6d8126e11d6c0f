package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsgo/docusign/client/docusigntest"
)

// failingWriter accepts the first ok writes and fails every later one
// without writing anything: a full disk or a closed pipe.
type failingWriter struct {
	buf    bytes.Buffer
	writes int
	ok     int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.writes++; w.writes > w.ok {
		return 0, errors.New("no space left on device")
	}
	return w.buf.Write(p)
}

// TestAFailedWriteOfAPageLosesNothing: the checkpoint is saved only once
// a page's output is flushed. Pages of 10 events are written in one Write
// each; the third fails. Had the checkpoint been saved before the flush,
// it would point past the third page, and the resumed run would skip it.
func TestAFailedWriteOfAPageLosesNothing(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(45))
	cp := filepath.Join(f.dir, "events.cp")
	out := &failingWriter{ok: 2}
	var stderr bytes.Buffer
	code := run(context.Background(), &env{stdout: out, stderr: &stderr, getenv: func(k string) string { return f.vars[k] }},
		[]string{"events", "--limit", "10", "--checkpoint", cp})
	if code != exitError || !strings.Contains(stderr.String(), "no space left") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var second bytes.Buffer
	if code, errs := f.run(t, context.Background(), &second, "events", "--limit", "10", "--checkpoint", cp); code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	first := eventIDs(t, out.buf.String())
	if len(first) != 20 {
		t.Fatalf("the first run wrote %d events, want the two pages before the failure", len(first))
	}
	// Fewer than all: the page whose write failed was lost.
	requireExactlyOnce(t, append(first, eventIDs(t, second.String())...), f.srv.MonitorEventCount())
}

// TestTheCheckpointIsReplacedNeverRewrittenInPlace: saving writes a new
// file and renames it over the old one. A reader that opened the old file
// (or a crash during the write) still sees the complete old checkpoint;
// a plain write would truncate it under the reader. Nothing else is left
// in the directory.
func TestTheCheckpointIsReplacedNeverRewrittenInPlace(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(10))
	dir := t.TempDir()
	cp := filepath.Join(dir, "events.cp")
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "events", "--limit", "2", "--max", "3", "--checkpoint", cp); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	before, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(cp)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	// The resumed run saves a later checkpoint over it.
	if code, errs := f.run(t, context.Background(), &out, "events", "--limit", "2", "--max", "3", "--checkpoint", cp); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	seen := new(bytes.Buffer)
	if _, err := seen.ReadFrom(reader); err != nil {
		t.Fatal(err)
	}
	if seen.String() != string(before) {
		t.Errorf("a reader of the old checkpoint saw %q, want the complete old %q: the file was rewritten in place", seen.String(), before)
	}
	if now, _ := os.ReadFile(cp); bytes.Equal(now, before) || len(now) == 0 {
		t.Errorf("the checkpoint was not replaced: %q", now)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only the checkpoint (no temporary file left)", len(entries))
	}
}
