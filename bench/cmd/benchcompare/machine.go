package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the numbers were measured.
type machine struct {
	cpus     int
	cpuModel string // "" when unknown
	memory   int64  // bytes; 0 when unknown
	goos     string
	goarch   string
	goVer    string // the toolchain that built both this program and the Go worker
	nodeVer  string // "" when the Node side did not run
	sdks     string // "" when the Node side did not run
	date     time.Time
	rssFloor int64 // peak RSS reported for a process that does nothing; 0 unknown
}

func describeMachine(_ context.Context, n nodeSide) (machine, error) {
	m := machine{
		cpus:    runtime.NumCPU(),
		goos:    runtime.GOOS,
		goarch:  runtime.GOARCH,
		goVer:   runtime.Version(),
		nodeVer: n.version,
		sdks:    n.sdkList(),
		date:    time.Now().UTC(),
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.memory = memTotal(b)
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.cpuModel = cpuModel(b)
	}
	return m, nil
}

// memTotal reads MemTotal (in kB) from /proc/meminfo.
func memTotal(meminfo []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// cpuModel reads the first "model name" from /proc/cpuinfo.
func cpuModel(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
