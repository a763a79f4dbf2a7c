// Package config reads the suite's settings from SWR_* environment variables
// and their flag twins, and checks them as a whole before any spec runs, so a
// wrong setting costs one message that names it instead of a wall of failing
// specs.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/iam"
)

// Defaults for the embedded reference server.
const (
	DefaultNamespace   = "conformance"
	DefaultRepository  = "team/app"
	DefaultCases       = 25
	DefaultConcurrency = 4
	DefaultTimeout     = 30 * time.Second
	DefaultRunTimeout  = time.Hour
	DefaultReportDir   = "reports"
	// DefaultProcs is how many Ginkgo processes a run under the Ginkgo CLI
	// uses unless SWR_PROCS says otherwise (see Processes).
	DefaultProcs = 4
	// MaxProcs bounds SWR_PROCS.
	MaxProcs = 64
)

// DefaultAccounts are the accounts the embedded server is seeded with.
var DefaultAccounts = []string{"conformance-peer-1", "conformance-peer-2"}

// Config is the whole configuration of one run.
type Config struct {
	Endpoint   string   // base URL without trailing '/'; "" means the embedded reference server
	Token      string   // X-Auth-Token; never printed (see Summary)
	Namespace  string   // existing-fixture mode: the namespace to share in
	Repository string   // existing-fixture mode: the repository (logical form, may contain '/')
	Accounts   []string // accounts the suite may share with
	Provision  bool     // the suite creates and removes its own namespace and repositories
	Cases      int      // random cases per property spec

	Concurrency int           // requests of a property sent at once
	Rate        float64       // requests per second at most; 0: no cap
	Timeout     time.Duration // one request
	RunTimeout  time.Duration // the whole run
	Insecure    bool          // TLS certificates not verified (explicit opt-in)
	ReportDir   string        // where reports are written
	// RequireComplete: a run that leaves any requirement unchecked exits 3,
	// even when only the configuration left it out.
	RequireComplete bool

	IAM iam.Credentials // set: the suite obtains its own token

	// Procs is SWR_PROCS: the Ginkgo processes asked for; 0 when not set
	// (Processes gives the number a run uses).
	Procs int
	// Ginkgo is SWR_GINKGO: the command that runs the Ginkgo CLI, e.g.
	// "go tool ginkgo". When Processes() is more than one, the suite runs
	// itself under it; empty: under the CLI built into the suite binary.
	Ginkgo string
}

// Embedded reports whether the run targets the in-process reference server.
func (c Config) Embedded() bool { return c.Endpoint == "" }

// EmbeddedTarget is what a run against the in-process reference server
// calls its target.
const EmbeddedTarget = "the embedded reference server"

// Target names what the run tests, for the VERDICT line, the reports and
// the console: the endpoint as configured, or EmbeddedTarget. It carries
// no secret: Load refuses an endpoint with user info.
func (c Config) Target() string {
	if c.Embedded() {
		return EmbeddedTarget
	}
	return c.Endpoint
}

// setting is one configurable value: its variable, flag and meaning.
type setting struct {
	env, flag, usage string
	value            *string // set by the flag
}

// Settings binds the flag twins of every SWR_* variable. Call Bind before
// flag.Parse and Load after it.
type Settings struct {
	list []*setting
	help bool          // -swr.help
	fs   *flag.FlagSet // to tell a flag given empty (-swr.endpoint=) from one not given
}

// Names of the variables; users' CI files depend on them.
const (
	EnvEndpoint   = "SWR_ENDPOINT"
	EnvToken      = "SWR_TOKEN"
	EnvNamespace  = "SWR_NAMESPACE"
	EnvRepository = "SWR_REPOSITORY"
	EnvAccounts   = "SWR_SHARE_ACCOUNTS"
	EnvProvision  = "SWR_PROVISION"
	EnvCases      = "SWR_CASES"

	EnvConcurrency = "SWR_CONCURRENCY"
	EnvRate        = "SWR_RATE"
	EnvTimeout     = "SWR_TIMEOUT"
	EnvRunTimeout  = "SWR_RUN_TIMEOUT"
	EnvInsecure    = "SWR_INSECURE_SKIP_VERIFY"
	EnvReportDir   = "SWR_REPORT_DIR"
	EnvComplete    = "SWR_REQUIRE_COMPLETE"
	EnvProcs       = "SWR_PROCS"
	EnvGinkgo      = "SWR_GINKGO"

	// The IAM settings are package iam's, which names them in its messages.
	EnvIAMEndpoint = iam.EnvEndpoint
	EnvUsername    = iam.EnvUsername
	EnvPassword    = iam.EnvPassword
	EnvDomain      = iam.EnvDomain
	EnvProject     = iam.EnvProject
)

