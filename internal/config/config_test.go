package config

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	s := Bind(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return s.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestEmbeddedDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() || !c.Provision || len(c.Accounts) == 0 || c.Cases != DefaultCases {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	c, err = load(t, map[string]string{EnvProvision: "false"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Provision || c.Namespace != DefaultNamespace || c.Repository != DefaultRepository {
		t.Fatalf("existing-fixture defaults: %+v", c)
	}
}

func TestRemote(t *testing.T) {
	env := map[string]string{EnvEndpoint: "https://swr.example.com/", EnvToken: "tok", EnvNamespace: "ns", EnvRepository: "team/app", EnvAccounts: "a, b"}
	c, err := load(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint != "https://swr.example.com" || c.Provision || c.Repository != "team/app" || strings.Join(c.Accounts, ",") != "a,b" {
		t.Fatalf("got %+v", c)
	}
	// A flag overrides its variable.
	c, err = load(t, env, "-swr.share-accounts=z")
	if err != nil || strings.Join(c.Accounts, ",") != "z" {
		t.Fatalf("flag did not override: %+v %v", c, err)
	}
}

// Every bad configuration is refused with a message naming what to fix.
func TestProblemsNameTheSetting(t *testing.T) {
	remote := func(kv ...string) map[string]string {
		env := map[string]string{EnvEndpoint: "https://swr.example.com", EnvToken: "t", EnvNamespace: "ns", EnvRepository: "repo", EnvAccounts: "a"}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	tests := []struct {
		env  map[string]string
		want string
	}{
		{remote(EnvToken, ""), "SWR_TOKEN is required"},
		{remote(EnvAccounts, ""), "SWR_SHARE_ACCOUNTS is required"},
		{remote(EnvAccounts, "a,,b"), "empty entry"},
		{remote(EnvAccounts, "a,a"), "twice"},
		{remote(EnvNamespace, ""), "SWR_NAMESPACE and SWR_REPOSITORY are both required"},
		{remote(EnvProvision, "true"), "unset them, or set SWR_PROVISION=false"},
		{remote(EnvProvision, "maybe"), "SWR_PROVISION=\"maybe\" must be true or false"},
		{remote(EnvEndpoint, "swr.example.com"), "must start with https://"},
		{remote(EnvEndpoint, "https://"), "has no host"},
		{remote(EnvEndpoint, "https://h/?q=1"), "without user info, query or fragment"},
		{remote(EnvNamespace, "Bad"), "SWR_NAMESPACE=\"Bad\" is not a valid namespace"},
		{remote(EnvRepository, "team$app"), "not '$'"},
		{remote(EnvCases, "0"), "SWR_CASES=\"0\" must be a whole number"},
		{remote(EnvConcurrency, "0"), "SWR_CONCURRENCY=\"0\" must be a whole number"},
		{remote(EnvRate, "-1"), "SWR_RATE=\"-1\" must be a number"},
		{remote(EnvTimeout, "30"), "SWR_TIMEOUT=\"30\" must be a positive duration"},
		{remote(EnvRunTimeout, "0s"), "SWR_RUN_TIMEOUT=\"0s\" must be a positive duration"},
		{remote(EnvInsecure, "yes please"), "SWR_INSECURE_SKIP_VERIFY=\"yes please\" must be true or false"},
		{remote(EnvIAMEndpoint, "https://iam.example.com"), "both give a credential"},
		{remote(EnvToken, "", EnvIAMEndpoint, "https://iam.example.com"), "SWR_USERNAME is not set: set it to the IAM user name"},
	}
	for _, tc := range tests {
		_, err := load(t, tc.env)
		if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: got %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
	// A flag's problem names the flag.
	_, err := load(t, remote(), "-swr.provision=nope")
	if err == nil || !strings.Contains(err.Error(), "-swr.provision") {
		t.Errorf("got %v, want the flag named", err)
	}
}

// An endpoint with user info is refused without echoing the password.
func TestEndpointPasswordNeverEchoed(t *testing.T) {
	for _, ep := range []string{"https://user:s3cr3t@swr.example.com", "https://user:s3cr3t@swr.example.com/%zz"} {
		_, err := load(t, map[string]string{EnvEndpoint: ep, EnvToken: "t", EnvNamespace: "ns", EnvRepository: "r", EnvAccounts: "a"})
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("endpoint %s: got %v", ep, err)
		}
	}
}

func TestSummaryHidesSecrets(t *testing.T) {
	c, err := load(t, map[string]string{EnvEndpoint: "https://h", EnvToken: "s3cr3t-token", EnvNamespace: "ns", EnvRepository: "r", EnvAccounts: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Summary(); strings.Contains(s, "s3cr3t") || !strings.Contains(s, "redacted") {
		t.Fatalf("summary leaks the token: %s", s)
	}
	c, err = load(t, map[string]string{EnvEndpoint: "https://h", EnvNamespace: "ns", EnvRepository: "r", EnvAccounts: "a",
		EnvIAMEndpoint: "https://iam", EnvUsername: "u", EnvPassword: "pa55word", EnvDomain: "d", EnvProject: "p", EnvInsecure: "true"})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Summary(); strings.Contains(s, "pa55word") || !strings.Contains(s, "NOT VERIFIED") {
		t.Fatalf("summary leaks the password or hides the TLS opt-out: %s", s)
	}
}

func TestUnknownVariables(t *testing.T) {
	got := UnknownVariables([]string{"SWR_ENDPIONT=x", "SWR_TOKEN=y", "PATH=/bin"})
	if len(got) != 1 || got[0] != "SWR_ENDPIONT" {
		t.Fatalf("got %v", got)
	}
}

// SWR_PROCS and SWR_GINKGO are read like the others, and refused with a
// message naming them.
func TestProcsAndGinkgoSettings(t *testing.T) {
	c, err := load(t, map[string]string{EnvProcs: "3", EnvGinkgo: " go tool ginkgo "})
	if err != nil || c.Procs != 3 || c.Ginkgo != "go tool ginkgo" {
		t.Fatalf("SWR_PROCS=3 SWR_GINKGO='go tool ginkgo': got procs %d, ginkgo %q, err %v", c.Procs, c.Ginkgo, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvProcs: "0"}, `SWR_PROCS="0" must be a whole number from 1 to 64`},
		{map[string]string{EnvProcs: "many"}, `SWR_PROCS="many" must be a whole number`},
		{map[string]string{EnvGinkgo: "  "}, `SWR_GINKGO="  " names no command`},
	} {
		if _, err := load(t, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: got %v, want an error containing %q (a bad value must stop the run, not be ignored)", tc.env, err, tc.want)
		}
	}
}

// The number of processes: the default, what was asked, and in
// existing-fixture mode never more than one per share account, by default
// one per account (UPDATE-ONLY-ITS-SHARE runs alone and borrows a second);
// whenever the number is not simply what was asked, one line says why.
func TestProcesses(t *testing.T) {
	accounts := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, "peer-"+string(rune('a'+i)))
		}
		return out
	}
	tests := []struct {
		name     string
		c        Config
		want     int
		wantNote string // "" means no note
	}{
		{"provisioning default", Config{Provision: true, Accounts: accounts(1)}, DefaultProcs, ""},
		{"provisioning asked", Config{Provision: true, Procs: 7, Accounts: accounts(1)}, 7, ""},
		{"existing default, 2 accounts", Config{Accounts: accounts(2)}, 2, "2 processes, not 4: existing-fixture mode gives each process a share account of its own, and SWR_SHARE_ACCOUNTS has 2"},
		{"existing default, 4 accounts", Config{Accounts: accounts(4)}, 4, ""},
		{"existing default, 8 accounts", Config{Accounts: accounts(8)}, 4, ""},
		{"existing default, 1 account", Config{Accounts: accounts(1)}, 1, "1 process, not 4"},
		{"existing asked more than accounts", Config{Procs: 6, Accounts: accounts(4)}, 4, "SWR_PROCS=6 capped at 4: existing-fixture mode needs a share account per process, and SWR_SHARE_ACCOUNTS has 4"},
		{"existing asked one per account", Config{Procs: 4, Accounts: accounts(4)}, 4, ""},
		{"existing asked two per account", Config{Procs: 2, Accounts: accounts(4)}, 2, ""},
		{"existing asked one", Config{Procs: 1, Accounts: accounts(1)}, 1, ""},
	}
	for _, tc := range tests {
		n, note := tc.c.Processes()
		if n != tc.want {
			t.Errorf("%s: %d processes, want %d", tc.name, n, tc.want)
		}
		switch {
		case tc.wantNote == "" && note != "":
			t.Errorf("%s: unexpected note %q: nothing differs from what was asked", tc.name, note)
		case tc.wantNote != "" && !strings.Contains(note, tc.wantNote):
			t.Errorf("%s: note %q, want it to contain %q: a run with fewer processes than asked must say why", tc.name, note, tc.wantNote)
		case strings.Contains(note, "\n"):
			t.Errorf("%s: note %q has more than one line", tc.name, note)
		}
	}
}

// -swr.help lists every setting on a line of its own, with its flag, its
// variable and what it does, and nothing of Ginkgo's or Go's flags.
func TestHelpListsEverySetting(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	s := Bind(fs)
	fs.Bool("ginkgo.v", false, "Ginkgo's")
	if err := fs.Parse([]string{"-swr.help"}); err != nil || !s.HelpWanted() {
		t.Fatalf("-swr.help: err %v, wanted %v", err, s.HelpWanted())
	}
	var b strings.Builder
	s.Help(&b)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if want := len(known) + 2; len(lines) != want {
		t.Errorf("help has %d lines, want %d (a heading, one per setting, one about Ginkgo's flags):\n%s", len(lines), want, b.String())
	}
	for _, k := range known {
		found := false
		for _, l := range lines {
			if strings.Contains(l, "-"+k.flag+" ") && strings.Contains(l, k.env+" ") && strings.Contains(l, k.usage) {
				found = true
			}
		}
		if !found {
			t.Errorf("no help line names -%s with %s and its meaning %q:\n%s", k.flag, k.env, k.usage, b.String())
		}
	}
	if strings.Contains(b.String(), "Ginkgo's\n") {
		t.Errorf("help lists Ginkgo's flags, which -h already does:\n%s", b.String())
	}
}

// A flag that is not defined gets one line naming the nearest one, instead
// of Go's full usage.
func TestFlagProblem(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Bind(fs)
	fs.String("ginkgo.label-filter", "", "Ginkgo's")
	tests := []struct{ args, want string }{
		{"-swr.endpiont=x", "-swr.endpiont is not a flag of this suite: did you mean -swr.endpoint?"},
		{"--swr.share-acounts=a", "-swr.share-acounts is not a flag of this suite: did you mean -swr.share-accounts?"},
		{"-ginkgo.lable-filter=auth", "did you mean -ginkgo.label-filter?"},
		{"-swr.nonsense=1", "-swr.nonsense is not a setting of this suite"},
		{"-wholly-unknown", "-wholly-unknown is not a flag of this suite"},
	}
	for _, tc := range tests {
		err := fs.Parse([]string{tc.args})
		if err == nil {
			t.Fatalf("%s parsed", tc.args)
		}
		got := FlagProblem(err, fs)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "\n") {
			t.Errorf("%s: got %q, want one line containing %q", tc.args, got, tc.want)
		}
	}
	if err := fs.Parse([]string{"-swr.help=maybe"}); err == nil || !strings.Contains(FlagProblem(err, fs), "invalid boolean value") {
		t.Errorf("a bad value: got %v, want Go's own one-line message", err)
	}
}

// Settings that point at a registry, with no endpoint to reach it, stop the
// run with one message that names them and the fix: the suite would
// otherwise test its embedded reference server and say "conforms".
func TestTargetSettingsWithoutEndpoint(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // the whole message
	}{
		{"endpoint empty", map[string]string{EnvEndpoint: ""}, nil,
			`SWR_ENDPOINT is empty: set it to the registry's base URL, or unset it to test the embedded reference server`},
		{"endpoint flag empty", nil, []string{"-swr.endpoint="}, // a flag given empty wins over its variable too
			`-swr.endpoint is empty: set it to the registry's base URL, or leave it out to test the embedded reference server`},
		{"endpoint flag empty over the variable", map[string]string{EnvEndpoint: "https://swr.example.com", EnvToken: "t", EnvAccounts: "a", EnvProvision: "true"}, []string{"-swr.endpoint="},
			`SWR_TOKEN and SWR_SHARE_ACCOUNTS point at a registry, but -swr.endpoint is empty: set -swr.endpoint to the registry's base URL, or remove them all to test the embedded reference server`},
		{"a token, no endpoint", map[string]string{EnvToken: "s3cr3t"}, nil,
			`SWR_TOKEN points at a registry, but SWR_ENDPOINT is not set: set SWR_ENDPOINT to the registry's base URL, or unset it to test the embedded reference server`},
		{"a fixture, endpoint empty", map[string]string{EnvEndpoint: "", EnvNamespace: "ns", EnvRepository: "team/app", EnvProvision: "false"}, nil,
			`SWR_NAMESPACE and SWR_REPOSITORY point at a registry, but SWR_ENDPOINT is empty: set SWR_ENDPOINT to the registry's base URL, or unset them all to test the embedded reference server`},
		{"one setting, endpoint empty", map[string]string{EnvEndpoint: "", EnvAccounts: "a"}, nil,
			`SWR_SHARE_ACCOUNTS points at a registry, but SWR_ENDPOINT is empty: set SWR_ENDPOINT to the registry's base URL, or unset both to test the embedded reference server`},
		{"a setting given empty", map[string]string{EnvToken: ""}, nil,
			`SWR_TOKEN="" points at a registry, but SWR_ENDPOINT is not set: set SWR_ENDPOINT to the registry's base URL, or unset it to test the embedded reference server`},
		{"IAM, no endpoint", map[string]string{EnvIAMEndpoint: "https://iam.example.com", EnvUsername: "u", EnvPassword: "pa55word", EnvDomain: "d", EnvProject: "p"}, nil,
			`SWR_IAM_ENDPOINT, SWR_USERNAME, SWR_PASSWORD, SWR_DOMAIN and SWR_PROJECT point at a registry, but SWR_ENDPOINT is not set: set SWR_ENDPOINT to the registry's base URL, or unset them to test the embedded reference server`},
		{"flags, no endpoint", nil, []string{"-swr.token=s3cr3t", "-swr.share-accounts=a"},
			`-swr.token and -swr.share-accounts point at a registry, but SWR_ENDPOINT is not set: set SWR_ENDPOINT to the registry's base URL, or leave them out to test the embedded reference server`},
		{"a flag and a variable", map[string]string{EnvNamespace: "ns"}, []string{"-swr.repository=team/app"},
			`SWR_NAMESPACE and -swr.repository point at a registry, but SWR_ENDPOINT is not set: set SWR_ENDPOINT to the registry's base URL, or remove them to test the embedded reference server`},
		// A nightly matrix entry without its endpoint: the workflow passes
		// every setting of a target, the unused ones empty.
		{"nightly entry without endpoint", map[string]string{EnvEndpoint: "", EnvToken: "s3cr3t", EnvIAMEndpoint: "", EnvUsername: "", EnvPassword: "", EnvDomain: "", EnvProject: "",
			EnvNamespace: "ns", EnvRepository: "team/app", EnvAccounts: "a,b", EnvProvision: "", EnvReportDir: "reports"}, nil,
			`SWR_TOKEN, SWR_NAMESPACE, SWR_REPOSITORY, SWR_SHARE_ACCOUNTS, SWR_IAM_ENDPOINT="", SWR_USERNAME="", SWR_PASSWORD="", SWR_DOMAIN="" and SWR_PROJECT="" point at a registry, but SWR_ENDPOINT is empty: set SWR_ENDPOINT to the registry's base URL, or unset them all to test the embedded reference server`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.env, tc.args...)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %+v, %v; want a configuration error: a run pointed at a registry without its endpoint would test the embedded server", c, err)
			}
			if len(e.Problems) != 1 || e.Problems[0] != tc.want {
				t.Fatalf("problems %q,\nwant the one message %q", e.Problems, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "pa55word") {
				t.Fatalf("the message shows a secret: %v", err)
			}
		})
	}
	// Each target setting, as a variable or as its flag, with the endpoint
	// unset or empty.
	flagOf := map[string]string{}
	for _, k := range known {
		flagOf[k.env] = k.flag
	}
	for _, env := range targetSettings {
		for _, tc := range []struct {
			env  map[string]string
			args []string
			want string
		}{
			{map[string]string{env: "x"}, nil, env + " points at a registry, but SWR_ENDPOINT is not set: "},
			{map[string]string{env: "x", EnvEndpoint: ""}, nil, env + " points at a registry, but SWR_ENDPOINT is empty: "},
			{nil, []string{"-" + flagOf[env] + "=x"}, "-" + flagOf[env] + " points at a registry, but SWR_ENDPOINT is not set: "},
			{nil, []string{"-" + flagOf[env] + "=x", "-swr.endpoint="}, "-" + flagOf[env] + " points at a registry, but -swr.endpoint is empty: "},
		} {
			_, err := load(t, tc.env, tc.args...)
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) != 1 || !strings.HasPrefix(e.Problems[0], tc.want) {
				t.Errorf("env %v, args %v: got %v, want one problem starting %q", tc.env, tc.args, err, tc.want)
			}
		}
	}

	// The run's own settings are still checked beside it.
	_, err := load(t, map[string]string{EnvToken: "t", EnvCases: "0"})
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 2 || !strings.Contains(err.Error(), "SWR_TOKEN points at a registry") || !strings.Contains(err.Error(), `SWR_CASES="0"`) {
		t.Fatalf("got %v, want the missing endpoint and SWR_CASES named, nothing more", err)
	}
}

