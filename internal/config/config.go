// Package config reads the suite's settings from SWR_* environment variables
// and their flag twins, and checks them as a whole before any spec runs, so a
// wrong setting costs one message that names it instead of a wall of failing
// specs.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/swr-conformance/swr-conformance/generators/grammar"
)

// Defaults for the embedded reference server.
const (
	DefaultNamespace  = "conformance"
	DefaultRepository = "team/app"
	DefaultCases      = 25
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
}

// Embedded reports whether the run targets the in-process reference server.
func (c Config) Embedded() bool { return c.Endpoint == "" }

// setting is one configurable value: its variable, flag and meaning.
type setting struct {
	env, flag, usage string
	value            *string // set by the flag; "" means not given
}

// Settings binds the flag twins of every SWR_* variable. Call Bind before
// flag.Parse and Load after it.
type Settings struct {
	list []*setting
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
)

var known = []struct{ env, flag, usage string }{
	{EnvEndpoint, "swr.endpoint", "base URL of the target registry; unset: the embedded reference server"},
	{EnvToken, "swr.token", "X-Auth-Token for the target (prefer the environment variable: flags show in process lists)"},
	{EnvNamespace, "swr.namespace", "existing namespace the suite may share in (with SWR_PROVISION=false)"},
	{EnvRepository, "swr.repository", "existing repository in that namespace, '/' allowed (with SWR_PROVISION=false)"},
	{EnvAccounts, "swr.share-accounts", "comma-separated accounts set aside for the suite to share with"},
	{EnvProvision, "swr.provision", "true: create and remove a namespace and repositories of the run's own; default true for the embedded server, false otherwise"},
	{EnvCases, "swr.cases", "random cases per property spec (default 25)"},
}

// Bind registers the flag twins on fs.
func Bind(fs *flag.FlagSet) *Settings {
	s := &Settings{}
	for _, k := range known {
		st := &setting{env: k.env, flag: k.flag, usage: k.usage, value: new(string)}
		fs.StringVar(st.value, k.flag, "", k.usage+" (env "+k.env+")")
		s.list = append(s.list, st)
	}
	return s
}

// Load resolves every setting (flag over environment) and checks them
// together. The error lists every problem, each naming what to change.
func (s *Settings) Load(getenv func(string) string) (Config, error) {
	raw := map[string]string{}
	from := map[string]string{} // where each value came from, for messages
	for _, st := range s.list {
		if *st.value != "" {
			raw[st.env], from[st.env] = *st.value, "-"+st.flag
		} else if v := getenv(st.env); v != "" {
			raw[st.env], from[st.env] = v, st.env
		}
	}
	name := func(env string) string {
		if f, ok := from[env]; ok {
			return f
		}
		return env
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	c := Config{Cases: DefaultCases}
	if v := raw[EnvEndpoint]; v != "" {
		u, err := url.Parse(v)
		switch {
		case err != nil:
			fail("%s=%q is not a URL: %v", name(EnvEndpoint), v, err)
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
	if raw[EnvEndpoint] != "" && c.Token == "" {
		fail("%s is required with %s: set it to the X-Auth-Token of the account that owns the repository", EnvToken, name(EnvEndpoint))
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
			fail("%s and %s name an existing fixture, but provisioning is on (%s=true) and the suite creates its own: unset them, or set %s=false",
				EnvNamespace, EnvRepository, EnvProvision, EnvProvision)
		}
	} else {
		switch {
		case c.Namespace == "" && c.Repository == "" && c.Endpoint == "":
			c.Namespace, c.Repository = DefaultNamespace, DefaultRepository
		case c.Namespace == "" || c.Repository == "":
			fail("%s and %s are both required when %s=false: the suite shares an existing repository", EnvNamespace, EnvRepository, EnvProvision)
		}
		if c.Namespace != "" {
			if v := grammar.Namespace(c.Namespace); !v.Valid() {
				fail("%s=%q is not a valid namespace: %s", name(EnvNamespace), c.Namespace, v)
			}
		}
		if c.Repository != "" {
			if strings.Contains(c.Repository, "$") {
				fail("%s=%q: write the repository with '/', not '$'; the suite maps it for URLs", name(EnvRepository), c.Repository)
			} else if v := grammar.Repository(c.Repository); !v.Valid() {
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

	if len(problems) > 0 {
		return Config{}, &Error{Problems: problems}
	}
	return c, nil
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

// Summary describes the configuration for a person, secrets redacted.
func (c Config) Summary() string {
	target := c.Endpoint
	if c.Embedded() {
		target = "embedded reference server"
	}
	mode := fmt.Sprintf("existing fixture %s/%s", c.Namespace, c.Repository)
	if c.Provision {
		mode = "provisioning (the run creates and removes its own namespace and repositories)"
	}
	token := "not set"
	if c.Token != "" {
		token = "set (redacted)"
	}
	return fmt.Sprintf("target: %s\nmode: %s\nshare accounts: %s\ntoken: %s\ncases per property: %d",
		target, mode, strings.Join(c.Accounts, ", "), token, c.Cases)
}
