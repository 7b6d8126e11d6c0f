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
package main
