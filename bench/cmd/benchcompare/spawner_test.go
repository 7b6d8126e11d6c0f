package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func needSh(t *testing.T) string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	return sh
}

func TestSpawnReportsOutputAndPeakMemory(t *testing.T) {
	res := spawn(spawnRequest{Argv: []string{needSh(t), "-c", "echo out; echo err >&2"}, Timeout: 10 * time.Second})
	if res.Err != "" {
		t.Fatal(res.Err)
	}
	if string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Errorf("stdout %q, stderr %q", res.Stdout, res.Stderr)
	}
	if res.RSS <= 0 && peakRSSKnown {
		t.Errorf("RSS = %d, want the child's peak", res.RSS)
	}
	if res.Wall <= 0 {
		t.Errorf("Wall = %v", res.Wall)
	}
}

func TestSpawnReportsFailuresAndTimeouts(t *testing.T) {
	sh := needSh(t)
	if res := spawn(spawnRequest{Argv: []string{sh, "-c", "exit 3"}}); !strings.Contains(res.Err, "exit status 3") {
		t.Errorf("Err = %q, want the exit status", res.Err)
	}
	if res := spawn(spawnRequest{Argv: []string{sh, "-c", "sleep 5"}, Timeout: 50 * time.Millisecond}); !strings.Contains(res.Err, "timed out after 50ms") {
		t.Errorf("Err = %q, want a timeout", res.Err)
	}
	if res := spawn(spawnRequest{}); res.Err != "no command" {
		t.Errorf("Err = %q for an empty request", res.Err)
	}
}

func TestServeSpawnerAnswersEachRequestInOrder(t *testing.T) {
	sh := needSh(t)
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	enc.Encode(spawnRequest{Argv: []string{sh, "-c", "echo one"}})
	enc.Encode(spawnRequest{Argv: []string{sh, "-c", "echo two"}})
	var out bytes.Buffer
	if err := serveSpawner(&in, &out); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&out)
	for _, want := range []string{"one\n", "two\n"} {
		var res spawnResult
		if err := dec.Decode(&res); err != nil {
			t.Fatal(err)
		}
		if string(res.Stdout) != want {
			t.Errorf("stdout %q, want %q", res.Stdout, want)
		}
	}
}

func TestServeSpawnerRejectsGarbage(t *testing.T) {
	if err := serveSpawner(strings.NewReader("not json\n"), &bytes.Buffer{}); err == nil {
		t.Error("no error for a malformed request")
	}
}
