# The two set-up commands of the README: `make conformance` runs the suite
# (against SWR_ENDPOINT, or the embedded reference server when it is unset);
# `make test` runs every test of the project, the suite included.

GO      ?= go
BIN     := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Extra arguments for the suite binary, e.g. ARGS='-ginkgo.label-filter=auth'.
ARGS    ?=

.PHONY: conformance test selftest build vet clean

conformance: build
	$(BIN)/swr-conformance $(ARGS)

test: vet
	$(GO) test -count=1 -race ./...

# The kill matrix: the suite against every fault of the reference server and
# both conforming dialects (also part of `make test`).
selftest: build
	$(GO) run ./cmd/swr-selftest -suite $(BIN)/swr-conformance

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

build:
	@mkdir -p $(BIN)
	$(GO) test -c -o $(BIN)/swr-conformance ./suites
	$(GO) build -o $(BIN)/swr-refserver ./cmd/swr-refserver

clean:
	rm -rf $(BIN) reports