var known = []struct{ env, flag, usage string }{
	{EnvEndpoint, "swr.endpoint", "base URL of the target registry; unset: the embedded reference server"},
	{EnvToken, "swr.token", "X-Auth-Token for the target (prefer the environment variable: flags show in process lists)"},
	{EnvNamespace, "swr.namespace", "existing namespace the suite may share in (with SWR_PROVISION=false)"},
	{EnvRepository, "swr.repository", "existing repository in that namespace, '/' allowed (with SWR_PROVISION=false)"},
	{EnvAccounts, "swr.share-accounts", "comma-separated accounts set aside for the suite to share with"},
	{EnvProvision, "swr.provision", "true: create and remove a namespace and repositories of the run's own; default true for the embedded server, false otherwise"},
	{EnvCases, "swr.cases", "random cases per property spec (default 25)"},
	{EnvConcurrency, "swr.concurrency", "requests of a property spec sent at once (default 4); inputs stay the same at any value"},
	{EnvRate, "swr.rate", "requests per second at most (default: no cap)"},
	{EnvTimeout, "swr.timeout", "longest wait for one answer, e.g. 30s (default 30s)"},
	{EnvRunTimeout, "swr.run-timeout", "longest time for the whole run, e.g. 20m (default 1h)"},
	{EnvInsecure, "swr.insecure-skip-verify", "true: do not verify the target's TLS certificate (reported on every run)"},
	{EnvReportDir, "swr.report-dir", "directory for junit.xml, results.json, summary.md, report.html (default reports)"},
	{EnvComplete, "swr.require-complete", "true: a run that leaves any requirement unchecked exits 3 (default false: only a problem of the run does)"},
	{EnvGinkgo, "swr.ginkgo", "command of the Ginkgo CLI the parallel processes run under, e.g. 'go tool ginkgo' (make conformance sets it; unset: the CLI built into the suite)"},
	{EnvProcs, "swr.procs", "parallel processes (default 4 on the embedded server; existing fixture: one per share account, at most 4; provisioning on a registry: 1); 1: one process, no CLI"},
	{EnvIAMEndpoint, "swr.iam-endpoint", "IAM base URL: the suite obtains its own token instead of SWR_TOKEN"},
	{EnvUsername, "swr.username", "IAM user name (with SWR_IAM_ENDPOINT)"},
	{EnvPassword, "swr.password", "IAM password (with SWR_IAM_ENDPOINT; prefer the variable)"},
	{EnvDomain, "swr.domain", "IAM account (domain) name (with SWR_IAM_ENDPOINT)"},
	{EnvProject, "swr.project", "IAM project name, e.g. the region (with SWR_IAM_ENDPOINT)"},
}

// Bind registers the flag twins on fs.
func Bind(fs *flag.FlagSet) *Settings {
	s := &Settings{fs: fs}
	for _, k := range known {
		st := &setting{env: k.env, flag: k.flag, usage: k.usage, value: new(string)}
		fs.StringVar(st.value, k.flag, "", k.usage+" (env "+k.env+")")
		s.list = append(s.list, st)
	}
	fs.BoolVar(&s.help, HelpFlag, false, "list the suite's own settings, one line each, and exit")
	return s
}

// HelpFlag lists the suite's settings (see Help).
const HelpFlag = "swr.help"

// HelpWanted reports whether -swr.help was given.
func (s *Settings) HelpWanted() bool { return s.help }

// Help writes the suite's own settings, one line each: the flag, its
// variable and what it does. Go's -h lists every flag, Ginkgo's and the
// testing package's included, which buries these.
func (s *Settings) Help(w io.Writer) {
	fmt.Fprintln(w, "swr-conformance settings: set the variable, or the flag (a flag wins over its variable)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, st := range s.list {
		fmt.Fprintf(tw, "  -%s\t%s\t%s\n", st.flag, st.env, st.usage)
	}
	tw.Flush()
	fmt.Fprintln(w, "Ginkgo's flags work as usual (-ginkgo.label-filter=auth, -ginkgo.focus=..., -ginkgo.seed=N, -ginkgo.v); -h lists every flag.")
}

