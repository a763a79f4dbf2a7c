package runner

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/runner/console"
)

// parseFlags parses the command line, args, into the run's flag set. A
// mistake costs one line naming the nearest flag and one saying where the
// settings are listed, instead of Go's usage of every flag (Ginkgo's and
// the testing package's included, more than 200 lines); -swr.help lists
// the suite's own settings. stop says the run ends here, with exit status
// code: help was shown, or the command line is wrong.
func (r *Run) parseFlags(args []string) (code int, stop bool) {
	fs := r.flags
	var usage bytes.Buffer
	fs.Init(fs.Name(), flag.ContinueOnError)
	fs.SetOutput(&usage)
	err := fs.Parse(args)
	fs.SetOutput(nil)
	switch {
	case errors.Is(err, flag.ErrHelp):
		help := usage.Bytes()
		if !console.IsTerminal(os.Stderr) {
			// Ginkgo colours its flags' usage wherever it goes; in a file
			// or a pipe the escape codes are noise, as for the run itself.
			help = console.Uncolored(help)
		}
		os.Stderr.Write(help)
		return 0, true
	case err != nil:
		problem := config.FlagProblem(err, fs)
		fmt.Fprintln(os.Stderr, "swr-conformance:", problem)
		fmt.Fprintln(os.Stderr, "swr-conformance:", config.FlagHint)
		r.writeNoRunReports("the command line is wrong: " + problem)
		fmt.Fprintln(os.Stderr, verdictLine(report.NoRun.Words(2), "", "the command line is wrong (see above)"))
		return 2, true
	case r.settings.HelpWanted():
		r.settings.Help(os.Stdout)
		return 0, true
	}
	return 0, false
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// isBool reports whether f is a flag that takes no value (-ginkgo.v).
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// testLog is where package testing writes the inputs go test's cache
// compares (-test.testlogfile, see testcache.go); "" when it writes none.
func testLog(fs *flag.FlagSet) string {
	if f := fs.Lookup("test.testlogfile"); f != nil {
		return f.Value.String()
	}
	return ""
}
