// Package iam obtains a Huawei Cloud IAM token with a password, so a nightly
// run can start from credentials instead of a token pasted in by hand (a
// token lives 24 hours).
//
// The password and the token are secrets that end up next to CI logs, so no
// error of this package ever contains either: messages are written from
// constants, and the only outside text they quote (an excerpt of an IAM
// error body, a header, a transport error) is redacted first.
package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/swr-conformance/swr-conformance/internal/redact"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Names of the environment variables the credentials come from; messages
// name them so the reader knows what to change.
const (
	EnvEndpoint = "SWR_IAM_ENDPOINT"
	EnvUsername = "SWR_USERNAME"
	EnvPassword = "SWR_PASSWORD"
	EnvDomain   = "SWR_DOMAIN"
	EnvProject  = "SWR_PROJECT"
)

// TokensPath is where IAM issues tokens, below the endpoint.
const TokensPath = "/v3/auth/tokens"

// HeaderSubjectToken carries the issued token in IAM's 201 answer.
const HeaderSubjectToken = "X-Subject-Token"

// contentType is the spelling IAM's documentation asks for.
const contentType = "application/json;charset=utf8"

// maxBody caps how much of IAM's answer is read. A token description with
// its service catalog runs to tens of kilobytes; more than this is not IAM.
const maxBody = 1 << 20

// defaultTimeout bounds Fetch when the caller passes no client: a token
// request must never hang a nightly run.
const defaultTimeout = 30 * time.Second

// Credentials are what IAM needs for a project-scoped token.
type Credentials struct {
	Endpoint string // e.g. https://iam.ap-southeast-1.myhuaweicloud.com
	Username string // the IAM user
	Password string // never shown
	Domain   string // the account (domain) the user belongs to
	Project  string // the project the token is scoped to, e.g. ap-southeast-1
}

// Set reports whether IAM credentials are configured: the suite then
// obtains its own token.
func (c Credentials) Set() bool { return c.Endpoint != "" }

