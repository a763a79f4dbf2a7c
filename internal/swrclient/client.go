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

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/redact"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// MaxBody caps how much of a response body is read: a misbehaving target must
// not be able to exhaust the suite's memory.
const MaxBody = 1 << 20

// Request is one call to the target. Path is already escaped (see the *Path
// helpers).
type Request struct {
	Op          contract.Operation
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
	Op          contract.Operation
	Method      string
	URL         string // the target's base and Path
	Path        string // below the target's base, escaped as sent
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
	// attempt (contract section 6).
	SlowDowns int
	// NotResent says why a request without an answer was not sent again.
	NotResent string
	// Replay, when set, makes the reproduction complete on a clean target:
	// see Replay.
	Replay *Replay

	redactor *redact.Redactor    // the client's: removes the token from wire text
	slow     transport.SlowDowns // counts SlowDowns while the attempt runs
	changed  byte                // AuthLastChanged: the character that replaced the token's last
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
	base     string
	token    string
	redactor *redact.Redactor // of the token, in every escaped form; built once
	timeout  time.Duration
	http     *http.Client
	// Observe, when set, sees every finished exchange (the suite records
	// the status codes a target answers). It must be safe for concurrent use.
	Observe func(*Exchange)
}

// New returns a client for the target at base (no trailing '/'), sending
// through rt (nil: http.DefaultTransport) and waiting at most timeout (0:
// no limit) for an answer, its body included. Redirects are not followed: a
// 3xx is an answer to judge, and following it could carry the token to
// another host.
//
// The timeout is a deadline on each attempt's context, not
// http.Client.Timeout: for a RoundTripper it does not know (the retrying
// transport), net/http enforces Client.Timeout with a timer, two channels
// and two goroutines per request; a context deadline is what it would use
// for its own transports, and bounds the same: connecting, the retries'
// waits, the answer and its body.
func New(base, token string, rt http.RoundTripper, timeout time.Duration) *Client {
	return &Client{
		base:     strings.TrimRight(base, "/"),
		token:    token,
		redactor: newRedactor(token),
		timeout:  timeout,
		http: &http.Client{
			Transport:     rt,
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
	ex := &Exchange{Op: r.Op, Method: r.Method, URL: c.base + r.Path, Path: r.Path, Auth: r.Auth, ReqBody: r.Body, redactor: c.redactor, changed: changedLast(c.token)}
	parent := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel() // after the body is read: the deadline bounds it too
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
		ex.ContentType = r.ContentType
		if ex.ContentType == "" {
			ex.ContentType = contract.ContentTypeJSON
		}
	}
	req, err := http.NewRequestWithContext(ex.slow.Bind(ctx), r.Method, ex.URL, body)
	if err != nil {
		ex.Err = err
		return ex
	}
	if ex.ContentType != "" {
		req.Header.Set(contract.HeaderContentType, ex.ContentType)
	}
	if v, present := r.Auth.value(c.token); present {
		req.Header[contract.HeaderToken] = []string{v}
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	ex.SlowDowns = ex.slow.Count()
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = c.scrubURLError(parent, err)
		return ex
	}
	defer resp.Body.Close()
	ex.Status = resp.StatusCode
	ex.RespHeader = resp.Header
	ex.RespBody, ex.Truncated, err = readBody(resp.Body, resp.ContentLength)
	if err != nil {
		ex.Err = c.scrubURLError(parent, err) // the timeout bounds the body too
	}
	ex.Duration = time.Since(start)
	return ex
}

// readBody reads at most MaxBody bytes of r, and says whether there was
// more. A body that announces its length (the usual error answer) is read
// into a buffer of that size, not grown into one as io.ReadAll does.
func readBody(r io.Reader, contentLength int64) ([]byte, bool, error) {
	size := int64(512)
	if contentLength >= 0 {
		// One byte over: the read that finds the end needs room to try.
		size = min(contentLength, MaxBody) + 1
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append pick the next capacity
		}
		n, err := r.Read(b[len(b):min(cap(b), MaxBody+1)])
		b = b[:len(b)+n]
		if len(b) > MaxBody {
			return b[:MaxBody], true, nil
		}
		if err == io.EOF {
			return b, false, nil
		}
		if err != nil {
			return b, false, err
		}
	}
}

// scrubURLError says in words when the target did not answer in time, and
// whether it was the client's timeout (not parent's deadline) that ran out.
func (c *Client) scrubURLError(parent context.Context, err error) error {
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if c.timeout > 0 && parent.Err() == nil {
		return fmt.Errorf("no answer in time (timeout %s): %w", c.timeout, err)
	}
	return fmt.Errorf("no answer in time: %w", err)
}

// Redact replaces every occurrence of the configured token in s, in any of
// the escaped forms text from the wire may carry it in.
func (e *Exchange) Redact(s string) string { return e.redactor.String(s) }

