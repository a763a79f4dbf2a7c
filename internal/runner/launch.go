package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/config"
	"github.com/swr-conformance/swr-conformance/internal/pace"
	"github.com/swr-conformance/swr-conformance/internal/report"
	"github.com/swr-conformance/swr-conformance/internal/runner/console"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// launchIfAsked runs the suite under the Ginkgo CLI when more than one
// process is to run (config.Processes), and returns the run's exit status:
// under the CLI SWR_GINKGO names, or else under the one built into this
// binary (cli.go). It does nothing in a process the CLI started.
func (r *Run) launchIfAsked(cfg config.Config) (code int, launched bool) {
	if _, procs := parallelProcess(); procs > 1 || os.Getenv(console.EnvAddress) != "" {
		return 0, false
	}
	n, note := cfg.Processes()
	// A run in one process that nobody asked to parallelize says nothing
	// about it; one that got fewer processes than it asked for says why.
	if note != "" && (n > 1 || cfg.Procs > 1) {
		fmt.Fprintln(os.Stderr, "swr-conformance: "+note)
	}
	if n <= 1 {
		return 0, false // one process needs no CLI
	}
	return r.launch(cfg, n), true
}

// launch runs the suite under the Ginkgo CLI in n processes, Ginkgo's way of
// running specs in parallel: the CLI hands out the specs, each process takes
// its share of the accounts (target.Open), and process 1 judges the merged
// report and writes the four reports (ReportAfterSuite). The CLI's own exit
// status only says pass or fail, and it keeps the processes' output to
// itself; so this process shows their progress (they send it here), and
// ends with the VERDICT line and exit status of the merged result, read
// from the results.json that process 1 wrote.
func (r *Run) launch(cfg config.Config, n int) int {
	noRun := func(why string) int {
		fmt.Fprintln(os.Stderr, "swr-conformance: "+why)
		fmt.Fprintln(os.Stderr, "\n"+verdictLine(report.NoRun.Words(2), cfg.Target(), "the suite could not run under the Ginkgo CLI (see the message above)"))
		return 2
	}
	self, cleanup, err := testBinary()
	if err != nil {
		return noRun(fmt.Sprintf("%s: %v", config.EnvGinkgo, err))
	}
	defer cleanup()
	dir, err := filepath.Abs(cfg.ReportDir)
	if err != nil {
		return noRun(fmt.Sprintf("%s=%q: %v", config.EnvReportDir, cfg.ReportDir, err))
	}

	fmt.Fprintf(os.Stderr, "swr-conformance: %s\n", strings.ReplaceAll(cfg.Summary(), "\n", "\n                 "))
	fmt.Fprintln(os.Stderr, "swr-conformance: "+costLine(cfg))
	if cfg.Insecure {
		// The processes say it too, but the CLI shows their output only
		// when they fail.
		fmt.Fprintln(os.Stderr, "swr-conformance: WARNING: "+insecureWarning)
	}
	cli := cfg.Ginkgo
	if cli == "" {
		cli = "built into this binary; " + config.EnvGinkgo + " names another"
	}
	fmt.Fprintf(os.Stderr, "swr-conformance: %d parallel processes under the Ginkgo CLI (%s); %s=1: one process\n", n, cli, config.EnvProcs)
	con := console.New(os.Stderr, console.IsTerminal(os.Stderr))
	progress := console.NewProgress(con, time.Now)
	stdout, stderr := con.Passthrough(os.Stdout), con.Passthrough(os.Stderr)
	var mu sync.Mutex
	var started bool
	var stopped string // why the processes stopped before their first spec
	ln, err := console.Listen(func(e console.Event) {
		mu.Lock()
		switch e.Kind {
		case console.Start:
			started = true
		case console.NoRun:
			if stopped == "" || e.Proc == 1 {
				stopped = e.Message
			}
			// Every process stops alike, and the CLI would print each
			// one's whole output: the message once is enough.
			if !started {
				stdout.Mute()
				stderr.Mute()
			}
		}
		mu.Unlock()
		progress.Handle(e)
	})
	if err != nil {
		return noRun("listening for the progress of the processes: " + err.Error())
	}

	// The run's one limiter: every process takes its slots from it, so
	// that SWR_RATE caps the run, and a gateway's rate, once found, is
	// kept by all processes together.
	limiter := pace.NewLimiter(cfg.Rate, nil)
	paced, err := pace.Serve(limiter)
	if err != nil {
		ln.Close()
		return noRun("serving the run's rate limiter to the processes: " + err.Error())
	}
	defer paced.Close()

	args := cliArgs(r.flags, os.Args[1:], n, cfg, dir, self, console.IsTerminal(os.Stdout))
	fields := strings.Fields(cfg.Ginkgo)
	if len(fields) == 0 {
		fields = []string{self, asGinkgoCLI} // the CLI built into this binary
	}
	cmd := exec.Command(fields[0], append(fields[1:], args...)...)
	cmd.Env = append(os.Environ(), console.EnvAddress+"="+ln.Address(), pace.EnvAddress+"="+paced.Address())
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// Ctrl-C reaches every process of the terminal's process group: the
	// suite's processes clean up and report, and this one waits for them
	// to say the verdict.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt, syscall.SIGTERM)
	began := time.Now()
	progress.Run(time.Second)
	runErr := cmd.Run()
	stdout.Flush()
	stderr.Flush()
	ln.Close()
	progress.End()

	var ee *exec.ExitError
	if runErr != nil && !errors.As(runErr, &ee) {
		return noRun(fmt.Sprintf("%s=%q: %v", config.EnvGinkgo, cfg.Ginkgo, runErr))
	}
	j, rerr := readJudgement(filepath.Join(dir, "results.json"), began)
	if rerr == nil && j.Verdict == report.NoRun && stopped == "" && len(j.Reasons) > 0 {
		stopped = j.Reasons[0]
	}
	if stopped != "" && (rerr != nil || j.Verdict == report.NoRun) {
		fmt.Fprintln(os.Stderr, "swr-conformance: "+stopped)
	}
	if rerr != nil {
		if !started {
			return noRun(fmt.Sprintf("the Ginkgo CLI ended (%v) before any spec ran, and wrote no results (%v)", runErr, rerr))
		}
		fmt.Fprintln(os.Stderr, "\n"+verdictLine(report.Incomplete.Words(3), cfg.Target(), fmt.Sprintf("the run under the Ginkgo CLI ended (%v) without its results: %v", runErr, rerr)))
		return 3
	}
	fmt.Fprintln(os.Stderr, reportsLine(dir))
	if st := j.slowDowns; st != "" && st != retryText(transport.Stats{}) {
		fmt.Fprintf(os.Stderr, "swr-conformance: the target asked to slow down: %s\n", st)
	}
	if t := paceText(limiter.Stats()); t != "" {
		fmt.Fprintln(os.Stderr, "swr-conformance: "+t)
	}
	return printVerdict(os.Stderr, &j.Judgement, cfg.Target())
}

