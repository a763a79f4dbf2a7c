package swrclient

import (
	"context"
	"errors"
	"fmt"
	"github.com/swr-conformance/swr-conformance/internal/contract"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/transport"
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
	s.path, s.body, s.ct = r.RequestURI, string(b), r.Header.Get(contract.HeaderContentType)
	s.tokens, s.hasToken = r.Header[contract.HeaderToken]
	s.token = r.Header.Get(contract.HeaderToken)
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
		w.Write([]byte(`{"errorMessage":"bad token ` + r.Header.Get(contract.HeaderToken) + `"}` + string(body)))
	}))
	defer srv.Close()
	c := New(srv.URL, token, nil, time.Second)
	ex := c.CreateShare(context.Background(), "ns", "team/app", []byte(`{"description":"`+token+`"}`))
	ex.Replay = &Replay{Setup: []*Exchange{ex}, Remove: []string{ex.URL + "/peer-1"}}
	for _, s := range []string{ex.String(), ex.Curl(), ex.RequestText(), ex.ResponseText(), ex.Reproduction()} {
		if strings.Contains(s, token) {
			t.Fatalf("token leaked:\n%s", s)
		}
	}
	if !strings.Contains(ex.Curl(), `"X-Auth-Token: $SWR_TOKEN"`) {
		t.Fatalf("curl does not use $SWR_TOKEN: %s", ex.Curl())
	}
}

// The parts of an exchange, for reports that show them apart: the request
// and the response laid out as HTTP, the body as sent (JSON as JSON), and
// the reproduction as the commands String shows, ready to paste.
func TestExchangeParts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/v2/x")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"errorCode":"SVCSTG.SWR.4090001"}`))
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", nil, time.Second)
	ex := c.CreateShare(context.Background(), "ns", "team/app", []byte(`{"access_domain":"peer-1","permit":"read"}`))
	wantRequest := "POST " + srv.URL + "/v2/manage/namespaces/ns/repositories/team$app/access-domains\nContent-Type: application/json\nX-Auth-Token: [REDACTED]\n\n" +
		`{"access_domain":"peer-1","permit":"read"}` + "\n"
	if got := ex.RequestText(); got != wantRequest {
		t.Errorf("RequestText\n%s\nwant\n%s", got, wantRequest)
	}
	response := ex.ResponseText()
	if !strings.HasPrefix(response, "409 Conflict (after ") || !strings.HasSuffix(response, ")\nLocation: /v2/x\n\n"+`{"errorCode":"SVCSTG.SWR.4090001"}`+"\n") {
		t.Errorf("ResponseText:\n%s", response)
	}
	if got, want := ex.Reproduction(), "# export SWR_TOKEN first\n"+ex.Curl(); got != want {
		t.Errorf("Reproduction without a Replay:\n%s\nwant\n%s", got, want)
	}
	ex.Replay = &Replay{Remove: []string{ex.URL + "/peer-1"}}
	repro := ex.Reproduction()
	if !strings.HasPrefix(repro, "# on a target where this share does not exist yet; export SWR_TOKEN first\n") || !strings.HasSuffix(ex.String(), strings.SplitN(repro, "\n", 2)[1]) {
		t.Errorf("Reproduction with a Replay is not String's snippet behind a comment:\n%s\n---\n%s", repro, ex.String())
	}
	if got := BodyText([]byte("a\x00b")); got != `"a\x00b"` {
		t.Errorf("BodyText of a body a page cannot show = %s, want it Go-quoted", got)
	}
	unanswered := &Exchange{Method: http.MethodPost, URL: "http://x", Err: errors.New("connection reset"), NotResent: "a create is not sent twice", Attempts: []Attempt{{Err: errors.New("timeout")}, {Err: errors.New("connection reset")}}}
	if got, want := unanswered.ResponseText(), "attempt 1: no answer (timeout), sent again\nno answer (connection reset)\nnot sent again: a create is not sent twice\n"; got != want {
		t.Errorf("ResponseText without an answer:\n%s\nwant\n%s", got, want)
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
	// In POSIX sh (dash on Debian), not only bash: the bodies a spelling
	// gives have line breaks, tabs, non-ASCII text and escapes.
	for _, body := range []string{
		"{\"description\":\"it's a \\\"test\\\"\x01\u00e9\"}",
		"{\n  \"permit\" : \"read\",\r\n\t\"deadline\" : \"forever\",\n  \"description\" : \"100% \\u0072 \\\\n 共享 😀\"\n}",
		"{\"description\":\"\x00\x7f\xff\"}",
		`{"permit":"read","deadline":"forever"}`,
	} {
		ex := c.CreateShare(context.Background(), "a b", "team/app", []byte(body), WithContentType(contract.ContentTypeJSONCharset))
		wantPath := rec.get().path
		cmd := exec.Command("sh", "-c", ex.Curl())
		cmd.Env = append(cmd.Environ(), "SWR_TOKEN=tok-42")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("curl failed: %v\n%s", err, out)
		}
		if got := rec.get(); got.path != wantPath || got.body != body || got.ct != contract.ContentTypeJSONCharset || got.token != "tok-42" {
			t.Fatalf("replay of %q differs: path %q body %q ct %q tok %q\n%s", body, got.path, got.body, got.ct, got.token, ex.Curl())
		}
		if strings.Contains(ex.Curl(), "\n") {
			t.Errorf("the reproduction of %q spans lines:\n%s", body, ex.Curl())
		}
	}
}

