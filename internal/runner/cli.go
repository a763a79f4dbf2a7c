package runner

import (
	"os"

	"github.com/onsi/ginkgo/v2/ginkgo/command"
	ginkgorun "github.com/onsi/ginkgo/v2/ginkgo/run"
	"github.com/onsi/ginkgo/v2/types"
)

// asGinkgoCLI, as the first argument, makes this binary Ginkgo's own CLI
// (its run command, the code of `ginkgo run`) instead of the suite. The
// launcher starts the binary so to run the suite in parallel processes when
// no other CLI is named (SWR_GINKGO unset): a vendor holding only the
// binary needs neither Go nor a ginkgo binary. The processes the CLI starts
// do not get the argument, so they run the suite.
const asGinkgoCLI = "-swr.as-ginkgo-cli"

// runAsGinkgoCLIIfAsked runs the CLI, and exits, when the first argument
// asks for it.
func runAsGinkgoCLIIfAsked() {
	if len(os.Args) < 2 || os.Args[1] != asGinkgoCLI {
		return
	}
	program := command.Program{
		Name:           "ginkgo",
		Heading:        "Ginkgo Version " + types.VERSION + " (built into swr-conformance)",
		DefaultCommand: ginkgorun.BuildRunCommand(),
	}
	program.RunAndExit(append([]string{os.Args[0]}, os.Args[2:]...))
}
