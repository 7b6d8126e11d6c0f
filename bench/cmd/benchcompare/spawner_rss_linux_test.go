package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary play the spawner, as the real program does
// when it re-executes itself.
func TestMain(m *testing.M) {
	if os.Getenv(spawnerEnv) == "1" {
		if err := serveSpawner(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// On Linux a child started from a big process reports that process's
// resident set as its own peak; started through the spawner (launched
// while we were small) it does not.
func TestTheSpawnerKeepsOurMemoryOutOfTheWorkersPeak(t *testing.T) {
	sh := needSh(t)
	sp, err := startSpawner()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()

	const grow = 256 << 20
	ballast := make([]byte, grow)
	for i := 0; i < len(ballast); i += 4096 { // one write a page makes it resident
		ballast[i] = 1
	}
	direct := spawn(spawnRequest{Argv: []string{sh, "-c", "true"}})
	viaSpawner, err := sp.run(context.Background(), spawnRequest{Argv: []string{sh, "-c", "true"}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if direct.Err != "" || viaSpawner.Err != "" {
		t.Fatalf("errors: %q, %q", direct.Err, viaSpawner.Err)
	}
	ballast[len(ballast)-1] = 2 // keep the ballast alive until here
	if direct.RSS < grow {
		t.Logf("started directly, the child reports %s: this kernel does not fold the parent's memory in", formatMB(direct.RSS))
	}
	t.Logf("direct %s, via the spawner %s", formatMB(direct.RSS), formatMB(viaSpawner.RSS))
	if viaSpawner.RSS >= grow/4 {
		t.Errorf("through the spawner, sh -c true reports a peak of %s; want far below our %s", formatMB(viaSpawner.RSS), formatMB(grow))
	}
}
