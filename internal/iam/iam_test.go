package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/swr-conformance/swr-conformance/internal/iam/iamtest"
	"github.com/swr-conformance/swr-conformance/internal/redact"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// The password has characters JSON escapes, so an echo of the request body
// is caught in both spellings.
const (
	password = `s3cret-"<pa$$>&'`
	token    = "MIIEhQYJKoZIhvcNAQcCoIIEdjCCBHICAQExDTALBglghkgBZQMEAgEwggKXBgkqhkiG9w0BBwGgggKIBIIChHsidG9rZW4iOnsiZXhwaXJlc19hdCI6IjIwMjYtMDMtMDJUMTI6MDA6MDAuMDAwMDAwWiJ9fQ-_+/=="
)

func creds(endpoint string) Credentials {
	return Credentials{Endpoint: endpoint, Username: "conformance-bot", Password: password, Domain: "acme", Project: "ap-southeast-1"}
}

// noSecret fails the test if err shows the password or the token, in any
// spelling, or a part of the token long enough to matter.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range append(redact.Forms(password), "s3cret", token, token[:40], token[len(token)-40:]) {
		if strings.Contains(msg, s) {
			t.Errorf("error leaks a secret (%q): %s", s, msg)
		}
	}
}

// userOf is the stand-in's user for credentials c.
func userOf(c Credentials) iamtest.User {
	return iamtest.User{Name: c.Username, Password: c.Password, Domain: c.Domain, Project: c.Project}
}

func standIn(t *testing.T) (*httptest.Server, Credentials) {
	t.Helper()
	c := creds("")
	srv := httptest.NewServer(iamtest.NewStandIn(userOf(c), token))
	t.Cleanup(srv.Close)
	c.Endpoint = srv.URL
	return srv, c
}

func TestFetch(t *testing.T) {
	_, c := standIn(t)
	c.Endpoint += "/" // a trailing slash is harmless
	tok, err := Fetch(context.Background(), nil, c)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Value != token {
		t.Errorf("token %q, want the X-Subject-Token", tok.Value)
	}
	if d := time.Until(tok.ExpiresAt); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("ExpiresAt %v is not about 24h ahead", tok.ExpiresAt)
	}
}

// The exact request IAM's documentation asks for.
func TestFetchRequest(t *testing.T) {
	var got struct {
		method, path, contentType string
		body                      map[string]any
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.path, got.contentType = r.Method, r.URL.Path, r.Header.Get("Content-Type")
		json.NewDecoder(r.Body).Decode(&got.body)
		w.Header().Set(HeaderSubjectToken, "t")
		w.WriteHeader(201)
	}))
	defer srv.Close()
	tok, err := Fetch(context.Background(), srv.Client(), creds(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt %v from an empty body, want zero", tok.ExpiresAt)
	}
	if got.method != "POST" || got.path != "/v3/auth/tokens" || got.contentType != "application/json;charset=utf8" {
		t.Errorf("request %s %s %q", got.method, got.path, got.contentType)
	}
	want := map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []any{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": "conformance-bot", "password": password, "domain": map[string]any{"name": "acme"},
			}},
		},
		"scope": map[string]any{"project": map[string]any{"name": "ap-southeast-1"}},
	}}
	gb, _ := json.Marshal(got.body)
	wb, _ := json.Marshal(want)
	if !bytes.Equal(gb, wb) {
		t.Errorf("body\n%s\nwant\n%s", gb, wb)
	}
}

func TestFetchRefused401(t *testing.T) {
	_, good := standIn(t)
	for name, mut := range map[string]func(*Credentials){
		"password": func(c *Credentials) { c.Password = "wrong" + password },
		"user":     func(c *Credentials) { c.Username = "someone-else" },
		"domain":   func(c *Credentials) { c.Domain = "other" },
		"project":  func(c *Credentials) { c.Project = "cn-north-4" },
	} {
		t.Run(name, func(t *testing.T) {
			c := good
			mut(&c)
			_, err := Fetch(context.Background(), nil, c)
			const want = "IAM refused the credentials (401): check SWR_USERNAME, SWR_PASSWORD and SWR_DOMAIN"
			if err == nil || err.Error() != want {
				t.Fatalf("error %v, want %q", err, want)
			}
			noSecret(t, err)
		})
	}
}

