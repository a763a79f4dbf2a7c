package swrclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// seen records what a test server received; handlers run on their own
// goroutines, so it is locked.
type seen struct {
	mu                    sync.Mutex
	path, body, ct, token string
	hasToken              bool
	tokens                []string
}

func (s *seen) record(r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.path, s.body, s.ct = r.RequestURI, string(b), r.Header.Get(HeaderContentType)
	s.tokens, s.hasToken = r.Header[HeaderToken]
	s.token = r.Header.Get(HeaderToken)
}

func (s *seen) get() seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return seen{path: s.path, body: s.body, ct: s.ct, token: s.token, hasToken: s.hasToken, tokens: s.tokens}
}

func TestPaths(t *testing.T) {
	tests := map[string]string{
		SharesPath("ns", "team/app"):     "/v2/manage/namespaces/ns/repositories/team$app/access-domains",
		SharePath("ns", "a/b/c", "peer"): "/v2/manage/namespaces/ns/repositories/a$b$c/access-domains/peer",
		SharesPath(".", ".."):            "/v2/manage/namespaces/%2E/repositories/%2E%2E/access-domains",
		SharesPath("a b", "a?b#c%d"):     "/v2/manage/namespaces/a%20b/repositories/a%3Fb%23c%25d/access-domains",
		SharesPath("a/b", `a\b`):         "/v2/manage/namespaces/a%2Fb/repositories/a%5Cb/access-domains",
		SharesPath("aé", "a\x01"):        "/v2/manage/namespaces/a%C3%A9/repositories/a%01/access-domains",
		SharesPath("A@b", "a\"<>{}|^`"):  "/v2/manage/namespaces/A@b/repositories/a%22%3C%3E%7B%7D%7C%5E%60/access-domains",
		RepositoryPath("ns", "team/app"): "/v2/manage/namespaces/ns/repos/team$app",
		NamespacePath("ns"):              "/v2/manage/namespaces/ns",
	}
	for got, want := range tests {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// The path the server receives is byte for byte the one built: Go's client
// must not re-encode or resolve it.
func TestPathOnTheWire(t *testing.T) {
	var rec seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rec.record(r) }))
	defer srv.Close()
	c := New(srv.URL, "tok", nil, time.Second)
	for _, p := range []string{SharesPath(".", ".."), SharesPath("a b", "a?b#c%d"), SharesPath("ns", "team/app"), SharesPath("A@b!$&'()*+,;=:", "x")} {
		c.Do(context.Background(), Request{Method: http.MethodGet, Path: p})
		if got := rec.get().path; got != p {
			t.Errorf("sent %s, server saw %s", p, got)
		}
	}
}

func TestRedirectNotFollowedAndBodyCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://198.51.100.1/elsewhere", http.StatusFound)
			return
		}
		w.Write([]byte(strings.Repeat("x", MaxBody+10)))
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", nil, time.Second)
	ex := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/redirect"})
	if ex.Status != http.StatusFound || ex.Err != nil {
		t.Fatalf("redirect: got %d %v", ex.Status, ex.Err)
	}
	ex = c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/big"})
	if len(ex.RespBody) != MaxBody || !ex.Truncated {
		t.Fatalf("body: %d bytes, truncated %v", len(ex.RespBody), ex.Truncated)
	}
}

func TestCredentialsSent(t *testing.T) {
	var rec seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rec.record(r) }))
	defer srv.Close()
	c := New(srv.URL, "tok", nil, time.Second)
	for _, tc := range []struct {
		auth    Auth
		present bool
		value   string
	}{{AuthToken, true, "tok"}, {AuthMissing, false, ""}, {AuthEmpty, true, ""}, {AuthWrong, true, WrongToken}} {
		c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/", Auth: tc.auth})
		got := rec.get()
		if got.hasToken != tc.present || (got.hasToken && got.tokens[0] != tc.value) {
			t.Errorf("auth %d: header present=%v %q", tc.auth, got.hasToken, got.tokens)
		}
	}
}

// The token never shows: not in the rendering, the curl line, or an echo of
// it in the response body.
func TestExchangeRedactsToken(t *testing.T) {
	const token = "very-secret-token-123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errorMessage":"bad token ` + r.Header.Get(HeaderToken) + `"}` + string(body)))
	}))
	defer srv.Close()
	c := New(srv.URL, token, nil, time.Second)
	ex := c.CreateShare(context.Background(), "ns", "team/app", []byte(`{"description":"`+token+`"}`))
	for _, s := range []string{ex.String(), ex.Curl()} {
		if strings.Contains(s, token) {
			t.Fatalf("token leaked:\n%s", s)
		}
	}
	if !strings.Contains(ex.Curl(), `"X-Auth-Token: $SWR_TOKEN"`) {
		t.Fatalf("curl does not use $SWR_TOKEN: %s", ex.Curl())
	}
}

// The curl reproduction, run by a shell, sends the same bytes.
func TestCurlReplays(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	var rec seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rec.record(r) }))
	defer srv.Close()
	c := New(srv.URL, "tok-42", nil, time.Second)
	body := "{\"description\":\"it's a \\\"test\\\"\x01\u00e9\"}"
	ex := c.CreateShare(context.Background(), "a b", "team/app", []byte(body), WithContentType(ContentTypeJSONCharset))
	wantPath := rec.get().path
	cmd := exec.Command("bash", "-c", ex.Curl())
	cmd.Env = append(cmd.Environ(), "SWR_TOKEN=tok-42")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("curl failed: %v\n%s", err, out)
	}
	if got := rec.get(); got.path != wantPath || got.body != body || got.ct != ContentTypeJSONCharset || got.token != "tok-42" {
		t.Fatalf("replay differs: path %q body %q ct %q tok %q", got.path, got.body, got.ct, got.token)
	}
}
