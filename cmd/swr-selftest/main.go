// Command swr-selftest proves the suite against the reference server: every
// fault caught, both conforming dialects passed, every spec failed by some
// fault. It prints the kill matrix and exits 1 when the proof does not hold.
//
//	swr-selftest [-suite bin/swr-conformance -refserver bin/swr-refserver] [-parallel N]
//	             [-only fault,...] [-fault-cases N]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/selftest"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("swr-selftest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	suite := fs.String("suite", "", "compiled suite (go test -c ./suites); empty: build it and the reference server")
	refserverBin := fs.String("refserver", "", "the reference server program (go build ./cmd/swr-refserver); needed with -suite")
	faultCases := fs.Int("fault-cases", selftest.FaultCases, "random cases per property spec in a fault's run (the suite's default: 25)")
	parallel := fs.Int("parallel", runtime.NumCPU(), "suite runs at once")
	only := fs.String("only", "", "comma-separated faults (and strict, lenient) to run alone, in both fixture modes; the judgement then covers only them")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *suite != "" && *refserverBin == "" {
		fmt.Fprintln(stderr, "swr-selftest: -suite needs -refserver, the reference server program the suite runs against")
		return 2
	}
	if *suite == "" {
		dir, err := os.MkdirTemp("", "swr-selftest-bin-")
		if err != nil {
			fmt.Fprintln(stderr, "swr-selftest:", err)
			return 2
		}
		defer os.RemoveAll(dir)
		if *suite, *refserverBin, err = selftest.Build(dir); err != nil {
			fmt.Fprintln(stderr, "swr-selftest:", err)
			return 2
		}
	}
	plan := selftest.Plan(*faultCases)
	if *only != "" {
		var err error
		if plan, err = selftest.Only(plan, strings.Split(*only, ",")); err != nil {
			fmt.Fprintln(stderr, "swr-selftest:", err)
			return 2
		}
	}
	start := time.Now()
	results := selftest.Execute(context.Background(), *suite, *refserverBin, plan, *parallel)
	fmt.Fprint(stdout, selftest.Matrix(results))
	v := selftest.Judge(results)
	if *only != "" {
		v.NeverFailed = nil // a few faults cannot make every spec fail
	}
	fmt.Fprintf(stdout, "\n%d runs in %s (parallel %d, seed %d, %d cases per property in a fault's run)\n", len(results), time.Since(start).Round(time.Second), *parallel, selftest.Seed, *faultCases)
	report := func(title string, items []string) {
		if len(items) > 0 {
			fmt.Fprintf(stdout, "\n%s:\n  - %s\n", title, strings.Join(items, "\n  - "))
		}
	}
	report("faults that survived", v.Survivors)
	report("conforming servers the suite failed", v.Rejected)
	report("runs without a verdict", v.Broken)
	report("specs that no fault made fail", v.NeverFailed)
	if !v.OK() {
		fmt.Fprintln(stdout, "\nSELFTEST: FAILED")
		return 1
	}
	fmt.Fprintln(stdout, "\nSELFTEST: every fault killed, both dialects pass, every spec fails under some fault")
	return 0
}
