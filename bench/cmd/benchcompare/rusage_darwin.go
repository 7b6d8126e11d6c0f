package main

import (
	"os"
	"syscall"
)

// peakRSS is a finished process's peak resident set in bytes (macOS
// reports ru_maxrss in bytes).
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// peakRSSKnown reports whether peakRSS measures anything here.
const peakRSSKnown = true
