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
	"sync/atomic"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
	"github.com/swr-conformance/swr-conformance/internal/pace"
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
	// Resend says whether a POST that got no answer at all may be sent
	// again (the write may or may not have happened). GET, PATCH and
	// DELETE are sent again whatever it says: sending them twice has the
	// effect of sending them once.
	Resend Resend
	// Share is the share a ResendOnceRemoved create is about.
	Share ShareKey
	// Replay, when set, makes the exchange's reproduction complete on a
	// clean target (see Replay): it is part of the exchange from the start.
	Replay *Replay
}

// Resend is what may be done with a POST that got no answer at all.
type Resend int

const (
	// NeverResent: a create is not sent twice when the first may have
	// taken effect (the zero value).
	NeverResent Resend = iota
	// ResendFreely: a second sending cannot change the outcome (a
	// duplicate create, a name the run alone uses).
	ResendFreely
	// ResendOnceRemoved: the share the create is about (Request.Share) is
	// removed through the client's Remover first, so that the second
	// sending meets the state the first one was meant to meet.
	ResendOnceRemoved
)

// ShareKey names a share: a repository and the account it is shared with.
type ShareKey struct{ Namespace, Repository, Account string }

// Remover removes a share of the suite's own accounts, as cleanup does; it
// is the fixture's (target.Target), given to the client once.
type Remover interface {
	RemoveShare(ctx context.Context, ns, repo, account string) error
}

// MaxResends is how often a request that got no answer at all (a dropped
// connection, a timeout) is sent again. No answer is never a verdict.
const MaxResends = 2

// Attempt is one sending of a request and what came of it.
type Attempt struct {
	Status   int   // 0: no answer
	Err      error // why no answer came
	Duration time.Duration
	// Waited is the time waited before the next attempt: the 429 or 503
	// answer's Retry-After, or the backoff.
	Waited time.Duration
}

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
	Err         error         // transport error: no response
	Duration    time.Duration // of the last attempt
	// Attempts are every sending of the request, oldest first; the
	// exchange's answer is the last one's.
	Attempts []Attempt
	// NotResent says why a request without an answer was not sent again.
	NotResent string
	// Replay, when set, makes the reproduction complete on a clean target:
	// see Replay.
	Replay *Replay

	redactor *redact.Redactor // the client's: removes the token from wire text
	changed  byte             // AuthLastChanged: the character that replaced the token's last
	first    [1]Attempt       // Attempts' room for the usual one attempt, without an allocation
}

// Unanswered are the errors of the attempts before the last that got no
// answer at all, oldest first.
func (e *Exchange) Unanswered() []error {
	var errs []error
	for _, a := range e.Attempts[:max(0, len(e.Attempts)-1)] {
		if a.Err != nil || a.Status == 0 {
			errs = append(errs, a.Err)
		}
	}
	return errs
}

// SlowDowns counts the 429 and 503 answers waited out and sent again
// before this answer: a retried create may meet its own first attempt
// (contract section 6).
func (e *Exchange) SlowDowns() int {
	n := 0
	for _, a := range e.Attempts[:max(0, len(e.Attempts)-1)] {
		if a.Err == nil && transport.SlowDown(a.Status) {
			n++
		}
	}
	return n
}

// Answered reports whether the target answered at all. A request without an
// answer is a problem of the run, never a verdict on the target.
func (e *Exchange) Answered() bool { return e.Err == nil && e.Status != 0 }

// Succeeded reports whether the target answered with a 2xx: success for a
// neighbouring operation, whose documented code a target need not keep
// (some regions answer 200 for a create). Only the two certified
// operations are held to their exact codes.
func (e *Exchange) Succeeded() bool { return e.Answered() && e.Status >= 200 && e.Status < 300 }

// Client sends requests to one target with one token. Every request goes
// through Do's one loop: the gate's slot, the attempt, and, as its answer
// says, a wait and another attempt; every attempt is in the exchange.
type Client struct {
	base     string
	token    string
	redactor *redact.Redactor // of the token, in every escaped form; built once
	timeout  time.Duration
	http     *http.Client
	policy   transport.Policy
	sleep    func(context.Context, time.Duration) error

	// Gate paces the requests (the run's limiter); nil: not paced.
	Gate pace.Gate
	// Remover removes a share before a ResendOnceRemoved create is sent
	// again; nil: such a create is not sent again.
	Remover Remover
	// Journal keeps what the two certified operations answered, for the
	// reports; nil: kept nowhere.
	Journal *Journal

	requests, sent, refused429, refused503, retries429, retries503, gaveUp, waited atomic.Int64
}

// New returns a client for the target at base (no trailing '/'), sending
// through rt (nil: http.DefaultTransport; the run gives transport.Base) and
// waiting at most timeout (0: no limit) for each attempt's answer, its body
// included. Redirects are not followed: a 3xx is an answer to judge, and
// following it could carry the token to another host.
//
// The timeout is a deadline on each attempt's context, not
// http.Client.Timeout, which net/http enforces with a timer, two channels
// and two goroutines per request for a RoundTripper it does not know.
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
		policy: transport.NewPolicy(0, 0),
		sleep:  transport.Sleep,
	}
}

// Stats count what the client sent, and the slow-downs it waited out.
func (c *Client) Stats() transport.Stats {
	return transport.Stats{
		Requests:   c.requests.Load(),
		Sent:       c.sent.Load(),
		Refused429: c.refused429.Load(),
		Refused503: c.refused503.Load(),
		Retries429: c.retries429.Load(),
		Retries503: c.retries503.Load(),
		GaveUp:     c.gaveUp.Load(),
		Waited:     time.Duration(c.waited.Load()),
	}
}

// Base is the target's base URL.
func (c *Client) Base() string { return c.base }

