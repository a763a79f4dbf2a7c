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

	"github.com/swr-conformance/swr-conformance/internal/transport"
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

// Operation names which call of the API a request is. The suite certifies
// OpCreate and OpUpdate; the others are the neighbouring operations it uses
// to set up, read back and clean up (CONTRACT-NOTES.md section 1).
type Operation string

const (
	OpCreate           Operation = "create"
	OpUpdate           Operation = "update"
	OpShow             Operation = "show"
	OpList             Operation = "list"
	OpDelete           Operation = "delete"
	OpCreateNamespace  Operation = "create namespace"
	OpDeleteNamespace  Operation = "delete namespace"
	OpCreateRepository Operation = "create repository"
	OpDeleteRepository Operation = "delete repository"
)

// Certified reports whether op is one of the two operations the suite judges.
func (op Operation) Certified() bool { return op == OpCreate || op == OpUpdate }

// Request is one call to the target. Path is already escaped (see the *Path
// helpers).
type Request struct {
	Op          Operation
	Method      string
	Path        string
	Body        []byte // nil: no body
	ContentType string // "": application/json when there is a body
	Auth        Auth
	// Resend prepares sending a POST again after an attempt that got no
	// answer at all (the write may or may not have happened); nil: a POST
	// is never sent twice. GET, PATCH and DELETE are sent again without it:
	// sending them twice has the effect of sending them once.
	Resend func(context.Context) error
}

// MaxResends is how often a request that got no answer at all (a dropped
// connection, a timeout) is sent again. No answer is never a verdict.
const MaxResends = 2

// Exchange is a request and what came of it.
type Exchange struct {
	Op          Operation
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
	// Unanswered are the earlier attempts that got no answer at all, oldest
	// first; the exchange is the last attempt.
	Unanswered []error
	// SlowDowns counts the 429 and 503 answers the transport waited out and
	// retried before this answer: a retried create may meet its own first
	// attempt (CONTRACT-NOTES.md section 6).
	SlowDowns int
	// NotResent says why a request without an answer was not sent again.
	NotResent string

	token string // for redaction only
}

// Answered reports whether the target answered at all. A request without an
// answer is a problem of the run, never a verdict on the target.
func (e *Exchange) Answered() bool { return e.Err == nil && e.Status != 0 }

// Succeeded reports whether the target answered with a 2xx: success for a
// neighbouring operation, whose documented code a target need not keep
// (some regions answer 200 for a create). Only the two certified
// operations are held to their exact codes.
func (e *Exchange) Succeeded() bool { return e.Answered() && e.Status >= 200 && e.Status < 300 }

// Client sends requests to one target with one token.
type Client struct {
	base  string
	token string
	http  *http.Client
	// Observe, when set, sees every finished exchange (the suite records
	// the status codes a target answers). It must be safe for concurrent use.
	Observe func(*Exchange)
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
// Exchange.Err, never panicked or dropped. A request that got no answer at
// all is sent again, up to MaxResends times, where that is safe (see
// Request.Resend); the run's own end (a cancelled context) is not resent.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	var unanswered []error
	for attempt := 0; ; attempt++ {
		ex := c.attempt(ctx, r)
		ex.Unanswered = unanswered
		if ex.Answered() || ctx.Err() != nil {
			c.observe(ex)
			return ex
		}
		why := ""
		switch {
		case attempt >= MaxResends:
			why = fmt.Sprintf("no answer after %d attempts", attempt+1)
		case r.Method == http.MethodPost && r.Resend == nil:
			why = "a create is not sent twice when the first may have taken effect"
		case r.Method == http.MethodPost:
			if err := r.Resend(ctx); err != nil {
				why = "could not tell whether the unanswered request took effect: " + err.Error()
			}
		}
		if why != "" {
			ex.NotResent = why
			c.observe(ex)
			return ex
		}
		unanswered = append(unanswered, ex.Err)
	}
}

func (c *Client) observe(ex *Exchange) {
	if c.Observe != nil {
		c.Observe(ex)
	}
}

func (c *Client) attempt(ctx context.Context, r Request) *Exchange {
	ex := &Exchange{Op: r.Op, Method: r.Method, URL: c.base + r.Path, Auth: r.Auth, ReqBody: r.Body, token: c.token}
	ctx, slowDowns := transport.CountSlowDowns(ctx)
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
	ex.SlowDowns = int(slowDowns.Load())
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
// and a curl command that replays it. What came from the wire (the answer,
// transport errors) has the token removed; the suite's own words are never
// touched, so a short token cannot change them.
func (e *Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request:  %s %s\n", e.Method, e.URL)
	if e.ContentType != "" {
		fmt.Fprintf(&b, "          %s: %s\n", HeaderContentType, e.ContentType)
	}
	fmt.Fprintf(&b, "          %s\n", e.Auth.header())
	if e.ReqBody != nil {
		// The suite wrote it, but a body may quote a secret (a test may
		// send one on purpose): shown, like the answer, without it.
		fmt.Fprintf(&b, "          body: %s\n", e.Redact(quoteBody(e.ReqBody)))
	}
	for i, err := range e.Unanswered {
		fmt.Fprintf(&b, "attempt %d: no answer (%s), sent again\n", i+1, e.Redact(err.Error()))
	}
	switch {
	case e.Err != nil && e.Status == 0:
		fmt.Fprintf(&b, "response: none (%s)\n", e.Redact(e.Err.Error()))
		if e.NotResent != "" {
			fmt.Fprintf(&b, "          not sent again: %s\n", e.NotResent)
		}
	default:
		fmt.Fprintf(&b, "response: %d %s (after %s)\n", e.Status, http.StatusText(e.Status), e.Duration.Round(time.Millisecond))
		if e.SlowDowns > 0 {
			fmt.Fprintf(&b, "          (after %d slow-down answers, 429/503, waited out and sent again)\n", e.SlowDowns)
		}
		if loc := e.RespHeader.Get("Location"); loc != "" {
			fmt.Fprintf(&b, "          Location: %s\n", e.Redact(loc))
		}
		body := e.Redact(quoteBody(e.RespBody))
		if e.Truncated {
			body += " (truncated)"
		}
		fmt.Fprintf(&b, "          body: %s\n", body)
	}
	fmt.Fprintf(&b, "reproduce: %s", e.Curl())
	return b.String()
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
		parts = append(parts, "--data-binary", ShellQuote(e.Redact(string(e.ReqBody))))
	}
	// The other parts are the suite's own: the token is only ever $SWR_TOKEN.
	return strings.Join(parts, " ")
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
