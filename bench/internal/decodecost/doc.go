// Package decodecost holds Go benchmarks that split the Go side's time per
// page of the side-by-side workloads into transport and decoding, in
// process and without TLS, so a regression (or a gain) in the library's
// decoders shows apart from the fake's and TLS's share:
//
//	go test -C bench -run '^$' -bench . ./internal/decodecost
package decodecost