func TestFetch201WithoutToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		io.WriteString(w, `{"token":{"expires_at":"2026-03-02T12:00:00.000000Z"}}`)
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), nil, creds(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "without an X-Subject-Token header") || !strings.Contains(err.Error(), EnvEndpoint) {
		t.Fatalf("error %v, want one about the missing X-Subject-Token naming %s", err, EnvEndpoint)
	}
	noSecret(t, err)
}

func TestFetchConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = Fetch(context.Background(), nil, creds("http://"+addr))
	if err == nil || !strings.Contains(err.Error(), "refused the connection") || !strings.Contains(err.Error(), EnvEndpoint) {
		t.Fatalf("error %v, want connection refused naming %s", err, EnvEndpoint)
	}
	noSecret(t, err)
}

func TestFetchHostNotFound(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "iam.nowhere.example", IsNotFound: true}}
	}}}
	_, err := Fetch(context.Background(), hc, creds("https://iam.nowhere.example"))
	if err == nil || !strings.Contains(err.Error(), `"iam.nowhere.example" not found`) || !strings.Contains(err.Error(), EnvEndpoint) {
		t.Fatalf("error %v, want host not found naming %s", err, EnvEndpoint)
	}
}

func TestFetchTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Never answers. The server notices a client gone only once the
		// body is read, and release frees the handler for srv.Close either way.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	_, err := Fetch(context.Background(), &http.Client{Timeout: 50 * time.Millisecond}, creds(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("error %v, want a timeout", err)
	}
	noSecret(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = Fetch(ctx, nil, creds(srv.URL))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	noSecret(t, err)
}

