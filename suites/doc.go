// Package suites holds the conformance specs of the image-sharing API: share
// an image with an account (POST .../access-domains) and update that share
// (PATCH .../access-domains/{account}).
//
// The specs live in this package's test files, with their helpers
// (helpers_test.go) and the test binary's entry point (suite_test.go),
// which hands the run to package internal/runner: the specs reach the
// target and the run's settings through its one value, run. Run them with
// `make conformance` or `go test ./suites/...`, or compile them into a
// binary with `go test -c` (`make build` writes bin/swr-conformance). The
// target is configured by SWR_* environment variables or their -swr.*
// flags; see the README.
package suites
