# The two set-up commands of the README: `make conformance` runs the suite
# (against SWR_ENDPOINT, or the embedded reference server when it is unset);
# `make test` runs every test of the project, the suite included.

GO      ?= go
BIN     := bin
DIST    := dist
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PKG     := github.com/swr-conformance/swr-conformance
LDFLAGS := -X $(PKG)/internal/version.Version=$(VERSION) -X $(PKG)/internal/version.Commit=$(COMMIT)
# Release platforms of `make dist`.
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
# The workflow linter, from the Go module proxy.
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
# Extra arguments for the suite binary, e.g. ARGS='-ginkgo.label-filter=auth'.
ARGS    ?=

.PHONY: conformance test selftest build dist vet lint-workflows bench clean

conformance: build
	$(BIN)/swr-conformance $(ARGS)

test: vet lint-workflows
	$(GO) test -count=1 -race ./...

# The kill matrix: the suite against every fault of the reference server and
# both conforming dialects (also part of `make test`).
selftest: build
	$(GO) run ./cmd/swr-selftest -suite $(BIN)/swr-conformance

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# Benchmarks against the reference server on loopback (see internal/bench).
bench:
	$(GO) test -run '^$$' -bench 'PropertyRequests|DefaultRun$$' -benchtime 3x -count 1 ./internal/bench/
	$(GO) test -run '^$$' -bench 'Latency50ms' -benchtime 1x -count 1 ./internal/bench/

lint-workflows:
	$(GO) run $(ACTIONLINT) -no-color

build:
	@mkdir -p $(BIN)
	$(GO) test -c -ldflags "$(LDFLAGS)" -o $(BIN)/swr-conformance ./suites
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/swr-refserver ./cmd/swr-refserver

# Release binaries for every platform, stamped with the version, and their
# checksums. The suite binary needs no Go on the machine that runs it.
dist:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "  $$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) test -c -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/swr-conformance-$(VERSION)-$$os-$$arch$$ext ./suites; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/swr-refserver-$(VERSION)-$$os-$$arch$$ext ./cmd/swr-refserver; \
	done
	cd $(DIST) && sha256sum swr-* > SHA256SUMS
	@ls -l $(DIST)

clean:
	rm -rf $(BIN) $(DIST) reports