// Other answers: status and a short excerpt, with every secret removed,
// including secrets an odd server echoes back.
func TestFetchOtherStatusRedacted(t *testing.T) {
	echo := `{"error":{"code":500,"message":"internal error","request":{"auth":{"identity":{"password":{"user":{"password":"` +
		jsonEscaped(password) + `"}}}}},"raw":"` + password + `","issued":"` + token + `","other":"` + strings.Repeat("Zm9v", 30) + `"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderSubjectToken, token)
		w.WriteHeader(500)
		io.WriteString(w, echo)
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), nil, creds(srv.URL))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "answered 500 Internal Server Error") || !strings.Contains(msg, "internal error") || !strings.Contains(msg, redacted) {
		t.Errorf("error %q, want the status and a redacted excerpt", msg)
	}
	if strings.Contains(msg, "Zm9vZm9v") {
		t.Errorf("error %q shows a long token-looking run", msg)
	}
	noSecret(t, err)
}

func TestFetchExcerptShort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		io.WriteString(w, "<html>\n<body>\x00"+strings.Repeat("denied é ", 500)+"</body></html>")
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), nil, creds(srv.URL))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if len(msg) > 500 || strings.ContainsAny(msg, "\n\x00") || !strings.HasSuffix(msg, "...") || !strings.Contains(msg, "403 Forbidden: <html> <body>?denied") {
		t.Errorf("error is not a short one-line excerpt: %q", msg)
	}
}

func TestFetch404NamesEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := Fetch(context.Background(), nil, creds(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "404 Not Found: check that "+EnvEndpoint) {
		t.Fatalf("error %v, want a 404 naming %s", err, EnvEndpoint)
	}
}

// A redirect is reported, never followed: following a 307 would send the
// password to wherever it points.
func TestFetchRedirectNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/v3/auth/tokens", http.StatusTemporaryRedirect))
	defer srv.Close()
	hc := &http.Client{} // follows redirects by default
	_, err := Fetch(context.Background(), hc, creds(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "307 Temporary Redirect redirecting to") || !strings.Contains(err.Error(), "not followed") {
		t.Errorf("error %v, want the redirect reported", err)
	}
	if elsewhere.Load() != 0 {
		t.Error("the redirect was followed with the password")
	}
	if hc.CheckRedirect != nil {
		t.Error("Fetch changed the caller's client")
	}
}

// IAM may throttle too: through the suite's transport the request, body
// included, is sent again and the stand-in accepts it.
func TestFetchThroughRetryingTransport(t *testing.T) {
	_, c := standIn(t)
	inner := iamtest.NewStandIn(userOf(c), token)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c.Endpoint = srv.URL
	tr := transport.New(transport.Options{Sleep: func(context.Context, time.Duration) error { return nil }})
	tok, err := Fetch(context.Background(), &http.Client{Transport: tr}, c)
	if err != nil || tok.Value != token {
		t.Fatalf("got %q, %v; want the token after a retry", tok.Value, err)
	}
	if st := tr.Stats(); st.Retries429 != 1 {
		t.Errorf("Stats = %+v, want one retry", st)
	}
}

// A token description cut at the 1 MiB cap is still a token, without expiry.
func TestFetchHugeBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderSubjectToken, "t")
		w.WriteHeader(201)
		io.WriteString(w, `{"token":{"catalog":"`+strings.Repeat("x", 2<<20)+`","expires_at":"2026-03-02T12:00:00.000000Z"}}`)
	}))
	defer srv.Close()
	tok, err := Fetch(context.Background(), nil, creds(srv.URL))
	if err != nil || tok.Value != "t" || !tok.ExpiresAt.IsZero() {
		t.Fatalf("got %+v, %v; want the token, expiry unknown", tok, err)
	}
}

func TestExpiresAt(t *testing.T) {
	for body, want := range map[string]time.Time{
		`{"token":{"expires_at":"2026-03-02T12:00:00.154000Z"}}`: time.Date(2026, 3, 2, 12, 0, 0, 154000000, time.UTC),
		`{"token":{"expires_at":"2026-03-02T12:00:00Z"}}`:        time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC),
		`{"token":{"expires_at":"tomorrow"}}`:                    {},
		`{"token":{}}`:                                           {},
		`not json`:                                               {},
	} {
		if got := expiresAt([]byte(body)); !got.Equal(want) {
			t.Errorf("expiresAt(%s) = %v, want %v", body, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := creds("https://iam.ap-southeast-1.myhuaweicloud.com")
	if err := good.Validate(); err != nil {
		t.Fatalf("valid credentials: %v", err)
	}
	for _, tc := range []struct {
		name string
		mut  func(*Credentials)
		want []string
	}{
		{"no endpoint", func(c *Credentials) { c.Endpoint = "" }, []string{"SWR_IAM_ENDPOINT is not set"}},
		{"no user", func(c *Credentials) { c.Username = "" }, []string{"SWR_USERNAME is not set"}},
		{"no password", func(c *Credentials) { c.Password = "" }, []string{"SWR_PASSWORD is not set"}},
		{"blank domain", func(c *Credentials) { c.Domain = "  " }, []string{"SWR_DOMAIN is not set"}},
		{"no project", func(c *Credentials) { c.Project = "" }, []string{"SWR_PROJECT is not set"}},
		{"nothing", func(c *Credentials) { *c = Credentials{} },
			[]string{"SWR_IAM_ENDPOINT", "SWR_USERNAME", "SWR_PASSWORD", "SWR_DOMAIN", "SWR_PROJECT"}},
		{"no scheme", func(c *Credentials) { c.Endpoint = "iam.ap-southeast-1.myhuaweicloud.com" }, []string{"SWR_IAM_ENDPOINT must be an absolute http(s) URL"}},
		{"ftp", func(c *Credentials) { c.Endpoint = "ftp://iam.example.com" }, []string{"SWR_IAM_ENDPOINT must be an absolute http(s) URL"}},
		{"no host", func(c *Credentials) { c.Endpoint = "https://" }, []string{"SWR_IAM_ENDPOINT must be an absolute http(s) URL"}},
		{"unparseable", func(c *Credentials) { c.Endpoint = "https://iam example.com/" + password }, []string{"SWR_IAM_ENDPOINT must be an absolute http(s) URL"}},
		{"control character", func(c *Credentials) { c.Endpoint = "https://iam.example.com/\n" }, []string{"SWR_IAM_ENDPOINT must be an absolute http(s) URL"}},
		{"user info", func(c *Credentials) { c.Endpoint = "https://bot:hunter2@iam.example.com" }, []string{"must not carry a user name or password"}},
		{"user info unparseable", func(c *Credentials) { c.Endpoint = "https://bot:" + password + "@iam.example.com" }, []string{"SWR_IAM_ENDPOINT must be an absolute http(s) URL"}},
		{"query", func(c *Credentials) { c.Endpoint = "https://iam.example.com/?password=" + password }, []string{"without query or fragment"}},
		{"tokens path", func(c *Credentials) { c.Endpoint = "https://iam.example.com/v3/auth/tokens" }, []string{"the suite adds /v3/auth/tokens itself"}},
		{"v3", func(c *Credentials) { c.Endpoint = "https://iam.example.com/v3/" }, []string{"must be the base URL only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mut(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			noSecret(t, err)
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the endpoint's password", err)
			}
			// Fetch checks first and sends nothing.
			if _, ferr := Fetch(context.Background(), nil, c); ferr == nil || ferr.Error() != err.Error() {
				t.Errorf("Fetch error %v, want the Validate error", ferr)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	r := redactor{password: password, token: "short-tok"}
	in := "pw " + password + " esc " + jsonEscaped(password) + " hdr short-tok id 0123456789abcdef0123456789abcdef long " + strings.Repeat("a", minTokenRun)
	got := r.redact(in)
	want := "pw [REDACTED] esc [REDACTED] hdr [REDACTED] id 0123456789abcdef0123456789abcdef long [REDACTED]"
	if got != want {
		t.Errorf("redact:\n got %q\nwant %q", got, want)
	}
	if got := r.redact(strings.Repeat("a", minTokenRun-1)); got != strings.Repeat("a", minTokenRun-1) {
		t.Errorf("a run just below the threshold was redacted: %q", got)
	}
}

func TestStandIn(t *testing.T) {
	srv, c := standIn(t)
	good := string(requestBody(c))
	post := func(method, path, contentType, body string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	const ct = "application/json;charset=utf8"
	swap := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	for _, tc := range []struct {
		name, method, path, contentType, body string
		want                                  int
	}{
		{"good", "POST", TokensPath, ct, good, 201},
		{"plain json", "POST", TokensPath, "application/json", good, 201},
		{"other path", "POST", "/v3/auth/token", ct, good, 404},
		{"GET", "GET", TokensPath, ct, "", 405},
		{"form", "POST", TokensPath, "application/x-www-form-urlencoded", good, 400},
		{"no content type", "POST", TokensPath, "", good, 400},
		{"not json", "POST", TokensPath, ct, "auth=password", 400},
		{"trailing data", "POST", TokensPath, ct, good + "{}", 400},
		{"unknown field", "POST", TokensPath, ct, swap(`"methods"`, `"method":["password"],"methods"`), 400},
		{"token method", "POST", TokensPath, ct, swap(`["password"]`, `["token"]`), 400},
		{"two methods", "POST", TokensPath, ct, swap(`["password"]`, `["password","password"]`), 400},
		{"no domain", "POST", TokensPath, ct, swap(`"domain":{"name":"acme"}`, `"domain":{}`), 400},
		{"no project", "POST", TokensPath, ct, swap(`"scope":{"project":{"name":"ap-southeast-1"}}`, `"scope":{}`), 400},
		{"domain scope", "POST", TokensPath, ct, swap(`"scope":{"project":{"name":"ap-southeast-1"}}`, `"scope":{"domain":{"name":"acme"}}`), 400},
		{"wrong password", "POST", TokensPath, ct, swap(`"password":"`+jsonEscaped(password), `"password":"nope`), 401},
		{"wrong project", "POST", TokensPath, ct, swap(`"ap-southeast-1"`, `"cn-north-4"`), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, h := post(tc.method, tc.path, tc.contentType, tc.body)
			if code != tc.want {
				t.Fatalf("status %d, want %d: %s", code, tc.want, body)
			}
			if strings.Contains(body, password) || strings.Contains(body, jsonEscaped(password)) || strings.Contains(body, token) {
				t.Errorf("the answer echoes a secret: %s", body)
			}
			if code == 201 {
				if h.Get(HeaderSubjectToken) != token {
					t.Errorf("X-Subject-Token %q", h.Get(HeaderSubjectToken))
				}
				return
			}
			var e struct {
				Error struct {
					Code    int
					Message string
					Title   string
				}
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != code || e.Error.Message == "" || e.Error.Title == "" {
				t.Errorf("error body not in IAM's shape: %s", body)
			}
			if h.Get(HeaderSubjectToken) != "" {
				t.Error("X-Subject-Token on a refusal")
			}
		})
	}
}

// jsonEscaped is s as encoding/json writes it inside a string, the form a
// request body carries the password in.
func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
