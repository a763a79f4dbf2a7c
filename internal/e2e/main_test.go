package e2e

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// sideBySide is how many of the tests that run their cases side by side
// (t.Parallel: progress, reproductions) run at once, unless -test.parallel
// says otherwise. Their cases spend most of their time waiting for a
// distant server or for a snippet's curl, not computing: go test's default,
// the number of cores, would leave the machine idle meanwhile.
const sideBySide = 4

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(sideBySide))
	}
	os.Exit(m.Run())
}