// SlowDowns are the exchange's own, also with many exchanges at once: a
// path /k is answered 429 for its first k tries.
func TestSlowDownsPerExchange(t *testing.T) {
	var mu sync.Mutex
	tries := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		var k int
		fmt.Sscanf(r.URL.Path, "/%d/", &k)
		mu.Lock()
		tries[r.URL.Path]++
		n := tries[r.URL.Path]
		mu.Unlock()
		if n <= k {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusConflict)
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", transport.Base(false), 5*time.Second)
	var wg sync.WaitGroup
	for g := range 6 {
		for k := range 3 {
			wg.Go(func() {
				ex := c.Do(context.Background(), Request{Op: contract.OpCreate, Method: http.MethodPost, Path: fmt.Sprintf("/%d/%d", k, g), Body: []byte("{}")})
				if ex.Status != http.StatusConflict || ex.SlowDowns() != k {
					t.Errorf("%s: got %d after %d slow-downs, want 409 after %d", ex.URL, ex.Status, ex.SlowDowns(), k)
				}
				if shown := strings.Contains(ex.String(), "slow-down answers"); shown != (k > 0) {
					t.Errorf("%s: slow-downs shown %v:\n%s", ex.URL, shown, ex)
				}
			})
		}
	}
	wg.Wait()
}

// The timeout bounds the wait for the answer and for its body; a timed-out
// GET is sent again, and says so.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.Header().Set("Content-Length", "10")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte("12345"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := New(srv.URL, "tok", transport.Base(false), 100*time.Millisecond)
	for _, path := range []string{"/headers", "/body"} {
		start := time.Now()
		ex := c.Do(context.Background(), Request{Op: contract.OpShow, Method: http.MethodGet, Path: path})
		if ex.Answered() || ex.Err == nil || !strings.Contains(ex.Err.Error(), "no answer in time") {
			t.Errorf("%s: got %d %v, want no answer in time", path, ex.Status, ex.Err)
		}
		if len(ex.Unanswered()) != MaxResends || time.Since(start) > 5*time.Second {
			t.Errorf("%s: %d earlier attempts after %s, want %d within the timeouts", path, len(ex.Unanswered()), time.Since(start), MaxResends)
		}
		if !strings.Contains(ex.String(), "attempt 2: no answer (no answer in time") {
			t.Errorf("%s: rendering lacks the attempts:\n%s", path, ex)
		}
	}
	// The run's own end is no reason to send again.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ex := c.Do(ctx, Request{Method: http.MethodGet, Path: "/headers"}); ex.Answered() || len(ex.Unanswered()) != 0 {
		t.Errorf("cancelled: got %d, %d resends", ex.Status, len(ex.Unanswered()))
	}
}

// Bodies of announced and unannounced length are read whole up to
// MaxBody, and marked truncated beyond it.
func TestBodyRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/%d", &n)
		if r.URL.Query().Has("length") {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		w.Write([]byte(strings.Repeat("x", n)))
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", nil, 5*time.Second)
	for _, n := range []int{0, 1, 511, 512, 513, 4096, MaxBody - 1, MaxBody, MaxBody + 1, 3 * MaxBody} {
		for _, q := range []string{"", "?length"} {
			ex := c.Do(context.Background(), Request{Method: http.MethodGet, Path: fmt.Sprintf("/%d%s", n, q)})
			want := min(n, MaxBody)
			if ex.Err != nil || len(ex.RespBody) != want || ex.Truncated != (n > MaxBody) || strings.Trim(string(ex.RespBody), "x") != "" {
				t.Errorf("%d bytes%s: got %d, truncated %v, err %v", n, q, len(ex.RespBody), ex.Truncated, ex.Err)
			}
		}
	}
}

// BenchmarkCreateShare is one create through the retrying transport
// against a loopback server answering 400, the common case of a property:
// the client's own cost per request (see also internal/bench).
func BenchmarkCreateShare(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set(contract.HeaderContentType, contract.ContentTypeJSON)
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errorCode":"SVCSTG.SWR.4000001","errorMessage":"invalid namespace"}`))
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", transport.Base(false), 30*time.Second)
	body := []byte(`{"access_domain":"peer-1","permit":"read","deadline":"forever"}`)
	b.ReportAllocs()
	for b.Loop() {
		if ex := c.CreateShare(context.Background(), "ns", "team/app", body); ex.Status != http.StatusBadRequest {
			b.Fatalf("got %d %v", ex.Status, ex.Err)
		}
	}
}

// The two show operations only read: GET, no body, the paths of contract
// section 1 with a nested repository sent with '$'.
func TestShowNamespaceAndRepository(t *testing.T) {
	type request struct{ method, path, body string }
	var (
		mu  sync.Mutex
		got []request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, request{r.Method, r.RequestURI, string(b)})
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	c := New(srv.URL, "tok", nil, time.Second)
	exs := []*Exchange{c.ShowNamespace(context.Background(), "my-org"), c.ShowRepository(context.Background(), "my-org", "team/app")}
	want := []request{
		{http.MethodGet, "/v2/manage/namespaces/my-org", ""},
		{http.MethodGet, "/v2/manage/namespaces/my-org/repos/team$app", ""},
	}
	for i, op := range []contract.Operation{contract.OpShowNamespace, contract.OpShowRepository} {
		if exs[i].Op != op || !exs[i].Succeeded() {
			t.Errorf("exchange %d: op %q, status %d; want %q answered 200", i, exs[i].Op, exs[i].Status, op)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the server saw %q, want %q", got, want)
	}
}
