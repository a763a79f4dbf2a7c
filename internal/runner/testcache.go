package runner

import (
	"os"

	"github.com/swr-conformance/swr-conformance/internal/config"
)

// Go's test cache and this suite.
//
// In package list mode (go test ./suites/) with only cacheable flags (-v,
// -run, -timeout, ...; no -args, no -count), go test keeps a passing
// result and prints it again, "(cached)", as long as the test binary, its
// flags and the inputs the binary reported are the same. The binary
// reports its inputs in the test log (-test.testlogfile, written by package
// testing while m.Run runs): each variable it read (getenv), each file it
// opened or stat'ed inside the module. go test hashes their current values
// and contents, and serves the old result when they match
// (cmd/go/internal/test: tryCacheWithID, computeTestInputsID). Nothing
// there can know the state of a remote registry: run twice against a
// registry that changed in between, the second run would print the first
// run's "ok" without sending a request.
//
// So a run against an endpoint makes its own result uncacheable
// (keepOutOfTestCache), and every run reports the settings it was
// configured with (reportSettingsToTestCache), so that a result is only
// served again for the same configuration. A run against the embedded
// reference server may be served from the cache: the server is part of the
// binary.

// reportSettingsToTestCache reads every SWR_* variable again, while the test
// log records what the binary reads (Specs calls it). Main read them before
// m.Run, when nothing is recorded yet; without this, a cached run of the embedded
// server would be served for a run with SWR_ENDPOINT set (or a changed
// SWR_TOKEN, SWR_CASES, ...), whose environment go test would never
// compare.
//
// What go test cannot compare is the set of variables present: a variable
// that is not a setting (SWR_ENDPIONT, a typo config.Misspelled refuses)
// appears in no test log, so a cached result of the embedded server can
// be served for a run that also has it. -count=1 runs it regardless.
func reportSettingsToTestCache() {
	for _, name := range config.Variables() {
		os.LookupEnv(name)
	}
}

// keepOutOfTestCache makes go test keep no result of this run when it
// tested an endpoint, by adding a line to the test log that go test cannot
// read ("uncacheable ..."): an operation it does not know makes the log
// malformed, and a result with a malformed log is not stored (the testlog
// protocol between package testing and cmd/go: "getenv", "open", "stat",
// "chdir" lines; cmd/go refuses any other, since it could not check that
// input). The line is added after m.Run, when package testing has written
// and closed the log.
//
// It is the way the binary itself can opt out, for every go test command
// line: go test has no flag or call for it (golang/go#23799). The other
// way, opening a file of the module written less than 2 s before go test
// hashes it (errFileTooNew), would write into the source tree, fail in a
// read-only module cache, and hang on a clock and the file system's
// timestamp precision.
//
// testLog is the path of that log, -test.testlogfile. Without it (a
// compiled binary, go test -count=1, or local directory mode) nothing is
// cached and nothing is to be done.
func keepOutOfTestCache(cfg config.Config, testLog string) {
	if cfg.Embedded() || testLog == "" {
		return
	}
	// O_CREATE: a run under the Ginkgo CLI never calls m.Run, so package
	// testing wrote no log; one that holds only this line is malformed too.
	log, err := os.OpenFile(testLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return // go test stores no result without a readable log either
	}
	defer log.Close()
	log.WriteString("uncacheable swr-conformance tested " + cfg.Endpoint + ", whose state go test cannot see\n")
}
