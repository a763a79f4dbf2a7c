// Package transport is how the suite reaches a target over HTTP: the base
// http.RoundTripper (Base: dial and TLS handshake bounded, connections kept
// for the concurrency the suite uses) and the policy for 429 and 503
// answers (Policy): rate limiting and brief unavailability are weather, not
// a verdict on the API under test, so such an answer is sent again after
// the wait the server asks for, or a growing backoff.
//
// The suite's client (internal/swrclient) applies the policy in its one
// send loop, where every attempt is recorded; Transport applies it as a
// RoundTripper, for the one request that goes elsewhere (IAM's token).
// Everything else, transport errors included, is passed through untouched:
// the suite reports those, and retrying them would hide what it is there to
// find. Every wait honours the request's context, so a run never hangs past
// its deadline.
package transport

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxRetries is the number of retries of a 429 or 503 answer when
// Options.MaxRetries is 0. With the backoff of 0.5s, 1s, 2s, 4s it rides out
// about 8 s of throttling without a Retry-After, and up to 4×MaxWait with one.
const DefaultMaxRetries = 4

// DefaultMaxWait is the longest single Retry-After honoured when
// Options.MaxWait is 0.
const DefaultMaxWait = 30 * time.Second

// firstBackoff is the wait before the first retry when the server gives no
// usable Retry-After; it doubles with every further retry.
const firstBackoff = 500 * time.Millisecond

// drainLimit caps how much of a retried answer's body is read before it is
// closed: reading it to the end lets the connection be reused, but a huge
// error page is not worth the time, and closing early only costs the
// connection.
const drainLimit = 64 << 10

// Options configure a Transport. The zero value is usable: the default base
// transport, DefaultMaxRetries retries, DefaultMaxWait.
type Options struct {
	// InsecureSkipVerify turns off TLS certificate checks of the default
	// Base (SWR_INSECURE_SKIP_VERIFY); it has no effect on a Base given.
	InsecureSkipVerify bool
	// Base sends the requests. nil: a clone of http.DefaultTransport with a
	// 10 s dial and a 10 s TLS handshake timeout. There is deliberately no
	// response-header timeout: the per-request timeout is the http.Client's.
	Base http.RoundTripper
	// MaxRetries is how many times a 429 or 503 answer is retried. 0: use
	// DefaultMaxRetries; negative: never retry.
	MaxRetries int
	// MaxWait is the longest single wait honoured. A Retry-After asking for
	// more gives up at once and returns that answer; the exponential backoff
	// is capped at it. 0 (or less): DefaultMaxWait.
	MaxWait time.Duration
	// Sleep waits for d or until ctx ends, whichever comes first, and then
	// returns ctx.Err() if ctx ended. nil: a real timer. Tests replace it to
	// stay instant and deterministic.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Stats count what the transport did. Retries a server asked for are split by
// status so a report can tell throttling (429) from unavailability (503).
type Stats struct {
	// Requests is the number of requests made (calls to RoundTrip, or to
	// the client's Do). Requests sent on the wire = Requests + Retries429 +
	// Retries503 + resends of requests that got no answer.
	Requests int64 `json:"requests"`
	// Sent counts every sending on the wire; Refused429 and Refused503
	// every answer 429 and 503, retried or not (the client's; a Transport
	// leaves them 0).
	Sent       int64 `json:"sent,omitempty"`
	Refused429 int64 `json:"refused_429,omitempty"`
	Refused503 int64 `json:"refused_503,omitempty"`
	// Retries429 and Retries503 count retries made after a 429 or a 503.
	Retries429 int64 `json:"retries_429"`
	Retries503 int64 `json:"retries_503"`
	// GaveUp counts 429 and 503 answers returned to the caller: retries
	// exhausted or not allowed, a Retry-After beyond MaxWait or beyond the
	// request's deadline, or a body that cannot be sent again.
	GaveUp int64 `json:"gave_up"`
	// Waited is the total time slept before retries (not the pacing of the
	// run's rate, which the limiter counts: pace.Stats).
	Waited time.Duration `json:"waited_ns"`
}

// Transport is an http.RoundTripper; see the package comment. It is safe for
// concurrent use.
type Transport struct {
	base   http.RoundTripper
	policy Policy
	sleep  func(context.Context, time.Duration) error

	requests, retries429, retries503, gaveUp, waited atomic.Int64
}

// New returns a Transport for o.
func New(o Options) *Transport {
	t := &Transport{base: o.Base, policy: NewPolicy(o.MaxRetries, o.MaxWait), sleep: o.Sleep}
	if t.base == nil {
		t.base = Base(o.InsecureSkipVerify)
	}
	if t.sleep == nil {
		t.sleep = Sleep
	}
	return t
}

// Policy says whether and after how long a 429 or 503 answer is sent
// again. Its zero value never retries; see NewPolicy.
type Policy struct {
	maxRetries int // < 0: never
	maxWait    time.Duration
	// Now is the clock a Retry-After date without a Date header is read
	// against; tests replace it.
	Now func() time.Time
}

// NewPolicy is the policy of maxRetries retries (0: DefaultMaxRetries;
// negative: never) and single waits up to maxWait (0 or less:
// DefaultMaxWait).
func NewPolicy(maxRetries int, maxWait time.Duration) Policy {
	if maxRetries == 0 {
		maxRetries = DefaultMaxRetries
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	return Policy{maxRetries: maxRetries, maxWait: maxWait, Now: time.Now}
}

// Wait says whether the 429 or 503 answer with header h, to the
// attempt-th slow-down of a request (0-based), may be sent again and after
// how long: never past ctx's deadline, where the real answer is more useful
// to the caller than a timeout error a wait later.
func (p Policy) Wait(ctx context.Context, h http.Header, attempt int) (time.Duration, bool) {
	wait, ok := p.retryWait(h, attempt)
	if ok {
		if dl, has := ctx.Deadline(); has && p.Now().Add(wait).After(dl) {
			ok = false
		}
	}
	return wait, ok
}

// Base is the base transport of every request of a run; insecure turns
// off TLS certificate checks (SWR_INSECURE_SKIP_VERIFY).
func Base(insecure bool) http.RoundTripper { return defaultBase(insecure) }

// defaultBase is http.DefaultTransport (proxy from the environment, HTTP/2,
// connection pooling) with timeouts that turn an unreachable or stalled
// registry into an error instead of a hang.
func defaultBase(insecure bool) http.RoundTripper {
	var tr *http.Transport
	if d, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = d.Clone()
	} else {
		// Someone replaced the default; start from the same essentials.
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second}
	}
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	// The suite talks to one host with up to SWR_CONCURRENCY requests at
	// once. With net/http's default of 2 idle connections per host, every
	// request beyond the second that finishes closes its connection, and
	// the next one dials (on TLS: shakes hands) again, which at concurrency
	// 8 costs more than the request.
	tr.MaxIdleConnsPerHost = 64
	if tr.MaxIdleConns != 0 && tr.MaxIdleConns < tr.MaxIdleConnsPerHost {
		tr.MaxIdleConns = tr.MaxIdleConnsPerHost
	}
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // the user's choice, reported on every run
	}
	return tr
}

