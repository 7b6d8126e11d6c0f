// Package benchenv is the contract between the side-by-side benchmark's
// orchestrator (bench/cmd/benchcompare) and its workers (bench/cmd/goworker
// and bench/node/worker.js): the BENCH_* settings a worker reads from its
// environment, the workload names, and the one JSON line of results it
// prints.
package benchenv
