package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/client"
)

func main() {
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the workload to `file`")
	memProfile := flag.String("memprofile", "", "write a heap profile (allocations) to `file` after the workload")
	floor := flag.Bool("floor", false, "make the same requests with plain net/http and no decoding (see RunFloor)")
	serial := flag.Bool("serial", false, "turn the pagers' read-ahead off (client.WithReadAhead(0))")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: goworker [flags] %s\n", strings.Join(benchenv.Workloads, "|"))
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || !slices.Contains(benchenv.Workloads, flag.Arg(0)) {
		flag.Usage()
		os.Exit(2)
	}
	if *serial {
		clientOptions = append(clientOptions, client.WithReadAhead(0))
	}
	if err := run(flag.Arg(0), *floor, *cpuProfile, *memProfile); err != nil {
		fmt.Fprintln(os.Stderr, "goworker:", err)
		os.Exit(1)
	}
}

func run(workload string, floor bool, cpuProfile, memProfile string) error {
	s, err := benchenv.FromEnv()
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	runWorkload := Run
	if floor {
		runWorkload = RunFloor
	}
	res, err := runWorkload(context.Background(), workload, s)
	if err != nil {
		return err
	}
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
