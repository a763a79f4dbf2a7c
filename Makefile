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
# The OCI image of `make image` (cmd/swr-image): one image per platform in an
# index, written as an OCI layout archive. It has no OS, so linux only. Its
# time stamps are the commit's, so that two builds of a commit are the same
# image; its revision label is the full commit.
IMAGE_PLATFORMS   := linux/amd64 linux/arm64
IMAGE_ARCHIVE     := $(DIST)/swr-conformance-$(VERSION)-image.tar
REVISION          ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
# The workflow linter and the static checker, pinned, from the Go module proxy.
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Extra arguments for the suite binary, e.g. ARGS='-ginkgo.label-filter=auth'.
ARGS    ?=

.PHONY: conformance test selftest build suite dist binaries image image-archive vet staticcheck lint-workflows bench clean

# The suite under the Ginkgo CLI, in parallel processes (SWR_PROCS, default
# 4; existing-fixture mode: one per share account, at most 4). It ends with
# the VERDICT line of the merged result; its exit status is the verdict's
# (make turns any but 0 into its own 2). It builds the suite only: the
# reference server as a program is not needed, and even with nothing to
# compile each go command costs a second or so on a busy machine. The CLI
# is the one built into the binary (the version pinned in go.mod): `go tool
# ginkgo` would cost another such second before the first request.
conformance: suite
	@$(BIN)/swr-conformance.test $(ARGS)

# Every test, under gotestsum (pinned in go.mod as a tool): a line per
# package as it finishes, the failures in full, and a closing summary
# (DONE N tests ...) that CI systems read. SWR_PROCS=1 runs ./suites (the
# suite against the embedded server) in one process, whose test go test
# sees; in parallel processes its verdict would only be in its output.
# The e2e tests run the parallel paths.
#
# Two runs. First ./generators without -race: its sample tests draw
# thousands of inputs in one goroutine, where the race detector has no race
# to find and takes seven times as long, so under -race they skip
# (generators/names_test.go, oneGoroutineOnly). Then everything under
# -race. go test starts packages in the order given, TEST_P at a time: one
# more than the cores, since the longest (the kill matrix, the e2e tests)
# wait on their servers and subprocesses part of the time (on 2 cores, 3
# took 178 and 185 s where 2 took 197 and 192 s, measured once each in
# turn). TEST_FIRST are the longest, longest first, so that none starts
# last beside an idle core, as in ./...'s import-path order; the short
# ones fill in at the end.
#
# The suite and the reference server as programs are built once, into
# TESTBIN, as selftest.Build builds them (the same two go commands), for
# the four packages whose tests run them (SWRC_PREBUILT); meanwhile
# ./generators runs (its sample tests use one core, the builds print
# nothing unless they fail).
#
# Built with -trimpath (for vet and staticcheck too, which test runs
# first): no file system path enters a build, so the build cache serves a
# fresh clone in another directory as it serves this one, instead of
# compiling every package of the module again (about 25 s of a fresh
# clone's run on two cores). Failure lines then name files by module path.
# And without DWARF (-ldflags=-w), which only a debugger reads: each of the
# forty-odd test binaries links in about 40% less time. Stack traces keep
# their files and lines. (A binary to debug: go test -c yourself.)
TEST_FIRST := ./internal/selftest ./internal/e2e ./internal/image ./deploy ./internal/report \
	./internal/actiontest ./internal/docs
