package config

import (
	"flag"
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
	return s.Load(func(k string) string { return env[k] })
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
		{remote(EnvToken, "", EnvIAMEndpoint, "https://iam.example.com"), "SWR_USERNAME is required to obtain a token from IAM"},
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