// Do sends r and records the exchange. A transport failure is recorded in
// Exchange.Err, never panicked or dropped. Each attempt waits for the
// gate's slot first. A 429 or 503 answer is waited out and sent again as
// the policy says (transport.Policy); a request that got no answer at all
// is sent again, up to MaxResends times, where that is safe (see
// Request.Resend); the run's own end (a cancelled context) is not resent.
// The exchange is complete, its reproduction included, when Do returns.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	c.requests.Add(1)
	ex := &Exchange{Op: r.Op, Method: r.Method, URL: c.base + r.Path, Path: r.Path, Auth: r.Auth, ReqBody: r.Body, Replay: r.Replay, redactor: c.redactor, changed: changedLast(c.token)}
	if r.Body != nil {
		ex.ContentType = r.ContentType
		if ex.ContentType == "" {
			ex.ContentType = contract.ContentTypeJSON
		}
	}
	ex.Attempts = ex.first[:0]
	slowDowns, resends := 0, 0
	for {
		if c.Gate != nil {
			if err := c.Gate.Wait(ctx); err != nil {
				ex.Status, ex.Err = 0, fmt.Errorf("not sent: the run ended while waiting for its turn under the rate limit: %w", err)
				ex.Attempts = append(ex.Attempts, Attempt{Err: ex.Err})
				break
			}
		}
		c.attempt(ctx, r, ex)
		c.sent.Add(1)
		if c.Gate != nil {
			c.Gate.Answered(ex.Status)
		}
		switch {
		case !ex.Answered():
		case ex.Status == http.StatusTooManyRequests:
			c.refused429.Add(1)
		case ex.Status == http.StatusServiceUnavailable:
			c.refused503.Add(1)
		}
		if ex.Answered() && transport.SlowDown(ex.Status) {
			wait, ok := c.policy.Wait(ctx, ex.RespHeader, slowDowns)
			if !ok {
				c.gaveUp.Add(1)
				ex.Err = c.slowedDownPastRetries(ex, slowDowns)
				break
			}
			if err := c.sleep(ctx, wait); err != nil {
				ex.Err = c.slowedDownPastRetries(ex, slowDowns)
				break
			}
			ex.Attempts[len(ex.Attempts)-1].Waited = wait
			c.waited.Add(int64(wait))
			if ex.Status == http.StatusTooManyRequests {
				c.retries429.Add(1)
			} else {
				c.retries503.Add(1)
			}
			slowDowns++
			continue
		}
		if ex.Answered() || ctx.Err() != nil {
			break
		}
		if why := c.resend(ctx, r, resends); why != "" {
			ex.NotResent = why
			break
		}
		resends++
	}
	if c.Journal != nil {
		c.Journal.Add(ex)
	}
	return ex
}

// slowedDownPastRetries is the error of a request whose last answer was
// still a slow-down (429 or 503) when the retries, the wait allowed or the
// run's time ran out: the request has no answer to judge, since a
// slow-down is never a verdict (contract section 6). The status stays in
// the exchange, to be shown.
func (c *Client) slowedDownPastRetries(ex *Exchange, retried int) error {
	var waited time.Duration
	for _, a := range ex.Attempts {
		waited += a.Waited
	}
	return fmt.Errorf("still slowed down (%d %s) after %d retries and %s of waiting: a slow-down is never a verdict (contract section 6)",
		ex.Status, http.StatusText(ex.Status), retried, waited.Round(time.Millisecond))
}

// resend makes sending r again after an attempt without an answer safe to
// judge, or says why it is not sent again.
func (c *Client) resend(ctx context.Context, r Request, resends int) string {
	switch {
	case resends >= MaxResends:
		return fmt.Sprintf("no answer after %d attempts", resends+1)
	case r.Method != http.MethodPost || r.Resend == ResendFreely:
		return ""
	case r.Resend == ResendOnceRemoved && c.Remover != nil:
		if err := c.Remover.RemoveShare(ctx, r.Share.Namespace, r.Share.Repository, r.Share.Account); err != nil {
			return "could not tell whether the unanswered request took effect: " + err.Error()
		}
		return ""
	}
	return "a create is not sent twice when the first may have taken effect"
}

// attempt sends r once and makes its answer, or the lack of one, the
// exchange's, adding it to ex.Attempts.
func (c *Client) attempt(ctx context.Context, r Request, ex *Exchange) {
	ex.Status, ex.Err, ex.RespBody, ex.Truncated, ex.RespHeader = 0, nil, nil, false, nil
	defer func() {
		ex.Attempts = append(ex.Attempts, Attempt{Status: ex.Status, Err: ex.Err, Duration: ex.Duration})
	}()
	parent := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel() // after the body is read: the deadline bounds it too
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, ex.URL, body)
	if err != nil {
		ex.Err = err
		return
	}
	if ex.ContentType != "" {
		req.Header.Set(contract.HeaderContentType, ex.ContentType)
	}
	if v, present := r.Auth.value(c.token); present {
		req.Header[contract.HeaderToken] = []string{v}
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Err = c.scrubURLError(parent, err)
		return
	}
	ex.Status = resp.StatusCode
	ex.RespHeader = resp.Header
	ex.RespBody, ex.Truncated, err = readBody(resp.Body, resp.ContentLength)
	resp.Body.Close()
	if err != nil {
		ex.Err = c.scrubURLError(parent, err) // the timeout bounds the body too
	}
	ex.Duration = time.Since(start)
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
	for i, err := range e.Unanswered() {
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
	if e.Err != nil {
		a.notes = append(a.notes, "no answer to judge: "+e.Redact(e.Err.Error()))
	}
	if n := e.SlowDowns(); n > 0 {
		a.notes = append(a.notes, fmt.Sprintf("(after %d slow-down answers, 429/503, waited out and sent again)", n))
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
