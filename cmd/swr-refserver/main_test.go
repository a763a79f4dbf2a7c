package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/fixtures/refserver"
	settings "github.com/swr-conformance/swr-conformance/internal/config"
)

func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		env  string
		want string // in stderr
	}{
		{nil, "", "-token is required"},
		{[]string{"-token", ""}, "", "-token is required"},
		{[]string{"-token", "t", "-repository", "team/app"}, "", "-repository needs -namespace"},
		{[]string{"-token", "t", "-fault", "create-200,bogus"}, "", `-fault: unknown fault "bogus"`},
		{[]string{"-token", "t", "-dialect", "loose"}, "", "-dialect"},
		{[]string{"-token", "t", "-listen", "8080"}, "", "-listen"},
		{[]string{"-token", "t", "-nope"}, "", "-nope"},
		{[]string{"-token", "t", "extra"}, "", `unexpected argument "extra"`},
		{[]string{"-token", "t", "-quiet=maybe"}, "", "-quiet"},
		{[]string{"-token", "t", "-namespace", "1A"}, "", "-namespace"},
		{[]string{"-token", "t", "-namespace", "ns", "-repository", "team//app"}, "", "-repository"},
		{[]string{"-namespace", "ns", "-repository", "a-"}, "env-token", "-repository"},
		{[]string{"-token", "t", "-rate-limit", "-1"}, "", "-rate-limit -1: want requests per second"},
		{[]string{"-token", "t", "-rate-limit", "NaN"}, "", "-rate-limit NaN"},
		{[]string{"-token", "t", "-rate-limit", "+Inf"}, "", "-rate-limit +Inf"},
		{[]string{"-token", "t", "-rate-limit", "fast"}, "", "-rate-limit"},
		{[]string{"-token", "t", "-rate-limit-retry-after"}, "", "-rate-limit-retry-after needs -rate-limit"},
	}
	for _, tc := range tests {
		t.Setenv(tokenEnv, tc.env)
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 ||
			strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %s", tc.args, code, stdout.String(), stderr.String(), tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-token") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestParseArgs(t *testing.T) {
	t.Setenv(tokenEnv, "from-env")
	c, err := parseArgs([]string{"-accounts", " a, b ,,", "-fault", "create-200, auth-403", "-dialect", "lenient", "-listen", "[::1]:0"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.Token != "from-env" || strings.Join(c.opts.Accounts, ",") != "a,b" || len(c.opts.Faults) != 2 ||
		c.opts.Dialect.String() != "lenient" || c.listen != "[::1]:0" {
		t.Errorf("config %+v", c)
	}
	c, err = parseArgs([]string{"-token", "flag"}, io.Discard, io.Discard)
	if err != nil || c.opts.Token != "flag" || c.listen != "127.0.0.1:8080" || c.opts.Dialect.String() != "strict" ||
		c.opts.RateLimit != 0 || c.opts.RateLimitRetryAfter {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	c, err = parseArgs([]string{"-token", "flag", "-rate-limit", "2.5", "-rate-limit-retry-after"}, io.Discard, io.Discard)
	if err != nil || c.opts.RateLimit != 2.5 || !c.opts.RateLimitRetryAfter {
		t.Errorf("-rate-limit 2.5 -rate-limit-retry-after: %+v, %v", c.opts, err)
	}
}

// TestFaultHelp: -fault help (or list) needs no other flag and prints one
// line per fault, the name then the rule it breaks, to stdout.
func TestFaultHelp(t *testing.T) {
	t.Setenv(tokenEnv, "")
	faults := refserver.AllFaults()
	for _, args := range [][]string{{"-fault", "help"}, {"-fault", "list"}, {"-fault=help", "-listen", "bad"}} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if code != 0 || stderr.Len() != 0 || len(lines) != len(faults) {
			t.Fatalf("%q: exit %d, %d lines for %d faults, stderr %q", args, code, len(lines), len(faults), stderr.String())
		}
		column := -1
		for i, f := range faults {
			name, breaks, ok := strings.Cut(lines[i], "  ")
			if !ok || name != string(f.Name) || strings.TrimLeft(breaks, " ") != f.Rule {
				t.Errorf("%q: line %d is %q; want %s and %q", args, i+1, lines[i], f.Name, f.Rule)
				continue
			}
			// The texts start in one column.
			if c := strings.Index(lines[i], f.Rule); column == -1 {
				column = c
			} else if c != column {
				t.Errorf("%q: line %d: text starts at byte %d, line 1 at %d", args, i+1, c, column)
			}
		}
	}
}

func TestDialectHelp(t *testing.T) {
	t.Setenv(tokenEnv, "")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dialect", "help"}, &stdout, &stderr)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if code != 0 || stderr.Len() != 0 || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "strict   ") || !strings.HasPrefix(lines[1], "lenient  ") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 0 and a strict and a lenient line", code, stdout.String(), stderr.String())
	}
	for _, d := range dialects { // every name listed is one ParseDialect takes
		if p, err := refserver.ParseDialect(d.d.String()); err != nil || p != d.d {
			t.Errorf("dialect %v: ParseDialect gives %v, %v", d.d, p, err)
		}
	}
}

