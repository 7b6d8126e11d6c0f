// Package api carries the lock of the upstream specifications the
// generated packages under gen/ are produced from (specs.lock.json), so
// that programs can say which spec versions they were built against.
package api