// SlowDown reports whether status asks the client to slow down (429 Too
// Many Requests, 503 Service Unavailable): weather, waited out and sent
// again, never a verdict. The one definition, for the client's loop, the
// run's rate limiter and Transport.
func SlowDown(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// Sleep is a real wait: a timer that gives way to the context.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns a snapshot of the counters. Each counter is read atomically;
// the snapshot as a whole is not, which is fine for a report.
func (t *Transport) Stats() Stats {
	return Stats{
		Requests:   t.requests.Load(),
		Retries429: t.retries429.Load(),
		Retries503: t.retries503.Load(),
		GaveUp:     t.gaveUp.Load(),
		Waited:     time.Duration(t.waited.Load()),
	}
}

// CloseIdleConnections forwards to the base transport, so that
// http.Client.CloseIdleConnections keeps working through this wrapper.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip sends req and retries 429 and 503 answers as the Options say.
// It returns the final answer or the base transport's error unchanged, or
// the context's error when the context ends while waiting.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	ctx := req.Context()
	hasBody := req.Body != nil && req.Body != http.NoBody
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			// A RoundTripper must not modify the caller's request, so each
			// retry sends a shallow copy with a fresh reader of the body.
			// The rest (header, URL) is only read on the way out, as
			// net/http's own copies of a request rely on, so it is shared.
			retry := *req
			if hasBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				retry.Body = body
			}
			r = &retry
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil || !SlowDown(resp.StatusCode) {
			return resp, err
		}
		wait, ok := t.policy.Wait(ctx, resp.Header, attempt)
		if ok && hasBody && req.GetBody == nil {
			ok = false // the body was consumed and cannot be sent again
		}
		if !ok {
			t.gaveUp.Add(1)
			return resp, nil
		}
		// This answer is not the verdict: free its connection before waiting.
		Discard(resp)
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
		t.waited.Add(int64(wait))
		if resp.StatusCode == http.StatusTooManyRequests {
			t.retries429.Add(1)
		} else {
			t.retries503.Add(1)
		}
	}
}

// Discard reads a little of an answer that is not the verdict (a 429 or
// 503 about to be retried) and closes it: reading it to the end lets the
// connection be reused, but a huge error page is not worth the time.
func Discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	resp.Body.Close()
}

// retryWait says whether the 429/503 answer resp, to the attempt-th try
// (0-based), may be retried and after how long.
func (t Policy) retryWait(h http.Header, attempt int) (time.Duration, bool) {
	if t.maxRetries < 0 || attempt >= t.maxRetries {
		return 0, false
	}
	if d, ok := t.retryAfter(h); ok {
		// A server that asks for longer than we are willing to wait has told
		// us the answer for now; waiting less would only be refused again.
		return d, d <= t.maxWait
	}
	d := t.maxWait
	if attempt < 30 { // beyond that the shift overflows; the cap applies anyway
		if b := firstBackoff << attempt; b < d {
			d = b
		}
	}
	return d, true
}

// retryAfter reads Retry-After as delay-seconds or an HTTP-date
// (RFC 9110, 10.2.3). ok is false when it is missing or unusable, in which
// case the caller backs off exponentially.
func (t Policy) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(t.maxWait/time.Second)+1 {
			// More digits than int64 holds, or more than we would wait
			// anyway: too long, said without overflowing time.Duration.
			return t.maxWait + time.Second, true
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	// Measure the date against the server's own Date header when it has one:
	// a CI runner whose clock is off by minutes would otherwise wait far too
	// long or not at all.
	ref := t.Now()
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		ref = d
	}
	d := at.Sub(ref)
	if d < 0 {
		d = 0
	}
	return d, true
}

// isDigits reports whether s is delay-seconds: one or more ASCII digits (a
// sign is not allowed, so "-1" counts as unusable).
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
