// Package runner runs the conformance suite: everything in the suite's test
// binary but the specs. The specs live in package suites; its entry point
// makes one Run and hands it to package testing (TestMain calls Main,
// TestConformance calls Specs) and to Ginkgo (the reporting nodes, each a
// one-line call of a Run method).
//
// A run, in the order its steps happen:
//
//   - Main parses the command line (flags.go), checks the configuration and
//     either stops with a "no run" verdict and reports (reports.go), or
//     runs the suite under the Ginkgo CLI in parallel processes (launch.go,
//     cli.go), or opens the target and runs the specs in this process.
//   - Specs runs Ginkgo's specs; while they run, the run shows its progress
//     (progress.go, package console) and records the status codes the target
//     answered (recorder.go). The specs reach the target and the state they
//     share through the Run's accessors (Config, Target, Trails, Leftovers).
//   - The last reporting node merges the processes' reports (merge.go),
//     judges them, and writes the four reports; Main ends with the verdict's
//     lines and its exit status (verdict.go).
//
// All of a process's run is in its one Run value, as testing/fstest keeps a
// test's state in one tester value: nothing here is package-level state.
package runner
