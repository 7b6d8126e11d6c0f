// Command compilebench measures, side by side in one run, the cold compile
// of a tiny program that creates an envelope (it imports only
// gen/esignature/envelopes and gen/esignature/models) against the compile
// of the whole eSignature surface generated as one package. Both start from
// a build cache that holds only the standard library and
// github.com/oapi-codegen/runtime, so only our generated code is compiled.
// It prints time and peak memory (max RSS of the go command and its
// compiler children), the median of several runs, and the ratios. It
// never holds much memory itself, since a child's peak RSS on Linux starts
// at its parent's resident size.
//
// With -baseline DIR (make compile-bench BASELINE=DIR), DIR being an older
// checkout (git worktree add /tmp/before <commit>), it also compiles that
// checkout's tiny program, alternating with ours run by run so that both
// see the same machine load, and prints wall time, CPU time (user + sys of
// the go command and its children) and peak RSS with the ratios now /
// before, plus ours with package jsonx already cached (it is compiled once
// per build cache, like oapi-codegen/runtime), so both figures can be
// reported side by side.
package main