TESTBIN    := $(BIN)/test
TEST_P     := $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1 )))
test: export GOFLAGS := $(GOFLAGS) -trimpath -ldflags=-w
test: vet staticcheck lint-workflows
	@mkdir -p $(TESTBIN)
	$(GO) tool gotestsum --format pkgname-and-test-fails -- -count=1 ./generators & generators=$$!; \
	$(GO) test -c -o $(TESTBIN)/swr-conformance ./suites & suite=$$!; \
	$(GO) build -o $(TESTBIN)/swr-refserver ./cmd/swr-refserver; refserver=$$?; \
	wait $$suite; suite=$$?; wait $$generators; generators=$$?; \
	[ $$refserver -eq 0 ] && [ $$suite -eq 0 ] && [ $$generators -eq 0 ]
	SWRC_PREBUILT=$(abspath $(TESTBIN)) SWR_PROCS=1 $(GO) tool gotestsum --format pkgname-and-test-fails -- -count=1 -race -p $(TEST_P) $(TEST_FIRST) ./...

# The kill matrix: the suite against every fault of the reference server and
# both conforming dialects (also part of `make test`).
selftest: build
	$(GO) run ./cmd/swr-selftest -suite $(BIN)/swr-conformance.test -refserver $(BIN)/swr-refserver

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# Benchmarks against the reference server on loopback (see internal/bench).
# RunsAt50ms and Gateway: `make conformance` and the plain binary, with
# their defaults, four share accounts, existing fixture, against a server
# that answers 50 ms late, and behind a gateway that allows 20 requests per
# second per token (429 beyond it); each prints its floor and its ratio to
# it. Gateway's floor alone is about 2 minutes a run.
bench:
	$(GO) test -run '^$$' -bench 'PropertyRequests|DefaultRun$$' -benchtime 3x -count 1 ./internal/bench/
	$(GO) test -run '^$$' -bench 'RunsAt50ms|Gateway' -benchtime 1x -count 1 -timeout 40m ./internal/bench/

staticcheck:
	$(GO) run $(STATICCHECK) ./...

lint-workflows:
	$(GO) run $(ACTIONLINT) -no-color

# The suite and the reference server as a program.
build: suite
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/swr-refserver ./cmd/swr-refserver

# The suite is compiled once, as bin/swr-conformance.test (the Ginkgo CLI
# runs only *.test files); bin/swr-conformance is the same file.
suite:
	@mkdir -p $(BIN)
	$(GO) test -c -ldflags "$(LDFLAGS)" -o $(BIN)/swr-conformance.test ./suites
	@ln -f $(BIN)/swr-conformance.test $(BIN)/swr-conformance 2>/dev/null || cp -f $(BIN)/swr-conformance.test $(BIN)/swr-conformance

# Release binaries for every platform, stamped with the version, the OCI
# image, and their checksums. The suite binary needs no Go on the machine
# that runs it.
dist:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@$(MAKE) --no-print-directory binaries image-archive
	cd $(DIST) && sha256sum swr-* > SHA256SUMS
	@ls -l $(DIST)

# The release binaries of PLATFORMS, static (CGO_ENABLED=0), into dist/.
binaries:
	@mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "  $$os/$$arch"; \
		sext=.test; [ $$os = windows ] && sext=.exe; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) test -c -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/swr-conformance-$(VERSION)-$$os-$$arch$$sext ./suites; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/swr-refserver-$(VERSION)-$$os-$$arch$$ext ./cmd/swr-refserver; \
	done

# The OCI image (IMAGE_PLATFORMS), from the release binaries of its
# platforms: dist/swr-conformance-VERSION-image.tar. No container daemon is
# needed, and no base image is downloaded.
image:
	@$(MAKE) --no-print-directory binaries PLATFORMS="$(IMAGE_PLATFORMS)"
	@$(MAKE) --no-print-directory image-archive

image-archive:
	$(GO) run ./cmd/swr-image -out $(IMAGE_ARCHIVE) -version $(VERSION) -revision $(REVISION) -created $(SOURCE_DATE_EPOCH) \
		$(foreach p,$(IMAGE_PLATFORMS),-platform $(p)=$(DIST)/swr-conformance-$(VERSION)-$(subst /,-,$(p)).test,$(DIST)/swr-refserver-$(VERSION)-$(subst /,-,$(p)))

clean:
	rm -rf $(BIN) $(DIST) reports