// cliArgs are the Ginkgo CLI's arguments to run self in n processes with
// this process's arguments: Ginkgo's flags go to the CLI, which hands them
// to every process (report paths made absolute); the others go through to
// the processes, but those that only concern this process; the reports go
// where this process would have written them (the CLI runs the processes in
// the binary's directory). Colors are off where the output is not a
// terminal, unless the arguments say otherwise. fs holds the flags args
// are parsed with: it tells a flag's value given apart ("-ginkgo.seed 7")
// from an argument.
func cliArgs(fs *flag.FlagSet, args []string, n int, cfg config.Config, reportDir, self string, terminal bool) []string {
	mine := map[string]bool{"swr.ginkgo": true, "swr.procs": true, "swr.report-dir": true, config.HelpFlag: true}
	var ginkgo, through []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			through = append(through, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		tokens := []string{a}
		if f := fs.Lookup(name); !hasValue && f != nil && !isBool(f) && i+1 < len(args) {
			i++
			value, hasValue = args[i], true
			tokens = append(tokens, args[i])
		}
		switch cli, isGinkgo := strings.CutPrefix(name, "ginkgo."); {
		case isGinkgo && strings.HasPrefix(cli, "parallel."):
		case isGinkgo && hasValue:
			ginkgo = append(ginkgo, "--"+cli+"="+value)
		case isGinkgo:
			ginkgo = append(ginkgo, "--"+cli)
		case mine[name]:
		default:
			through = append(through, tokens...)
		}
	}
	out := []string{fmt.Sprintf("--procs=%d", n), "--timeout=" + cfg.RunTimeout.String()}
	if !terminal && !slices.ContainsFunc(ginkgo, func(a string) bool { return strings.HasPrefix(a, "--no-color") }) {
		out = append(out, "--no-color")
	}
	out = append(append(out, ginkgo...), self, "--")
	return append(append(out, through...), "-swr.report-dir="+reportDir)
}

// testBinary is this binary under a name the Ginkgo CLI runs (it takes a
// *.test or *.exe file): itself when its name is one, else a link to it
// (or a copy) in a temporary directory, removed by cleanup.
func testBinary() (path string, cleanup func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	if ext := filepath.Ext(self); ext == ".test" || ext == ".exe" {
		return self, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "swr-conformance-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "swr-conformance.test")
	if os.Symlink(self, path) == nil || os.Link(self, path) == nil {
		return path, cleanup, nil
	}
	if err := copyFile(self, path); err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// judged is the verdict of a run as its results.json says it.
type judged struct {
	report.Judgement
	slowDowns string // the reports' count of slow-downs, as the reports say it
}

// readJudgement reads the verdict from the results.json at path, written
// since began: the same judgement process 1 made of the merged report.
func readJudgement(path string, began time.Time) (judged, error) {
	var j judged
	info, err := os.Stat(path)
	if err != nil {
		return j, err
	}
	// File times come from a coarse clock: a second of slack.
	if info.ModTime().Before(began.Add(-time.Second)) {
		return j, fmt.Errorf("%s is from an earlier run (%s)", path, info.ModTime().Format(time.RFC3339))
	}
	res, err := report.ReadResults(path)
	if err != nil {
		return j, err
	}
	j.Judgement = res.Judgement()
	j.slowDowns, _ = res.Meta.Setting(slowDownsKey)
	return j, nil
}
