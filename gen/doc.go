// Package gen holds the generated DocuSign API clients, one Go package per
// API surface: the eSignature types in esignature/models (what the
// envelopes operations use) and esignature/accountmodels (the rest), one
// package per eSignature category (esignature/envelopes,
// esignature/users, ...), admin, and monitor.
//
// Nothing below this directory but this file, the tests beside it and
// testdata/ (published DocuSign JSON the models are tested against) is
// edited by hand. The code is produced from the upstream specs pinned in
// api/specs.lock.json by tools/cmd/dsgen; regenerate it with
// `go generate ./...` or `make generate` and check it with `make check`.
// Every model reads and writes JSON through package jsonx.
//
// OPERATIONS.md indexes every operation (package, Go method, HTTP method,
// path), and esignature/MODELS.md names the package of every eSignature
// type. esignature/SDK-MERGE.md lists what the official SDK package
// docusign-esign 10.0.0 adds to the pinned eSignature spec and where the
// two disagree. Multipart operations have streamed XMultipartWithResponse
// methods (multipart.gen.go).
package gen

//go:generate go run -C ../tools ./cmd/dsgen -root .. -q