// String shows the exchange for a failure message: the request, the response
// and a curl command that replays it. What came from the wire (the answer,
// transport errors) has the token removed; the suite's own words are never
// touched, so a short token cannot change them.
func (e *Exchange) String() string {
	if e.Replay != nil {
		return e.Summary() + e.Replay.snippet(e)
	}
	return e.Summary() + "reproduce: " + e.Curl()
}

// Summary shows the request and the response, without a reproduction: for
// an exchange whose reproduction is part of another's (a write shown before
// the read-back that judges its effect).
func (e *Exchange) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request:  %s %s\n", e.Method, e.URL)
	if e.ContentType != "" {
		fmt.Fprintf(&b, "          %s: %s\n", contract.HeaderContentType, e.ContentType)
	}
	fmt.Fprintf(&b, "          %s\n", e.Auth.header())
	if e.ReqBody != nil {
		// The suite wrote it, but a body may quote a secret (a test may
		// send one on purpose): shown, like the answer, without it.
		fmt.Fprintf(&b, "          body: %s\n", e.Redact(quoteBody(e.ReqBody)))
	}
	a := e.answer(quoteBody)
	for _, line := range a.attempts {
		b.WriteString(line + "\n")
	}
	if a.none != "" {
		fmt.Fprintf(&b, "response: none (%s)\n", a.none)
		if a.notResent != "" {
			fmt.Fprintf(&b, "          not sent again: %s\n", a.notResent)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "response: %s\n", a.status)
	for _, n := range a.notes {
		fmt.Fprintf(&b, "          %s\n", n)
	}
	fmt.Fprintf(&b, "          body: %s\n", a.body)
	return b.String()
}

// RequestText is the request as sent, laid out as HTTP: the method and
// URL, the headers (the token redacted), a blank line and the body. For
// reports that show the request, the response and the reproduction apart.
func (e *Exchange) RequestText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", e.Method, e.URL)
	if e.ContentType != "" {
		fmt.Fprintf(&b, "%s: %s\n", contract.HeaderContentType, e.ContentType)
	}
	fmt.Fprintf(&b, "%s\n", e.Auth.header())
	if e.ReqBody != nil {
		fmt.Fprintf(&b, "\n%s\n", e.Redact(shownBody(e.ReqBody)))
	}
	return b.String()
}

