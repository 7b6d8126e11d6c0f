// Command benchcompare runs the same four workloads through the dsgo client
// library and through the official DocuSign Node SDKs, against one fake
// DocuSign (client/docusigntest, over TLS on loopback), and prints a
// markdown table comparing them.
//
// It starts the fake in its own process, installs the pinned Node SDKs
// (bench/node/package.json) with npm into a temporary directory, builds
// bench/cmd/goworker once, and then runs every workload as a separate
// child process per side (goworker WORKLOAD; node worker.js WORKLOAD), so
// each side's peak RSS (from the child's rusage) is that workload's alone.
// Workers are started by a small spawner process launched before the fake
// grows, because on Linux a child's ru_maxrss includes its parent's
// resident set at the time it was started (see spawner.go). Each run gets
// a fresh integration key and zeroed request counters, so both sides start
// without a token and the fake's counts are per run.
//
// The floor side runs the Go worker with -floor: the same requests with
// plain net/http and no decoding, what the fake and TLS alone cost.
//
// Usage, from the bench module (make bench-compare does this):
//
//	go run ./cmd/benchcompare [-runs 5] [-pages 200] [-users 50000]
//	    [-concurrent 1000] [-calls 2000] [-workloads monitor,admin,auth,esign]
//	    [-sides go,node,floor] [-node-modules dir] [-profile dir]
//	    [-timeout 1m] [-limit 4m] [-v] [-keep]
//
// It needs node and npm on PATH and the npm registry (or -node-modules
// pointing at an existing install). The table goes to standard output,
// progress to standard error; the exit status is 1 when a target is
// missed.
package main
