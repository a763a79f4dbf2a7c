package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
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
	c, err := parseArgs([]string{"-accounts", " a, b ,,", "-fault", "create-200, auth-403", "-dialect", "lenient", "-listen", "[::1]:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.Token != "from-env" || strings.Join(c.opts.Accounts, ",") != "a,b" || len(c.opts.Faults) != 2 ||
		c.opts.Dialect.String() != "lenient" || c.listen != "[::1]:0" {
		t.Errorf("config %+v", c)
	}
	c, err = parseArgs([]string{"-token", "flag"}, io.Discard)
	if err != nil || c.opts.Token != "flag" || c.listen != "127.0.0.1:8080" || c.opts.Dialect.String() != "strict" {
		t.Errorf("defaults: %+v, %v", c, err)
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

	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d; stderr %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown")
	}
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
