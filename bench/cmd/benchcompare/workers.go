package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/bench/internal/benchfake"
)

// workerSpec is one worker process to run.
type workerSpec struct {
	side, workload string
	n              int
	work           time.Duration // consumer work per page (paging workloads)
	argv           []string
	timeout        time.Duration
	verbose        bool // copy the worker's stderr to ours
}

// sample is one worker run: what the worker reported, what the fake
// counted, and what the process cost.
type sample struct {
	side, workload string
	n              int
	res            benchenv.Result
	seen           benchfake.Counts
	rss            int64 // peak resident set in bytes; 0 when unknown
	wall           time.Duration
}

// runWorker runs one worker through the spawner against a fresh
// integration and a zeroed request log, and collects its sample.
func runWorker(ctx context.Context, sp *spawner, f *benchfake.Fake, w workerSpec) (sample, error) {
	s := sample{side: w.side, workload: w.workload, n: w.n}
	settings, err := f.NewRun(w.n)
	if err != nil {
		return s, err
	}
	if w.side != sideFloor {
		settings.Work = w.work
	}
	env := append(workerEnviron(os.Environ()), settings.Environ()...)
	if w.side == sideNode {
		// The SDKs hard-code https:// for OAuth: trust the fake's
		// certificate rather than turning verification off.
		env = append(env, "NODE_EXTRA_CA_CERTS="+f.CAFile)
	}
	res, err := sp.run(ctx, spawnRequest{Argv: w.argv, Env: env, Timeout: w.timeout, TeeStderr: w.verbose})
	if err != nil {
		return s, err
	}
	s.wall, s.rss, s.seen = res.Wall, res.RSS, f.Counts()
	if res.Err != "" {
		return s, fmt.Errorf("%s worker, %s workload: %s\n%s", w.side, w.workload, res.Err, tail(string(res.Stderr), 2000))
	}
	if s.res, err = benchenv.ParseResult(res.Stdout, w.workload); err != nil {
		return s, fmt.Errorf("%s worker, %s workload: %w\nstdout: %s\nstderr: %s", w.side, w.workload, err, tail(string(res.Stdout), 500), tail(string(res.Stderr), 2000))
	}
	return s, nil
}

// workerEnviron is the parent's environment without BENCH_* and
// NODE_EXTRA_CA_CERTS, which the run sets.
func workerEnviron(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "BENCH_") || strings.HasPrefix(kv, "NODE_EXTRA_CA_CERTS=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// check fails a sample whose worker did not do the whole workload: every
// event, every user, every call.
func (s sample) check(o options) error {
	var got, want int
	var what string
	switch s.workload {
	case benchenv.Monitor:
		got, want, what = s.res.Events, o.pages*benchenv.MonitorPageSize, "Monitor events"
	case benchenv.Admin:
		got, want, what = s.res.Users, o.users, "organization users"
	case benchenv.Auth, benchenv.ESign:
		got, want, what = s.seen.ESignature, s.n, "eSignature requests reaching the fake"
		if s.res.Calls != s.n {
			return fmt.Errorf("%s worker, %s workload: reported %d calls, want %d", s.side, s.workload, s.res.Calls, s.n)
		}
	}
	if got != want {
		return fmt.Errorf("%s worker, %s workload: got %d %s, want %d", s.side, s.workload, got, what, want)
	}
	return nil
}

// summary is a one-line account of the sample for the progress log.
func (s sample) summary() string {
	var b strings.Builder
	switch s.workload {
	case benchenv.Monitor:
		fmt.Fprintf(&b, "%.0f events/s", s.res.PerSecond)
	case benchenv.Admin:
		fmt.Fprintf(&b, "%.0f users/s", s.res.PerSecond)
	case benchenv.Auth:
		fmt.Fprintf(&b, "%d token requests", s.seen.Token)
	case benchenv.ESign:
		fmt.Fprintf(&b, "%.0f calls/s", s.res.PerSecond)
	}
	fmt.Fprintf(&b, ", %.3f s timed, %d requests, peak RSS %s, process %v", s.res.Seconds, s.seen.Total, formatMB(s.rss), s.wall.Round(time.Millisecond))
	return b.String()
}