// ResponseText is what came of the request, laid out as HTTP: the status
// (and the attempts that got no answer before it), the Location header if
// any, a blank line and the body; or why nothing came back.
func (e *Exchange) ResponseText() string {
	var b strings.Builder
	a := e.answer(shownBody)
	for _, line := range a.attempts {
		b.WriteString(line + "\n")
	}
	if a.none != "" {
		fmt.Fprintf(&b, "no answer (%s)\n", a.none)
		if a.notResent != "" {
			fmt.Fprintf(&b, "not sent again: %s\n", a.notResent)
		}
		return b.String()
	}
	b.WriteString(a.status + "\n")
	for _, n := range a.notes {
		b.WriteString(n + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n", a.body)
	return b.String()
}

// answer is what came of the request, in the parts Summary (the console's
// failure text) and ResponseText (the reports') lay out each their way:
// the attempts that got no answer, and either why none came (none, and
// why it was not sent again) or the status line, the notes under it (slow-
// downs waited out, a Location) and the body as show renders it. Text from
// the wire is redacted.
type answer struct {
	attempts        []string
	none, notResent string
	status          string
	notes           []string
	body            string
}

func (e *Exchange) answer(show func([]byte) string) answer {
	var a answer
	for i, err := range e.Unanswered {
		a.attempts = append(a.attempts, fmt.Sprintf("attempt %d: no answer (%s), sent again", i+1, e.Redact(err.Error())))
	}
	if e.Err != nil && e.Status == 0 {
		a.none, a.notResent = e.Redact(e.Err.Error()), e.NotResent
		return a
	}
	after := e.Duration.Round(time.Millisecond).String()
	if e.Duration < time.Millisecond {
		after = "under 1ms"
	}
	a.status = fmt.Sprintf("%d %s (after %s)", e.Status, http.StatusText(e.Status), after)
	if e.SlowDowns > 0 {
		a.notes = append(a.notes, fmt.Sprintf("(after %d slow-down answers, 429/503, waited out and sent again)", e.SlowDowns))
	}
	if loc := e.RespHeader.Get("Location"); loc != "" {
		a.notes = append(a.notes, "Location: "+e.Redact(loc))
	}
	a.body = e.Redact(show(e.RespBody))
	if e.Truncated {
		a.body += " (truncated)"
	}
	return a
}

// Reproduction is the shell snippet that replays the exchange (its set-up
// and cleanup too, with a Replay), led by a comment saying where it runs:
// the same commands String shows, ready to paste.
func (e *Exchange) Reproduction() string {
	if e.Replay != nil {
		return "# on a target where this share does not exist yet; export SWR_TOKEN first\n" + e.Replay.commands(e)
	}
	return "# export SWR_TOKEN first\n" + e.Curl()
}

// shownBody is quoteBody for a block of its own: without the final line
// break, which shows as nothing but an empty line; a body of line breaks
// alone is quoted, so that it does not show as nothing.
func shownBody(b []byte) string {
	s := quoteBody(b)
	if t := strings.TrimRight(s, "\r\n"); t != "" {
		return t
	}
	return fmt.Sprintf("%q", s)
}

// BodyText shows a body as the reports do: as text when it is printable
// (JSON as JSON), else Go-quoted; "(empty)" when there is none.
func BodyText(b []byte) string { return quoteBody(b) }

// Replay is what a request's reproduction needs besides the request: the
// writes that brought the share to the state the request met (the first
// create before a duplicate, the create before an update), and the shares to
// remove afterwards. With it, the reproduction is one shell snippet that
// runs on a target where those shares do not exist yet, shows the answer of
// the request, and leaves nothing behind.
//
// For a read-back that judges a write's effect (a refused write that took
// effect, a write that is not visible, an update that touched another
// share), Write is that write: the snippet sends the set-up, the write and
// the read, each answer shown, and removes what it made only at the end, so
// that the read shows the state the failure is about.
type Replay struct {
	Setup  []*Exchange // sent first, in order; their answers are shown as one status line each
	Write  *Exchange   // sent after the set-up, its answer shown: the write whose effect the request reads
	Remove []string    // URLs of shares to DELETE at the end, silently
}

// snippet renders the reproduction of e.
func (r *Replay) snippet(e *Exchange) string {
	return "reproduce, on a target where this share does not exist yet (a shell snippet; export SWR_TOKEN first):\n" + r.commands(e)
}

// commands are the snippet's commands.
func (r *Replay) commands(e *Exchange) string {
	var b strings.Builder
	for _, s := range r.Setup {
		b.WriteString(s.curl("-sS", "-o", "/dev/null", "-w", ShellQuote("set-up: "+s.Method+" answered %{http_code}\\n")))
		b.WriteByte('\n')
	}
	if r.Write != nil {
		b.WriteString("echo " + ShellQuote("== the write ("+r.Write.Method+"):") + "\n")
		b.WriteString(r.Write.curl("-sS", "-i", "-w", ShellQuote("\\n")))
		b.WriteString("\necho " + ShellQuote("== read back ("+e.Method+"), the state the failure is about:") + "\n")
	}
	b.WriteString(e.curl("-sS", "-i"))
	for _, u := range r.Remove {
		del := &Exchange{Method: http.MethodDelete, URL: u, Auth: AuthToken, redactor: e.redactor}
		b.WriteByte('\n')
		b.WriteString(del.curl("-sS", "-o", "/dev/null"))
	}
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
func (e *Exchange) Curl() string { return e.curl("-sS", "-i") }

// curl is Curl with the given output options.
func (e *Exchange) curl(output ...string) string {
	parts := append(append([]string{"curl"}, output...), "-X", e.Method, ShellQuote(e.URL))
	if e.ContentType != "" {
		parts = append(parts, "-H", ShellQuote(contract.HeaderContentType+": "+e.ContentType))
	}
	parts = append(parts, e.Auth.curlHeader(e.changed)...)
	if e.ReqBody == nil {
		// The other parts are the suite's own: the token is only ever $SWR_TOKEN.
		return strings.Join(parts, " ")
	}
	body := e.Redact(string(e.ReqBody))
	if printable(body) {
		return strings.Join(append(parts, "--data-binary", ShellQuote(body)), " ")
	}
	// A body with line breaks, control characters or non-ASCII bytes is
	// written with printf's octal escapes and piped in: byte for byte,
	// on one line, in any POSIX shell ($'...' is not one: dash, Debian's
	// sh, sends it as text).
	return "printf " + printfFormat(body) + " | " + strings.Join(append(parts, "--data-binary", "@-"), " ")
}

// printable reports whether s is printable ASCII, which a terminal shows
// and a shell's single quotes keep as it is.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// printfFormat is s as a single-quoted printf format that prints s: '\',
// '%' and the quote escaped, and every byte that is not printable ASCII as
// a three-digit octal escape.
func printfFormat(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			b.WriteString(`'\''`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '%':
			b.WriteString("%%")
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// ShellQuote quotes s for a POSIX shell; bytes a terminal would not show are
// written as $'\xHH' so the command survives copy and paste.
func ShellQuote(s string) string {
	if printable(s) {
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
