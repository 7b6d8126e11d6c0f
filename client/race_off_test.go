//go:build !race

package client

// raceEnabled shrinks the heaviest tests under the race detector, which
// slows the decoder about tenfold.
const raceEnabled = false
