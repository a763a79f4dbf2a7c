// Command swr-refserver runs the suite's in-memory reference server for the
// image-sharing API (package fixtures/refserver).
//
//	swr-refserver -token T [-listen 127.0.0.1:8080] [-namespace NS [-repository REPO]]
//	              [-accounts a,b] [-fault f1,f2] [-dialect strict|lenient] [-quiet]
//
// On start it prints exactly one line to stdout,
//
//	swr-refserver listening on http://HOST:PORT
//
// which scripts parse (so -listen 127.0.0.1:0 is fine); the request log goes
// to stderr. SIGINT or SIGTERM shut it down gracefully. Bad flags exit 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
)

const tokenEnv = "SWR_REFSERVER_TOKEN"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

type config struct {
	listen                string
	namespace, repository string
	quiet                 bool
	opts                  refserver.Options
}

// usageError is a bad command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func parseArgs(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("swr-refserver", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one message of our own instead of the usage dump
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	fs.StringVar(&c.opts.Token, "token", "", "the only accepted X-Auth-Token (default $"+tokenEnv+")")
	fs.StringVar(&c.namespace, "namespace", "", "namespace to create at start")
	fs.StringVar(&c.repository, "repository", "", "repository to create at start in -namespace, '/' allowed")
	accounts := fs.String("accounts", "", "comma-separated accounts that exist (default: any)")
	faults := fs.String("fault", "", "comma-separated faults to switch on")
	dialect := fs.String("dialect", "strict", "strict or lenient")
	fs.BoolVar(&c.quiet, "quiet", false, "no request log")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: swr-refserver -token TOKEN [flags]")
			fs.PrintDefaults()
			return c, err
		}
		return c, usageError{err.Error()}
	}
	bad := func(format string, a ...any) (config, error) { return c, usageError{fmt.Sprintf(format, a...)} }
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
	for _, a := range strings.Split(*accounts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.opts.Accounts = append(c.opts.Accounts, a)
		}
	}
	var err error
	if c.opts.Faults, err = refserver.ParseFaults(*faults); err != nil {
		return bad("-fault: %v", err)
	}
	if c.opts.Dialect, err = refserver.ParseDialect(*dialect); err != nil {
		return bad("-dialect: %v", err)
	}
	return c, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseArgs(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
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