// Validate checks that every field is set and that Endpoint is an absolute
// http(s) URL. The error lists every problem, each naming the variable to fix.
func (c Credentials) Validate() error {
	var problems []string
	if c.Endpoint == "" {
		problems = append(problems, EnvEndpoint+" is not set: set it to the IAM endpoint of the region, e.g. https://iam.ap-southeast-1.myhuaweicloud.com")
	} else if msg := checkEndpoint(c.Endpoint); msg != "" {
		problems = append(problems, msg)
	}
	for _, f := range []struct{ value, env, what string }{
		{c.Username, EnvUsername, "the IAM user name"},
		{c.Password, EnvPassword, "that user's password"},
		{c.Domain, EnvDomain, "the account (domain) name the user belongs to"},
		{c.Project, EnvProject, "the project the token is for, e.g. ap-southeast-1"},
	} {
		if strings.TrimSpace(f.value) == "" {
			problems = append(problems, f.env+" is not set: set it to "+f.what)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

// checkEndpoint says what is wrong with a set endpoint, or "". It never
// quotes user info, which could hold a password.
func checkEndpoint(e string) string {
	u, err := url.Parse(e)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		// url.Parse's own error would quote the value; keep to words.
		return EnvEndpoint + " must be an absolute http(s) URL such as https://iam.ap-southeast-1.myhuaweicloud.com"
	case u.User != nil:
		return EnvEndpoint + " must not carry a user name or password: give them in " + EnvUsername + " and " + EnvPassword
	case u.RawQuery != "" || u.Fragment != "":
		// Not quoted: a query is where a careless URL would carry a secret.
		return EnvEndpoint + " must be a plain base URL, without query or fragment"
	case strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/v3") || strings.HasSuffix(strings.TrimRight(u.Path, "/"), TokensPath):
		return fmt.Sprintf("%s=%q must be the base URL only: the suite adds %s itself", EnvEndpoint, u.Redacted(), TokensPath)
	}
	return ""
}

// Token is an issued IAM token.
type Token struct {
	Value     string    // for X-Auth-Token; never shown
	ExpiresAt time.Time // zero if IAM did not say
}

// The request body, as IAM documents it for a password and a project scope.
type (
	authRequest struct {
		Auth auth `json:"auth"`
	}
	auth struct {
		Identity identity `json:"identity"`
		Scope    scope    `json:"scope"`
	}
	identity struct {
		Methods  []string     `json:"methods"`
		Password passwordAuth `json:"password"`
	}
	passwordAuth struct {
		User user `json:"user"`
	}
	user struct {
		Name     string `json:"name"`
		Password string `json:"password"`
		Domain   named  `json:"domain"`
	}
	scope struct {
		Project named `json:"project"`
	}
	named struct {
		Name string `json:"name"`
	}
)

func requestBody(c Credentials) []byte {
	b, err := json.Marshal(authRequest{Auth: auth{
		Identity: identity{
			Methods:  []string{"password"},
			Password: passwordAuth{User: user{Name: c.Username, Password: c.Password, Domain: named{c.Domain}}},
		},
		Scope: scope{Project: named{c.Project}},
	}})
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return b
}

// Fetch asks IAM at c.Endpoint for a token scoped to c.Project. hc nil means
// a client with a 30 s timeout. Redirects are never followed, whatever hc
// says: following one would send the password to wherever it points.
func Fetch(ctx context.Context, hc *http.Client, c Credentials) (Token, error) {
	if err := c.Validate(); err != nil {
		return Token{}, err
	}
	client := http.Client{Timeout: defaultTimeout}
	if hc != nil {
		client = *hc // a copy: the caller's client keeps its redirect policy
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	u := strings.TrimRight(c.Endpoint, "/") + TokensPath
	// A bytes.Reader gives the request a GetBody, so a retrying transport
	// can send it again after a 429.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(requestBody(c)))
	if err != nil {
		return Token{}, fmt.Errorf("cannot build the IAM request from %s: check it", EnvEndpoint)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")

	resp, err := client.Do(req)
	if err != nil {
		return Token{}, transportError(ctx, err, u, c)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	tok := resp.Header.Get(HeaderSubjectToken)

	switch {
	case resp.StatusCode == http.StatusCreated && strings.TrimSpace(tok) != "":
		return Token{Value: strings.TrimSpace(tok), ExpiresAt: expiresAt(body)}, nil
	case resp.StatusCode == http.StatusCreated:
		return Token{}, fmt.Errorf("IAM at %s answered 201 without an %s header: check that %s is an IAM endpoint", u, HeaderSubjectToken, EnvEndpoint)
	case resp.StatusCode == http.StatusUnauthorized:
		return Token{}, fmt.Errorf("IAM refused the credentials (401): check %s, %s and %s", EnvUsername, EnvPassword, EnvDomain)
	}
	msg := fmt.Sprintf("IAM at %s answered %d %s", u, resp.StatusCode, http.StatusText(resp.StatusCode))
	r := redactor{password: c.Password, token: tok}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		msg += fmt.Sprintf(" redirecting to %q, which is not followed: check %s", r.excerpt([]byte(loc), 200), EnvEndpoint)
	} else if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
		msg += ": check that " + EnvEndpoint + " is an IAM endpoint"
	}
	if ex := r.excerpt(body, 300); ex != "" {
		msg += ": " + ex
	}
	return Token{}, errors.New(msg)
}

// transportError says why no answer came, naming the variable most likely
// at fault. The context's error stays reachable with errors.Is.
func transportError(ctx context.Context, err error, u string, c Credentials) error {
	r := redactor{password: c.Password}
	if ctx.Err() != nil {
		return fmt.Errorf("no token from IAM at %s: %w", u, ctx.Err())
	}
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("IAM at %s refused the connection: check %s", u, EnvEndpoint)
	case errors.As(err, &dns):
		return fmt.Errorf("IAM host %q not found: check %s", dns.Name, EnvEndpoint)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("IAM at %s did not answer in time: check %s and the network", u, EnvEndpoint)
	}
	// url.Error quotes the URL, which Validate has checked holds no user
	// info; redact anyway in case an underlying error quotes more.
	return fmt.Errorf("no answer from IAM at %s (%s): check %s", u, r.redact(err.Error()), EnvEndpoint)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// expiresAt reads token.expires_at from a 201 body, or the zero time: the
// token is usable without it, so a body that is cut off or odd is no error.
func expiresAt(body []byte) time.Time {
	var v struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	if json.Unmarshal(body, &v) != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v.Token.ExpiresAt)
	if err != nil {
		return time.Time{}
	}
	return t
}

// redactor removes secrets from text IAM or the network sent back, before
// any of it is quoted in an error.
type redactor struct {
	password string // as sent
	token    string // an X-Subject-Token header of the answer, if any
}

const redacted = redact.Marker

// minTokenRun is the length from which a run of base64 characters is taken
// for a token. Huawei tokens run to thousands of such characters; request
// ids and hashes (32 hex digits, 64 for a SHA-256) stay readable below it.
const minTokenRun = 80

func (r redactor) redact(s string) string {
	s = redact.New(r.password, r.token).String(s)
	// Any long run of token characters: a token in a body or header we did
	// not expect one in.
	var b strings.Builder
	run := 0
	flush := func(end int) {
		if run >= minTokenRun {
			b.WriteString(redacted)
		} else {
			b.WriteString(s[end-run : end])
		}
		run = 0
	}
	for i := 0; i < len(s); i++ {
		if isTokenChar(s[i]) {
			run++
			continue
		}
		flush(i)
		b.WriteByte(s[i])
	}
	flush(len(s))
	return b.String()
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_'
}

// excerpt is the start of body as one line of printable text, redacted
// before it is cut so no secret is left half-shown at the cut.
func (r redactor) excerpt(body []byte, max int) string {
	s := strings.Join(strings.Fields(r.redact(strings.ToValidUTF8(string(body), "?"))), " ")
	s = strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f {
			return '?'
		}
		return c
	}, s)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
