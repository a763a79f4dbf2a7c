// Command swr-refserver runs the suite's in-memory reference server for the
// image-sharing API (package fixtures/refserver).
//
//	swr-refserver -token T [-listen 127.0.0.1:8080] [-namespace NS [-repository REPO]]
//	              [-accounts a,b] [-fault f1,f2] [-dialect strict|lenient] [-quiet]
//	              [-rate-limit N [-rate-limit-retry-after]]
//
// On start it prints exactly one line to stdout,
//
//	swr-refserver listening on http://HOST:PORT
//
// which scripts parse (so -listen 127.0.0.1:0 is fine); the request log goes
// to stderr. SIGINT or SIGTERM shut it down gracefully. Bad flags exit 2.
//
// -rate-limit N puts the vendor's API gateway in front: N requests per
// second per X-Auth-Token at most, 429 beyond it (refserver.Options.RateLimit).
// At shutdown the server then says on stderr how many requests it answered
// and how many of them were 429.
//
// -fault help (or list) and -dialect help print the faults, each with the
// rule it breaks, or the dialects to stdout and exit 0; no other flag is
// needed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	settings "github.com/swr-conformance/swr-conformance/internal/config"
)

const tokenEnv = "SWR_REFSERVER_TOKEN"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// helpWords are the -fault and -dialect values that list the choices.
var helpWords = []string{"help", "list"}

type config struct {
	listen                string
	namespace, repository string
	quiet                 bool
	opts                  refserver.Options
}

// usageError is a bad command line: exit 2. hint, if set, replaces the
// usual "see -h".
type usageError struct{ msg, hint string }

func (e usageError) Error() string { return e.msg }

// parseArgs parses the command line. -h prints the usage to stderr, and
// -fault help or -dialect help the choices to stdout; both return
// flag.ErrHelp.
func parseArgs(args []string, stdout, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("swr-refserver", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one message of our own instead of the usage dump
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	fs.StringVar(&c.opts.Token, "token", "", "the only accepted X-Auth-Token (default $"+tokenEnv+")")
	fs.StringVar(&c.namespace, "namespace", "", "namespace to create at start")
	fs.StringVar(&c.repository, "repository", "", "repository to create at start in -namespace, '/' allowed")
	accounts := fs.String("accounts", "", "comma-separated accounts that exist (default: any)")
	faults := fs.String("fault", "", "comma-separated faults to switch on (help: list them)")
	dialect := fs.String("dialect", "strict", "strict or lenient (help: what each does)")
	fs.BoolVar(&c.quiet, "quiet", false, "no request log")
	fs.Float64Var(&c.opts.RateLimit, "rate-limit", 0, "at most `N` requests per second per X-Auth-Token, a burst of one second's worth; beyond it 429 "+
		"with the body of the vendor's API gateway and no Retry-After, as that gateway answers (0: no limit)")
	fs.BoolVar(&c.opts.RateLimitRetryAfter, "rate-limit-retry-after", false, "add Retry-After: 1 to the 429 of -rate-limit (the vendor's gateway sends none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: swr-refserver -token TOKEN [flags]")
			fs.PrintDefaults()
			return c, err
		}
		return c, usageError{msg: err.Error()}
	}
	// Before any other check: listing the choices needs no token.
	if listFaults, listDialects := isHelpWord(*faults), isHelpWord(*dialect); listFaults || listDialects {
		if listFaults {
			printFaults(stdout)
		}
		if listDialects {
			printDialects(stdout)
		}
		return c, flag.ErrHelp
	}
	bad := func(format string, a ...any) (config, error) { return c, usageError{msg: fmt.Sprintf(format, a...)} }
	if fs.NArg() > 0 {
		return bad("unexpected argument %q", fs.Arg(0))
	}
	if c.opts.Token == "" {
		c.opts.Token = os.Getenv(tokenEnv)
	}
	if c.opts.Token == "" {
		return bad("-token is required (or set %s)", tokenEnv)
	}
	if _, _, err := net.SplitHostPort(c.listen); err != nil {
		return bad("-listen %q: %v", c.listen, err)
	}
	if c.repository != "" && c.namespace == "" {
		return bad("-repository needs -namespace")
	}
	if r := c.opts.RateLimit; r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return bad("-rate-limit %v: want requests per second, 0 or more (0: no limit)", r)
	}
	if c.opts.RateLimitRetryAfter && c.opts.RateLimit == 0 {
		return bad("-rate-limit-retry-after needs -rate-limit")
	}
	for _, a := range strings.Split(*accounts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.opts.Accounts = append(c.opts.Accounts, a)
		}
	}
	if f, ok := unknownFault(*faults); ok {
		return c, unknownChoice("-fault", "fault", f, faultNames())
	}
	var err error
	if c.opts.Faults, err = refserver.ParseFaults(*faults); err != nil {
		return bad("-fault: %v", err)
	}
	if c.opts.Dialect, err = refserver.ParseDialect(*dialect); err != nil {
		return c, unknownChoice("-dialect", "dialect", *dialect, dialectNames())
	}
	return c, nil
}