// What stays legal: nothing pointing at a registry (the embedded server),
// with or without the run's own settings and SWR_PROVISION; and a registry
// target whose unused settings are given empty, as the nightly workflow
// passes them.
func TestEmbeddedAndNightlySettingsStayLegal(t *testing.T) {
	embedded := []map[string]string{
		nil,
		{EnvProvision: "false"},
		{EnvProvision: "true"},
		{EnvCases: "3", EnvConcurrency: "2", EnvRate: "10", EnvTimeout: "5s", EnvRunTimeout: "10m", EnvReportDir: "out",
			EnvComplete: "true", EnvProcs: "2", EnvGinkgo: "go tool ginkgo", EnvInsecure: "false"},
	}
	for _, env := range embedded {
		c, err := load(t, env)
		if err != nil || !c.Embedded() || c.Target() != EmbeddedTarget {
			t.Errorf("env %v: got %+v, %v; want the embedded reference server", env, c, err)
		}
	}
	nightly := func(kv ...string) map[string]string {
		env := map[string]string{EnvEndpoint: "https://swr.example.com/", EnvToken: "", EnvIAMEndpoint: "", EnvUsername: "", EnvPassword: "", EnvDomain: "", EnvProject: "",
			EnvNamespace: "", EnvRepository: "", EnvAccounts: "a,b", EnvProvision: "", EnvReportDir: "reports"}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, env := range []map[string]string{
		nightly(EnvToken, "t", EnvNamespace, "ns", EnvRepository, "team/app"),
		nightly(EnvIAMEndpoint, "https://iam.example.com", EnvUsername, "u", EnvPassword, "p", EnvDomain, "d", EnvProject, "r", EnvProvision, "true"),
	} {
		c, err := load(t, env)
		if err != nil || c.Embedded() || c.Target() != "https://swr.example.com" {
			t.Errorf("env %v: got %+v, %v; want the registry, its unused settings ignored", env, c, err)
		}
	}
}