// TestUnknownChoice: a bad -fault or -dialect value is one line on stderr,
// exit 2, with the closest name if it is within two edits and never the
// whole list.
func TestUnknownChoice(t *testing.T) {
	tests := []struct {
		args       []string
		want       string // in stderr
		suggestion string // "": none
	}{
		{[]string{"-fault", "update-20"}, `-fault: unknown fault "update-20"`, "update-200"},
		{[]string{"-fault", "create-200, udpate-200"}, `-fault: unknown fault "udpate-200"`, "update-200"},
		{[]string{"-fault", "Auth-4O3"}, `-fault: unknown fault "Auth-4O3"`, "auth-403"},
		{[]string{"-fault", "bogus"}, `-fault: unknown fault "bogus"`, ""},
		{[]string{"-fault", "helps"}, `-fault: unknown fault "helps"`, ""},
		{[]string{"-dialect", "strct"}, `-dialect: unknown dialect "strct"`, "strict"},
		{[]string{"-dialect", "loose"}, `-dialect: unknown dialect "loose"`, ""},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"-token", "t"}, tc.args...), &stdout, &stderr)
		out := stderr.String()
		hint := "(" + tc.args[0] + " help lists them)"
		ok := code == 2 && stdout.Len() == 0 && strings.Count(strings.TrimSpace(out), "\n") < 2 &&
			strings.Contains(out, tc.want) && strings.Contains(out, hint) &&
			!strings.Contains(out, "auth-missing-accepted") && !strings.Contains(out, "valid")
		if tc.suggestion != "" {
			ok = ok && strings.Contains(out, `; did you mean "`+tc.suggestion+`"?`)
		} else {
			ok = ok && !strings.Contains(out, "did you mean")
		}
		if !ok {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, at most 2 lines naming %s, suggesting %q and %s",
				tc.args, code, stdout.String(), out, tc.want, tc.suggestion, hint)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"update-200", "update-200", 0},
		{"update-20", "update-200", 1},   // insertion
		{"update-2000", "update-200", 1}, // deletion
		{"update-201", "update-200", 1},  // substitution
		{"udpate-200", "update-200", 1},  // a swap of neighbours is one edit, as for the suite's settings
		{"kitten", "sitting", 3},
		{"§2", "§3", 1}, // runes, not bytes
	}
	for _, tc := range tests {
		if got := settings.EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := settings.EditDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
	if s, ok := closest("update-20", []string{"update-204", "update-200"}, 2); !ok || s != "update-204" {
		t.Errorf("closest: %q, %v; want the first of equally close names", s, ok)
	}
	if s, ok := closest("abc", []string{"xyzabc"}, 2); ok {
		t.Errorf("closest: %q three edits away suggested", s)
	}
}

// syncBuffer is written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- serve(ctx, []string{"-listen", "127.0.0.1:0", "-token", "tok", "-namespace", "ns",
			"-repository", "team/app", "-accounts", "bob"}, stdoutW, &stderr)
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v; stderr %s", err, stderr.String())
	}
	m := regexp.MustCompile(`^swr-refserver listening on (http://127\.0\.0\.1:[1-9][0-9]*)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start line %q", line)
	}
	go io.Copy(io.Discard, stdoutR) // nothing more may come, but never block the server

	req, _ := http.NewRequest("POST", m[1]+"/v2/manage/namespaces/ns/repositories/team$app/access-domains",
		strings.NewReader(`{"access_domain":"bob","permit":"read","deadline":"forever"}`))
	req.Header.Set("X-Auth-Token", "tok")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("create: %d", resp.StatusCode)
	}

	shutdown(t, cancel, exit, &stderr)
	log := stderr.String()
	if !strings.Contains(log, "POST /v2/manage/namespaces/ns/repositories/team$app/access-domains 201") || strings.Contains(log, "tok ") {
		t.Errorf("request log: %q", log)
	}
}

func TestListenInUse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		exit <- serve(ctx, []string{"-listen", "127.0.0.1:0", "-token", "t", "-quiet"}, stdoutW, io.Discard)
		stdoutW.Close()
	}()
	line, _ := bufio.NewReader(stdoutR).ReadString('\n')
	addr := strings.TrimPrefix(strings.TrimSpace(line), "swr-refserver listening on http://")
	var stderr bytes.Buffer
	if code := serve(context.Background(), []string{"-listen", addr, "-token", "t"}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "-listen") {
		t.Errorf("second server on %s: exit %d, %q", addr, code, stderr.String())
	}
	cancel()
	<-exit
}

// TestServeRateLimit: with -rate-limit 0.01 (a burst of one, the next
// token 100 s later), a second request is answered 429 by the gateway, and
// at shutdown the server says what it answered.
func TestServeRateLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- serve(ctx, []string{"-listen", "127.0.0.1:0", "-token", "tok", "-quiet", "-rate-limit", "0.01"}, stdoutW, &stderr)
		stdoutW.Close()
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v; stderr %s", err, stderr.String())
	}
	go io.Copy(io.Discard, stdoutR)
	url := strings.TrimSpace(strings.TrimPrefix(line, "swr-refserver listening on ")) + "/v2/manage/namespaces/ns"
	var codes []int
	for range 2 {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-Auth-Token", "tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] == http.StatusTooManyRequests || codes[1] != http.StatusTooManyRequests {
		t.Errorf("two requests at -rate-limit 0.01: %v; want the first answered and the second 429", codes)
	}
	shutdown(t, cancel, exit, &stderr)
	for _, want := range []string{"swr-refserver: rate limit 0.01 requests per second per token, 429 beyond it (no Retry-After)\n",
		"swr-refserver: answered 2 requests, 1 of them 429 (rate limit)\n"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q; want it to hold %q", stderr.String(), want)
		}
	}
}

// shutdown stops a server started with serve (cancel) and checks that it
// exits 0 within ten seconds.
func shutdown(t *testing.T, cancel context.CancelFunc, exit <-chan int, stderr fmt.Stringer) {
	t.Helper()
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d; stderr %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown")
	}
}