func isHelpWord(s string) bool {
	for _, w := range helpWords {
		if strings.EqualFold(strings.TrimSpace(s), w) {
			return true
		}
	}
	return false
}

// dialects describes each dialect in one line, from fixtures/refserver/dialect.go.
var dialects = []struct {
	d    refserver.Dialect
	does string
}{
	{refserver.Strict, "the default: 404 for missing namespaces, repositories and shares; an error body is one " +
		`{"errorCode","errorMessage"} object; Content-Type must be application/json; existence is checked after the body; ` +
		"unpinned body values get 400, except extra fields, a null description and long descriptions"},
	{refserver.Lenient, "400 for missing namespaces, repositories and shares; an error body is an array of " +
		`{"errorCode","errorMessage"}; any Content-Type; existence is checked before the body; unpinned deadlines and ` +
		"permits are accepted, duplicate keys take the last value; extra fields, a null description and long descriptions get 400"},
}

func faultNames() []string {
	var names []string
	for _, f := range refserver.AllFaults() {
		names = append(names, string(f.Name))
	}
	return names
}

func dialectNames() []string {
	var names []string
	for _, d := range dialects {
		names = append(names, d.d.String())
	}
	return names
}

// printFaults writes one line per fault: its name, then the rule it breaks.
func printFaults(w io.Writer) {
	var rows [][2]string
	for _, f := range refserver.AllFaults() {
		rows = append(rows, [2]string{string(f.Name), f.Rule})
	}
	printColumns(w, rows)
}

func printDialects(w io.Writer) {
	var rows [][2]string
	for _, d := range dialects {
		rows = append(rows, [2]string{d.d.String(), d.does})
	}
	printColumns(w, rows)
}

// printColumns writes "NAME  text" lines with the names padded to one width.
func printColumns(w io.Writer, rows [][2]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s  %s\n", width, r[0], r[1])
	}
}

// unknownFault returns the first item of a -fault list that is not a fault,
// splitting the list the way refserver.ParseFaults does.
func unknownFault(commaList string) (string, bool) {
	known := map[string]bool{}
	for _, n := range faultNames() {
		known[n] = true
	}
	for _, item := range strings.Split(commaList, ",") {
		if item = strings.TrimSpace(item); item != "" && !known[item] {
			return item, true
		}
	}
	return "", false
}

// unknownChoice is the one-line error for a value that is none of names: it
// suggests the closest name when one is at most two edits away, and points to
// "FLAG help" instead of listing them all.
func unknownChoice(flagName, what, value string, names []string) usageError {
	msg := fmt.Sprintf("%s: unknown %s %q", flagName, what, value)
	if s, ok := closest(value, names, 2); ok {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usageError{msg: msg, hint: flagName + " help lists them"}
}

// closest returns the first of names with the fewest edits from s, if that
// is at most maxEdits.
func closest(s string, names []string, maxEdits int) (string, bool) {
	best, bestD := "", maxEdits+1
	for _, n := range names {
		if d := settings.EditDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best, bestD <= maxEdits
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseArgs(args, stdout, stderr)
	var ue usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue) && ue.hint != "":
		fmt.Fprintf(stderr, "swr-refserver: %v (%s)\n", err, ue.hint)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "swr-refserver: %v (see -h)\n", err)
		return 2
	}
	if !c.quiet {
		c.opts.Log = log.New(stderr, "", log.LstdFlags)
	}
	srv := refserver.New(c.opts)
	if c.namespace != "" {
		if err := srv.CreateNamespace(c.namespace); err != nil {
			fmt.Fprintf(stderr, "swr-refserver: -namespace: %v\n", err)
			return 2
		}
	}
	if c.repository != "" {
		// '$' is accepted too: it is how the repository appears in URLs.
		if err := srv.CreateRepository(c.namespace, strings.ReplaceAll(c.repository, "$", "/")); err != nil {
			fmt.Fprintf(stderr, "swr-refserver: -repository: %v\n", err)
			return 2
		}
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		fmt.Fprintf(stderr, "swr-refserver: -listen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "swr-refserver listening on http://%s\n", ln.Addr())
	if len(c.opts.Faults) > 0 || c.opts.Dialect != refserver.Strict {
		fmt.Fprintf(stderr, "swr-refserver: dialect %s, faults %v\n", c.opts.Dialect, c.opts.Faults)
	}
	if c.opts.RateLimit > 0 {
		retryAfter := "no Retry-After"
		if c.opts.RateLimitRetryAfter {
			retryAfter = "Retry-After: 1"
		}
		fmt.Fprintf(stderr, "swr-refserver: rate limit %g requests per second per token, 429 beyond it (%s)\n", c.opts.RateLimit, retryAfter)
		defer func() {
			st := srv.Stats()
			fmt.Fprintf(stderr, "swr-refserver: answered %d requests, %d of them 429 (rate limit)\n", st.Answered, st.Throttled)
		}()
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "swr-refserver: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "swr-refserver: shutdown: %v\n", err)
		return 1
	}
	return 0
}
