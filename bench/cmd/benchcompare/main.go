package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/bench/internal/benchfake"
)

// options are the command-line settings.
type options struct {
	dir         string // the bench module directory (holds node/)
	runs        int
	pages       int
	users       int
	concurrent  int
	calls       int
	workloads   []string
	sides       []string
	nodeModules string // an existing install to reuse instead of npm install
	profileDir  string
	timeout     time.Duration // per worker
	limit       time.Duration // for the whole run
	latency     time.Duration // added by the fake to every API request
	work        time.Duration // spent by the workers after each page of records
	keep        bool
	verbose     bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchcompare", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", ".", "the bench module `directory` (holding node/package.json and node/worker.js)")
	fs.IntVar(&o.runs, "runs", 5, "runs per workload and side; the table shows medians")
	fs.IntVar(&o.pages, "pages", 200, "Monitor pages of 2000 events to drain")
	fs.IntVar(&o.users, "users", 50000, "organization users to list")
	fs.IntVar(&o.concurrent, "concurrent", 1000, "concurrent eSignature calls starting with no token")
	fs.IntVar(&o.calls, "calls", 2000, "sequential eSignature get-user calls")
	workloads := fs.String("workloads", strings.Join(benchenv.Workloads, ","), "comma-separated workloads to run")
	sides := fs.String("sides", "go,node,floor", "comma-separated sides to run: go, goserial (dsgo without read-ahead; paging workloads), node, floor (plain net/http, no decoding)")
	fs.DurationVar(&o.latency, "latency", 0, "latency the fake adds to every API request (e.g. 150ms, as DocuSign answers)")
	fs.DurationVar(&o.work, "work", 0, "simulated consumer work after each page of records, whole milliseconds (e.g. 50ms of writing downstream)")
	fs.StringVar(&o.nodeModules, "node-modules", "", "reuse the Node SDKs installed in `dir` (a directory holding node_modules) instead of a fresh npm install")
	fs.StringVar(&o.profileDir, "profile", "", "write CPU and allocation profiles of the Go worker and a CPU profile of the fake's process to `dir`")
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "time limit for each worker process")
	fs.DurationVar(&o.limit, "limit", 4*time.Minute, "time limit for the whole comparison, setup included")
	fs.BoolVar(&o.verbose, "v", false, "copy each worker's standard error to ours (e.g. for GODEBUG=gctrace=1 output)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (npm install, worker binary, key and certificate)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"runs", o.runs}, {"pages", o.pages}, {"users", o.users}, {"concurrent", o.concurrent}, {"calls", o.calls}} {
		if f.v < 1 {
			errs = append(errs, fmt.Errorf("-%s %d: must be at least 1", f.name, f.v))
		}
	}
	if o.latency < 0 || o.work < 0 || o.work%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("-latency %v and -work %v must not be negative, and -work must be whole milliseconds", o.latency, o.work))
	}
	if o.timeout <= 0 || o.limit <= 0 {
		errs = append(errs, fmt.Errorf("-timeout %v and -limit %v must be positive", o.timeout, o.limit))
	}
	o.workloads = splitList(*workloads)
	for _, w := range o.workloads {
		if !slices.Contains(benchenv.Workloads, w) {
			errs = append(errs, fmt.Errorf("-workloads: unknown workload %q: use some of %s", w, strings.Join(benchenv.Workloads, ",")))
		}
	}
	o.sides = splitList(*sides)
	for _, s := range o.sides {
		if s != sideGo && s != sideNode && s != sideFloor && s != sideGoSerial {
			errs = append(errs, fmt.Errorf("-sides: unknown side %q: use some of go, goserial, node, floor", s))
		}
	}
	if len(o.workloads) == 0 || len(o.sides) == 0 {
		errs = append(errs, errors.New("-workloads and -sides must each name at least one"))
	}
	return o, errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func main() {
	if os.Getenv(spawnerEnv) == "1" {
		if err := serveSpawner(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "benchcompare:", err)
			os.Exit(1)
		}
		return
	}
	// Start the spawner before anything grows our resident set (see
	// spawner.go).
	sp, err := startSpawner()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(1)
	}
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		sp.close()
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = run(ctx, o, sp)
	sp.close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, sp *spawner) error {
	started := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.limit)
	defer cancel()
	tmp, err := os.MkdirTemp("", "benchcompare-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	var node nodeSide
	if slices.Contains(o.sides, sideNode) {
		if node, err = setUpNode(ctx, o.dir, tmp, o.nodeModules); err != nil {
			return err
		}
	}
	var goWorker string
	if slices.Contains(o.sides, sideGo) || slices.Contains(o.sides, sideFloor) || slices.Contains(o.sides, sideGoSerial) {
		if goWorker, err = buildGoWorker(ctx, o.dir, tmp); err != nil {
			return err
		}
	}

	if o.profileDir != "" {
		if o.profileDir, err = filepath.Abs(o.profileDir); err != nil {
			return err
		}
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(o.profileDir, "fake.cpu.pprof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	fk, err := benchfake.Start(tmp, o.pages*benchenv.MonitorPageSize, o.users)
	if err != nil {
		return err
	}
	defer fk.Close()
	logf("fake DocuSign at %s (%d users, %d Monitor events) started in %v", fk.Server.URL(), o.users, o.pages*benchenv.MonitorPageSize, fk.Startup.Round(time.Millisecond))
	if o.latency > 0 {
		fk.SetLatency(o.latency)
	}

	sizes := map[string]int{benchenv.Monitor: o.pages, benchenv.Admin: o.users, benchenv.Auth: o.concurrent, benchenv.ESign: o.calls}
	var samples []sample
	for r := range o.runs {
		for _, w := range o.workloads {
			// Alternate which side goes first, so neither always runs on
			// a machine warmed (or tired) by the other.
			sides := slices.Clone(o.sides)
			if r%2 == 1 {
				slices.Reverse(sides)
			}
			for _, side := range sides {
				if side == sideFloor && w == benchenv.Auth {
					continue // getting the token is the point; no floor
				}
				if side == sideGoSerial && w != benchenv.Monitor && w != benchenv.Admin {
					continue // no pager: nothing to read ahead
				}
				var cmd []string
				switch side {
				case sideGo:
					cmd = []string{goWorker}
					if o.profileDir != "" && r == o.runs-1 {
						cmd = append(cmd,
							"-cpuprofile", filepath.Join(o.profileDir, "goworker."+w+".cpu.pprof"),
							"-memprofile", filepath.Join(o.profileDir, "goworker."+w+".allocs.pprof"))
					}
				case sideNode:
					cmd = []string{"node", node.worker}
				case sideFloor:
					cmd = []string{goWorker, "-floor"}
				case sideGoSerial:
					cmd = []string{goWorker, "-serial"}
				}
				cmd = append(cmd, w)
				s, err := runWorker(ctx, sp, fk, workerSpec{side: side, workload: w, n: sizes[w], work: o.work, argv: cmd, timeout: workerTimeout(ctx, o.timeout), verbose: o.verbose})
				if err != nil {
					return err
				}
				if err := s.check(o); err != nil {
					return err
				}
				logf("run %d/%d %-7s %-4s %s", r+1, o.runs, w, side, s.summary())
				samples = append(samples, s)
			}
		}
	}

	m, err := describeMachine(ctx, node)
	if err != nil {
		return err
	}
	m.rssFloor = rssFloor(ctx, sp)
	rep := newReport(o, m, samples)
	fmt.Print(rep.markdown())
	fmt.Print(rep.pipelineMarkdown())
	logf("done in %v", time.Since(started).Round(time.Second))
	if !rep.targetsMet() {
		return errors.New("a target was missed (see the table)")
	}
	return nil
}

// workerTimeout is the time a worker may take: limit, or less when the
// whole run's deadline comes first.
func workerTimeout(ctx context.Context, limit time.Duration) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(min(limit, time.Until(d)), time.Millisecond)
	}
	return limit
}

// logf reports progress on standard error, keeping standard output for
// the table.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchcompare: "+format+"\n", args...)
}
