// Command goworker runs one workload of the side-by-side benchmark through
// the dsgo client library, the way its documentation shows, and prints one
// JSON line of results (benchenv.Result) on standard output. It is the Go
// counterpart of bench/node/worker.js; bench/cmd/benchcompare starts it
// once per workload, in a fresh process, so its peak RSS is that
// workload's alone.
//
// Usage:
//
//	goworker [-floor] [-cpuprofile file] [-memprofile file] monitor|admin|auth|esign
//
// With -floor it makes the same requests with plain net/http and no
// decoding, to measure what the fake and TLS alone cost (see RunFloor).
//
// Settings come from the BENCH_* environment variables (see package
// benchenv). Tokens are kept in memory only, so every run starts without
// one.
package main