// targetSettings point a run at a registry. Given without SWR_ENDPOINT
// they stop the run: the suite would test its embedded reference server
// instead, and say "conforms" of a registry it never reached.
var targetSettings = []string{EnvToken, EnvNamespace, EnvRepository, EnvAccounts,
	EnvIAMEndpoint, EnvUsername, EnvPassword, EnvDomain, EnvProject}

// given is a setting as the command line or the environment gave it.
type given struct {
	value string
	from  string // "-swr.token" or "SWR_TOKEN", for messages
	flag  bool
}

// Load resolves every setting (a flag given wins over its variable) and
// checks them together. The error lists every problem, each naming what to
// change. lookupEnv is os.LookupEnv: a variable set to "" is told from one
// that is not set, since SWR_ENDPOINT="" (a CI matrix entry without its
// endpoint, say) must stop the run rather than test the embedded server.
// Beyond that check an empty value counts as not set, as CI files that
// pass every setting of a target, used or not, need.
func (s *Settings) Load(lookupEnv func(string) (string, bool)) (Config, error) {
	flagGiven := map[string]bool{}
	s.fs.Visit(func(f *flag.Flag) { flagGiven[f.Name] = true })
	present := map[string]given{} // every setting given, even empty
	for _, st := range s.list {
		if flagGiven[st.flag] {
			present[st.env] = given{*st.value, "-" + st.flag, true}
		} else if v, ok := lookupEnv(st.env); ok {
			present[st.env] = given{v, st.env, false}
		}
	}
	raw := map[string]string{} // the settings given a value
	for env, g := range present {
		if g.value != "" {
			raw[env] = g.value
		}
	}
	name := func(env string) string {
		if g, ok := present[env]; ok {
			return g.from
		}
		return env
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if msg := pointedNowhere(present); msg != "" {
		// One message: the checks of the target's settings would only
		// repeat that there is no target.
		problems = append(problems, msg)
		for _, env := range targetSettings {
			delete(raw, env)
		}
	}

	c := Config{Cases: DefaultCases, Concurrency: DefaultConcurrency, Timeout: DefaultTimeout,
		RunTimeout: DefaultRunTimeout, ReportDir: DefaultReportDir}
	if raw := raw[EnvEndpoint]; raw != "" {
		u, err := url.Parse(raw)
		v := redactUserInfo(raw) // an endpoint may carry a password: never echo it
		switch {
		case err != nil:
			fail("%s=%q is not a URL", name(EnvEndpoint), v)
		case u.Scheme != "http" && u.Scheme != "https":
			fail("%s=%q must start with https:// or http://", name(EnvEndpoint), v)
		case u.Host == "":
			fail("%s=%q has no host", name(EnvEndpoint), v)
		case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
			fail("%s=%q must be a plain base URL, without user info, query or fragment", name(EnvEndpoint), v)
		default:
			c.Endpoint = strings.TrimRight(u.String(), "/")
		}
	}
	c.Token = raw[EnvToken]
	c.IAM = iam.Credentials{Endpoint: raw[EnvIAMEndpoint], Username: raw[EnvUsername], Password: raw[EnvPassword], Domain: raw[EnvDomain], Project: raw[EnvProject]}
	iamAny := c.IAM != iam.Credentials{}
	switch {
	case iamAny && c.Token != "":
		fail("%s and %s both give a credential: set one (IAM obtains a fresh token for each run)", name(EnvToken), EnvIAMEndpoint)
	case iamAny:
		if err := c.IAM.Validate(); err != nil {
			fail("%v (%s, %s, %s, %s and %s go together)", err, EnvIAMEndpoint, EnvUsername, EnvPassword, EnvDomain, EnvProject)
		}
	case raw[EnvEndpoint] != "" && c.Token == "":
		fail("%s is required with %s: set it to the X-Auth-Token of the account that owns the repository, or obtain one with %s", EnvToken, name(EnvEndpoint), EnvIAMEndpoint)
	}

	if v, ok := raw[EnvProvision]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail("%s=%q must be true or false", name(EnvProvision), v)
		}
		c.Provision = b
	} else {
		c.Provision = raw[EnvEndpoint] == ""
	}

	c.Namespace, c.Repository = raw[EnvNamespace], raw[EnvRepository]
	if c.Provision {
		if c.Namespace != "" || c.Repository != "" {
			// Only on a registry: with no endpoint, pointedNowhere has
			// refused these settings already.
			var gave []string
			for _, env := range []string{EnvNamespace, EnvRepository} {
				if _, ok := raw[env]; ok {
					gave = append(gave, name(env))
				}
			}
			verb, them := "names", "it"
			if len(gave) > 1 {
				verb, them = "name", "them"
			}
			fail("%s %s an existing fixture, but provisioning is on (%s=true): unset %s, or set %s=false", joinAnd(gave), verb, name(EnvProvision), them, name(EnvProvision))
		}
	} else {
		switch {
		case c.Namespace == "" && c.Repository == "" && c.Endpoint == "":
			c.Namespace, c.Repository = DefaultNamespace, DefaultRepository
		case c.Namespace == "" || c.Repository == "":
			fail("%s and %s are both required when %s=false: the suite shares an existing repository", EnvNamespace, EnvRepository, EnvProvision)
		}
		if c.Namespace != "" {
			if v := contract.Namespace.Check(c.Namespace); !v.Valid() {
				fail("%s=%q is not a valid namespace: %s", name(EnvNamespace), c.Namespace, v)
			}
		}
		if c.Repository != "" {
			if strings.Contains(c.Repository, "$") {
				fail("%s=%q: write the repository with '/', not '$'; the suite maps it for URLs", name(EnvRepository), c.Repository)
			} else if v := contract.Repository.Check(c.Repository); !v.Valid() {
				fail("%s=%q is not a valid repository: %s", name(EnvRepository), c.Repository, v)
			}
		}
	}

	if v := raw[EnvAccounts]; v != "" {
		seen := map[string]bool{}
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			switch {
			case a == "":
				fail("%s=%q has an empty entry", name(EnvAccounts), v)
			case seen[a]:
				fail("%s=%q names %q twice", name(EnvAccounts), v, a)
			default:
				seen[a] = true
				c.Accounts = append(c.Accounts, a)
			}
		}
	} else if c.Endpoint == "" {
		c.Accounts = append([]string(nil), DefaultAccounts...)
	} else {
		fail("%s is required with %s: name one or more accounts that exist on the target and are set aside for the suite to share with", EnvAccounts, name(EnvEndpoint))
	}

	if v, ok := raw[EnvCases]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			fail("%s=%q must be a whole number from 1 to 100000", name(EnvCases), v)
		} else {
			c.Cases = n
		}
	}

	if v, ok := raw[EnvConcurrency]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 {
			fail("%s=%q must be a whole number from 1 to 256", name(EnvConcurrency), v)
		} else {
			c.Concurrency = n
		}
	}
	if v, ok := raw[EnvRate]; ok {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || r != r {
			fail("%s=%q must be a number of requests per second, 0 for no cap", name(EnvRate), v)
		} else {
			c.Rate = r
		}
	}
	for _, d := range []struct {
		env string
		to  *time.Duration
	}{{EnvTimeout, &c.Timeout}, {EnvRunTimeout, &c.RunTimeout}} {
		if v, ok := raw[d.env]; ok {
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				fail("%s=%q must be a positive duration such as 30s or 5m", name(d.env), v)
			} else {
				*d.to = t
			}
		}
	}
	if v, ok := raw[EnvInsecure]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail("%s=%q must be true or false", name(EnvInsecure), v)
		}
		c.Insecure = b
	}
	if v, ok := raw[EnvReportDir]; ok {
		c.ReportDir = v
	}
	if v, ok := raw[EnvComplete]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail("%s=%q must be true or false", name(EnvComplete), v)
		}
		c.RequireComplete = b
	}

	if v, ok := raw[EnvProcs]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxProcs {
			fail("%s=%q must be a whole number from 1 to %d", name(EnvProcs), v, MaxProcs)
		} else {
			c.Procs = n
		}
	}
	if v, ok := raw[EnvGinkgo]; ok {
		if strings.TrimSpace(v) == "" {
			fail("%s=%q names no command: set it to the Ginkgo CLI, e.g. 'go tool ginkgo', or unset it", name(EnvGinkgo), v)
		}
		c.Ginkgo = strings.TrimSpace(v)
	}

	if len(problems) > 0 {
		return Config{}, &Error{Problems: problems}
	}
	return c, nil
}

