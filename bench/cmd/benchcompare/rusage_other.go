//go:build !linux && !darwin

package main

import "os"

// peakRSS is unknown on this system (0): the table shows it as "n/a".
func peakRSS(*os.ProcessState) int64 { return 0 }

// peakRSSKnown reports whether peakRSS measures anything here.
const peakRSSKnown = false
