// Package swrclient sends requests to an image-sharing API target and records
// each one as an Exchange that can be shown to a person (token redacted) and
// replayed with curl.
package swrclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Header names and values of the contract.
const (
	HeaderToken       = "X-Auth-Token"
	HeaderContentType = "Content-Type"
	ContentTypeJSON   = "application/json"
	// ContentTypeJSONCharset is the second accepted spelling: the pages write
	// "charset=utf-8 application/json", a garbled form of this one.
	ContentTypeJSONCharset = "application/json;charset=utf-8"
)

// WrongToken is sent where a spec needs a token the target cannot accept. It
// is unrelated to the configured token, so showing it leaks nothing.
const WrongToken = "swr-conformance-not-a-valid-token"

// MaxBody caps how much of a response body is read: a misbehaving target must
// not be able to exhaust the suite's memory.
const MaxBody = 1 << 20

// Auth says which credential a request carries.
type Auth int

const (
	AuthToken   Auth = iota // the configured token
	AuthMissing             // no X-Auth-Token header
	AuthEmpty               // X-Auth-Token with an empty value
	AuthWrong               // WrongToken
)

// Request is one call to the target. Path is already escaped (see the *Path
// helpers).
type Request struct {
	Method      string
	Path        string
	Body        []byte // nil: no body
	ContentType string // "": application/json when there is a body
	Auth        Auth
}

// Exchange is a request and what came of it.
type Exchange struct {
	Method      string
	URL         string
	ContentType string
	Auth        Auth
	ReqBody     []byte
	Status      int    // 0 when Err is set
	RespBody    []byte // at most MaxBody bytes
	Truncated   bool   // the response body was longer than MaxBody
	RespHeader  http.Header
	Err         error // transport error: no response
	Duration    time.Duration

	token string // for redaction only
}

// Client sends requests to one target with one token.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client for the target at base (no trailing '/'), sending
// through rt (nil: http.DefaultTransport) and waiting at most timeout for an
// answer. Redirects are not followed: a 3xx is an answer to judge, and
// following it could carry the token to another host.
func New(base, token string, rt http.RoundTripper, timeout time.Duration) *Client {
	return &Client{
		base:  strings.TrimRight(base, "/"),
		token: token,
		http: &http.Client{
			Transport:     rt,
			Timeout:       timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Base is the target's base URL.
func (c *Client) Base() string { return c.base }

// Do sends r and records the exchange. A transport failure is recorded in
// Exchange.Err, never panicked or dropped.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	ex := &Exchange{Method: r.Method, URL: c.base + r.Path, Auth: r.Auth, ReqBody: r.Body, token: c.token}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
		ex.ContentType = r.ContentType
		if ex.ContentType == "" {
			ex.ContentType = ContentTypeJSON
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, ex.URL, body)
	if err != nil {
		ex.Err = err
		return ex
	}
	if ex.ContentType != "" {
		req.Header.Set(HeaderContentType, ex.ContentType)
	}
	switch r.Auth {
	case AuthToken:
		req.Header.Set(HeaderToken, c.token)
	case AuthEmpty:
		req.Header[HeaderToken] = []string{""}
	case AuthWrong:
		req.Header.Set(HeaderToken, WrongToken)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = scrubURLError(err)
		return ex
	}
	defer resp.Body.Close()
	ex.Status = resp.StatusCode
	ex.RespHeader = resp.Header
	ex.RespBody, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if len(ex.RespBody) > MaxBody {
		ex.RespBody, ex.Truncated = ex.RespBody[:MaxBody], true
	}
	if err != nil {
		ex.Err = err
	}
	ex.Duration = time.Since(start)
	return ex
}

// scrubURLError says in words when the target did not answer in time.
func scrubURLError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer in time: %w", err)
	}
	return err
}

// Redact replaces every occurrence of the configured token in s.
func (e *Exchange) Redact(s string) string { return Redact(s, e.token) }

// Redact replaces every occurrence of token in s with a marker.
func Redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[REDACTED]")
}

func (a Auth) header() string {
	switch a {
	case AuthToken:
		return HeaderToken + ": [REDACTED]"
	case AuthEmpty:
		return HeaderToken + ": (empty)"
	case AuthWrong:
		return HeaderToken + ": " + WrongToken
	}
	return "(no " + HeaderToken + " header)"
}

// String shows the exchange for a failure message: the request, the response
// and a curl command that replays it, with the token redacted throughout.
func (e *Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request:  %s %s\n", e.Method, e.URL)
	if e.ContentType != "" {
		fmt.Fprintf(&b, "          %s: %s\n", HeaderContentType, e.ContentType)
	}
	fmt.Fprintf(&b, "          %s\n", e.Auth.header())
	if e.ReqBody != nil {
		fmt.Fprintf(&b, "          body: %s\n", quoteBody(e.ReqBody))
	}
	switch {
	case e.Err != nil && e.Status == 0:
		fmt.Fprintf(&b, "response: none (%v)\n", e.Err)
	default:
		fmt.Fprintf(&b, "response: %d %s (after %s)\n", e.Status, http.StatusText(e.Status), e.Duration.Round(time.Millisecond))
		if loc := e.RespHeader.Get("Location"); loc != "" {
			fmt.Fprintf(&b, "          Location: %s\n", loc)
		}
		body := quoteBody(e.RespBody)
		if e.Truncated {
			body += " (truncated)"
		}
		fmt.Fprintf(&b, "          body: %s\n", body)
	}
	fmt.Fprintf(&b, "reproduce: %s", e.Curl())
	return e.Redact(b.String())
}

// quoteBody shows a body as text when it is printable, else Go-quoted.
func quoteBody(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	const show = 2000
	s, more := string(b), ""
	if len(s) > show {
		s, more = s[:show], fmt.Sprintf(" ... (%d bytes in all)", len(b))
	}
	for _, r := range s {
		if r == '\uFFFD' || (r < ' ' && r != '\n' && r != '\t') || r == 0x7f {
			return fmt.Sprintf("%q%s", s, more)
		}
	}
	return s + more
}

// Curl is a shell command that replays the request. The configured token
// appears as $SWR_TOKEN, so the command can be pasted into a report as is.
func (e *Exchange) Curl() string {
	parts := []string{"curl", "-sS", "-i", "-X", e.Method, ShellQuote(e.URL)}
	if e.ContentType != "" {
		parts = append(parts, "-H", ShellQuote(HeaderContentType+": "+e.ContentType))
	}
	switch e.Auth {
	case AuthToken:
		parts = append(parts, "-H", `"`+HeaderToken+`: $SWR_TOKEN"`)
	case AuthEmpty:
		parts = append(parts, "-H", ShellQuote(HeaderToken+";")) // curl's spelling of an empty header
	case AuthWrong:
		parts = append(parts, "-H", ShellQuote(HeaderToken+": "+WrongToken))
	}
	if e.ReqBody != nil {
		parts = append(parts, "--data-binary", ShellQuote(string(e.ReqBody)))
	}
	return e.Redact(strings.Join(parts, " "))
}

// ShellQuote quotes s for a POSIX shell; bytes a terminal would not show are
// written as $'\xHH' so the command survives copy and paste.
func ShellQuote(s string) string {
	printable := true
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			printable = false
			break
		}
	}
	if printable {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
