# Common tasks. `make test` is the test command of the README and CI.
GO ?= go

.PHONY: all generate check test test-lib test-tools test-oauth2adapter lint demo compile-bench bench build-bench bench-compare bench-pipeline

all: lint test check

## generate: regenerate gen/ from the pinned specs (same as `go generate ./...`)
generate:
	$(GO) generate ./...

## check: fail, with the differences, if gen/ is not what generation produces
check:
	$(GO) run -C tools ./cmd/dsgen -root .. -check -q

## test: every test of the library and the x/oauth2 adapter with the race detector, and the generator's tests
test: test-lib test-oauth2adapter test-tools

test-lib:
	$(GO) test -race -count=1 ./...

test-tools:
	$(GO) test -C tools -count=1 ./...

## test-oauth2adapter: the golang.org/x/oauth2 adapter, a module of its own so the library does not depend on x/oauth2
test-oauth2adapter:
	$(GO) test -C oauth2adapter -race -count=1 ./...

## lint: gofmt and go vet over every module
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -C tools ./...
	$(GO) vet -C oauth2adapter ./...

## demo: the README's main job, on the embedded fake DocuSign
demo:
	$(GO) run ./cmd/docusign demo

## compile-bench: cold compile of a tiny envelope program vs the whole eSignature surface as one package
## (BASELINE=dir, an older checkout: also its tiny program, interleaved, with the ratios)
compile-bench:
	$(GO) run -C tools ./cmd/compilebench -root .. $(if $(BASELINE),-baseline $(abspath $(BASELINE)))

## bench: the library's Go benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./client/... ./connect/...

## build-bench: build and vet bench/ (its own module, outside the library's import graph), as CI does
build-bench:
	$(GO) build -C bench ./...
	$(GO) vet -C bench ./...

## bench-compare: the same workloads through dsgo and the official DocuSign Node SDKs on the fake (needs node, npm and the npm registry; not run in CI)
bench-compare:
	GO=$(GO) $(GO) run -C bench ./cmd/benchcompare $(BENCH_ARGS)

## bench-pipeline: paging with DocuSign-like latency (150 ms a request) and consumer work (50 ms a page): dsgo with and without read-ahead, the Node SDKs, the floor and the limit (needs node, npm and the npm registry; not run in CI)
bench-pipeline:
	GO=$(GO) $(GO) run -C bench ./cmd/benchcompare -workloads monitor,admin -sides go,goserial,node,floor -latency 150ms -work 50ms -pages 10 -users 2500 -runs 3 $(BENCH_ARGS)