// ReportDir is where the reports go, read on its own: a run stopped by a
// configuration error still writes its reports (saying "no run" and why),
// so a CI job that uploads them finds them. The flag wins over the
// variable, as in Load; unset, DefaultReportDir.
func (s *Settings) ReportDir(lookup func(string) (string, bool)) string {
	for _, st := range s.list {
		if st.env != EnvReportDir {
			continue
		}
		if *st.value != "" {
			return *st.value
		}
		if v, ok := lookup(EnvReportDir); ok && v != "" {
			return v
		}
	}
	return DefaultReportDir
}

// Processes is how many Ginkgo processes a run under the Ginkgo CLI uses,
// and, when that is not simply what was asked for, one line that says why.
//
// The default is DefaultProcs. In existing-fixture mode the processes split
// SWR_SHARE_ACCOUNTS between them (a share of one account is one spec's at
// a time), so there are never more processes than accounts: by default one
// per account, at most DefaultProcs. A process with a single account still
// checks UPDATE-ONLY-ITS-SHARE (two shares at once): that spec runs alone,
// on process 1 after the others have finished (Ginkgo's Serial), and takes
// its second account from the whole list.
func (c Config) Processes() (n int, note string) {
	if c.Provision {
		switch {
		case c.Procs > 0:
			return c.Procs, ""
		case c.Embedded():
			return DefaultProcs, ""
		}
		// Each process provisions a namespace of its own, and a registry
		// may cap an account's namespaces: more is the user's choice.
		return 1, fmt.Sprintf("1 process: provisioning on a registry creates a namespace per process, and a registry may cap them; %s=N asks for N", EnvProcs)
	}
	accounts := len(c.Accounts)
	switch {
	case c.Procs == 0:
		n = max(1, min(DefaultProcs, accounts))
		if n < DefaultProcs {
			note = fmt.Sprintf("%s, not %d: existing-fixture mode gives each process a share account of its own, and %s has %d; name more accounts for more processes", plural(n, "process"), DefaultProcs, EnvAccounts, accounts)
		}
	case c.Procs > accounts:
		n = accounts
		note = fmt.Sprintf("%s=%d capped at %d: existing-fixture mode needs a share account per process, and %s has %d", EnvProcs, c.Procs, n, EnvAccounts, accounts)
	default:
		n = c.Procs
	}
	return n, note
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// FlagProblem says in one line what is wrong with the command line, given
// the error of fs.Parse: a flag that is not defined is named with the
// nearest one that is (within two edits), the way a misspelled SWR_*
// variable is. Go's flag package would print every flag instead, hundreds
// of lines with the suite's settings buried among Ginkgo's and Go's.
func FlagProblem(err error, fs *flag.FlagSet) string {
	msg := err.Error()
	name, undefined := strings.CutPrefix(msg, "flag provided but not defined: -")
	if !undefined {
		return msg
	}
	name = strings.TrimPrefix(name, "-")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if near := Closest(name, names); near != "" {
		return fmt.Sprintf("-%s is not a flag of this suite: did you mean -%s?", name, near)
	}
	if strings.HasPrefix(name, "swr.") {
		return fmt.Sprintf("-%s is not a setting of this suite", name)
	}
	return fmt.Sprintf("-%s is not a flag of this suite", name)
}

// FlagHint is the line after a FlagProblem: where the settings are listed.
const FlagHint = "-" + HelpFlag + " lists the suite's settings, -h every flag (Ginkgo's and Go's too)"

// pointedNowhere is the problem of a run whose settings point at a
// registry but that has no endpoint to reach it (SWR_ENDPOINT unset, or
// set to ""), or "" when there is none. A setting given empty counts: a CI
// file that passes SWR_TOKEN from a secret meant a registry, whatever the
// secret held.
func pointedNowhere(present map[string]given) string {
	ep, epGiven := present[EnvEndpoint]
	if epGiven && ep.value != "" {
		return ""
	}
	var pointing []string
	flags, vars := 0, 0
	for _, env := range targetSettings {
		g, ok := present[env]
		if !ok {
			continue
		}
		text := g.from
		if g.value == "" {
			text += `=""`
		}
		pointing = append(pointing, text)
		if g.flag {
			flags++
		} else {
			vars++
		}
	}
	endpoint, state := EnvEndpoint, "is not set"
	if epGiven {
		endpoint, state = ep.from, "is empty"
		if ep.flag {
			flags++
		} else {
			vars++
		}
	}
	// How to take the settings away: variables are unset, flags left out.
	drop := func(them string) string {
		switch {
		case flags == 0:
			return "unset " + them
		case vars == 0:
			return "leave " + them + " out"
		}
		return "remove " + them
	}
	switch {
	case len(pointing) == 0 && !epGiven:
		return "" // nothing points anywhere: the embedded reference server
	case len(pointing) == 0:
		return fmt.Sprintf("%s %s: set it to the registry's base URL, or %s to test the embedded reference server", endpoint, state, drop("it"))
	}
	verb := "points"
	if len(pointing) > 1 {
		verb = "point"
	}
	them := "it"
	if n := len(pointing); epGiven {
		them = "them all"
		if n == 1 {
			them = "both"
		}
	} else if n > 1 {
		them = "them"
	}
	return fmt.Sprintf("%s %s at a registry, but %s %s: set %s to the registry's base URL, or %s to test the embedded reference server",
		joinAnd(pointing), verb, endpoint, state, endpoint, drop(them))
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// redactUserInfo hides whatever stands between "://" and "@" in a URL.
func redactUserInfo(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 && !strings.ContainsAny(rest[:at], "/?#") {
		return scheme + "://[REDACTED]@" + rest[at+1:]
	}
	return s
}

// Error is a configuration that cannot run.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "configuration: " + e.Problems[0]
	}
	return "configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// IsConfigError reports whether err is a configuration problem.
func IsConfigError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// Misspelled checks the SWR_* variables of environ that the suite does not
// read. One within two edits of a known setting is almost surely a typo
// that would quietly change the run (SWR_ENDPIONT alone would test the
// embedded server and say "conforms"): it is an error that names the
// setting meant. The others are warnings, for the console and the reports.
func Misspelled(environ []string) (warnings []string, err error) {
	var problems []string
	for _, v := range UnknownVariables(environ) {
		if near := Closest(v, knownVariables()); near != "" {
			problems = append(problems, fmt.Sprintf("%s is not a setting of this suite: did you mean %s?", v, near))
			continue
		}
		warnings = append(warnings, v+" is not a setting of this suite and is ignored")
	}
	if len(problems) > 0 {
		return warnings, &Error{Problems: problems}
	}
	return warnings, nil
}

// Variables are the names of every SWR_* variable the suite reads.
func Variables() []string { return knownVariables() }

func knownVariables() []string {
	out := make([]string, len(known))
	for i, k := range known {
		out[i] = k.env
	}
	return out
}

// Closest returns the candidate within two edits of s (the nearest, the
// first of equals), or "" when none is that close.
func Closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := EditDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance in runes, counting a swap of
// two neighbours as one edit (ENDPIONT is one edit from ENDPOINT): the one
// measure of "did you mean" for settings, flags and fault names.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// UnknownVariables lists SWR_* variables in environ that the suite does not
// read: usually a typo that would otherwise silently do nothing.
func UnknownVariables(environ []string, extra ...string) []string {
	ok := map[string]bool{}
	for _, k := range known {
		ok[k.env] = true
	}
	for _, e := range extra {
		ok[e] = true
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SWR_") && !ok[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Settings lists the configuration for people and reports, secrets
// redacted, in a fixed order.
func (c Config) Settings() [][2]string {
	mode := fmt.Sprintf("existing fixture %s/%s", c.Namespace, c.Repository)
	if c.Provision {
		mode = "provisioning (the run creates and removes its own namespace and repositories)"
	}
	credential := "none"
	switch {
	case c.Embedded():
		credential = "a random token of the embedded server (redacted)"
	case c.IAM.Set():
		credential = fmt.Sprintf("token from IAM %s as %s/%s, project %s (password redacted)", c.IAM.Endpoint, c.IAM.Domain, c.IAM.Username, c.IAM.Project)
	case c.Token != "":
		credential = "SWR_TOKEN (redacted)"
	}
	rate := "no cap"
	if c.Rate > 0 {
		rate = fmt.Sprintf("%g requests/s", c.Rate)
	}
	tls := "verified"
	if c.Insecure {
		tls = "NOT VERIFIED (SWR_INSECURE_SKIP_VERIFY=true)"
	}
	return [][2]string{
		{"target", c.Target()},
		{"mode", mode},
		{"share accounts", strings.Join(c.Accounts, ", ")},
		{"credential", credential},
		{"TLS certificates", tls},
		{"cases per property", fmt.Sprint(c.Cases)},
		{"concurrency", fmt.Sprint(c.Concurrency)},
		{"rate", rate},
		{"request timeout", c.Timeout.String()},
		{"run timeout", c.RunTimeout.String()},
		{"reports", absolute(c.ReportDir)},
		{"require complete", fmt.Sprint(c.RequireComplete)},
	}
}

// absolute is dir as an absolute path where it can be made one: a header
// that says "reports: reports" leaves the reader to guess from where.
func absolute(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// Summary describes the configuration for a person, secrets redacted.
func (c Config) Summary() string {
	var lines []string
	for _, kv := range c.Settings() {
		lines = append(lines, kv[0]+": "+kv[1])
	}
	return strings.Join(lines, "\n")
}
