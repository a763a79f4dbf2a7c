// Package transport is the http.RoundTripper the suite sends every request
// through when it runs against a shared, production registry. It does two
// things and nothing else:
//
//   - it paces requests (a token bucket across all goroutines), so the suite
//     does not provoke the rate limiting it then has to sit out;
//   - it retries 429 and 503 answers after the wait the server asks for,
//     because rate limiting and brief unavailability are weather, not a
//     verdict on the API under test. Only the final answer reaches the caller.
//
// Everything else, transport errors included, is passed through untouched:
// the suite reports those, and retrying them would hide what it is there to
// find. Every wait honours the request's context, so a run never hangs past
// its deadline.
package transport

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
// transport, no pacing, DefaultMaxRetries retries, DefaultMaxWait.
type Options struct {
	// InsecureSkipVerify turns off TLS certificate checks of the default
	// Base (SWR_INSECURE_SKIP_VERIFY); it has no effect on a Base given.
	InsecureSkipVerify bool
	// Base sends the requests. nil: a clone of http.DefaultTransport with a
	// 10 s dial and a 10 s TLS handshake timeout. There is deliberately no
	// response-header timeout: the per-request timeout is the http.Client's.
	Base http.RoundTripper
	// Rate is the most requests per second, across all goroutines and
	// including retries (a retry is a request the registry counts too).
	// 0 (or less): unlimited. The bucket holds one token: no bursts.
	Rate float64
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
	// Requests is the number of calls to RoundTrip, i.e. requests the suite
	// made. Requests sent on the wire = Requests + Retries429 + Retries503
	// (less any that ended while waiting).
	Requests int64
	// Retries429 and Retries503 count retries made after a 429 or a 503.
	Retries429, Retries503 int64
	// GaveUp counts 429 and 503 answers returned to the caller: retries
	// exhausted or not allowed, a Retry-After beyond MaxWait or beyond the
	// request's deadline, or a body that cannot be sent again.
	GaveUp int64
	// Waited is the total time slept before retries (not the pacing of
	// Rate, which is self-imposed and predictable).
	Waited time.Duration
}

// Transport is an http.RoundTripper; see the package comment. It is safe for
// concurrent use.
type Transport struct {
	base       http.RoundTripper
	interval   time.Duration // between two requests; 0: unlimited
	maxRetries int           // < 0: never
	maxWait    time.Duration
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time // replaced by tests to pair with a fake Sleep

	mu   sync.Mutex
	next time.Time // earliest start of the next request when paced

	requests, retries429, retries503, gaveUp, waited atomic.Int64
}

// New returns a Transport for o.
func New(o Options) *Transport {
	t := &Transport{
		base:       o.Base,
		maxRetries: o.MaxRetries,
		maxWait:    o.MaxWait,
		sleep:      o.Sleep,
		now:        time.Now,
	}
	if t.base == nil {
		t.base = defaultBase(o.InsecureSkipVerify)
	}
	if t.maxRetries == 0 {
		t.maxRetries = DefaultMaxRetries
	}
	if t.maxWait <= 0 {
		t.maxWait = DefaultMaxWait
	}
	if t.sleep == nil {
		t.sleep = sleep
	}
	if o.Rate > 0 {
		t.interval = time.Duration(float64(time.Second) / o.Rate)
	}
	return t
}

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

// sleep is the real Sleep: a timer that gives way to the context.
func sleep(ctx context.Context, d time.Duration) error {
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

// RoundTrip sends req, paced by Rate, and retries 429 and 503 answers as the
// Options say. It returns the final answer or the base transport's error
// unchanged, or the context's error when the context ends while waiting.
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
		if err := t.pace(ctx); err != nil {
			if attempt == 0 && req.Body != nil {
				// The RoundTripper contract: the body is closed even on
				// error. After the first attempt the base transport has
				// closed it already.
				req.Body.Close()
			}
			return nil, err
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
			return resp, err
		}

		wait, ok := t.retryWait(resp, attempt)
		if ok && hasBody && req.GetBody == nil {
			ok = false // the body was consumed and cannot be sent again
		}
		if ok {
			if dl, has := ctx.Deadline(); has && t.now().Add(wait).After(dl) {
				// The wait would outlast the request's deadline: the real
				// answer is more useful to the caller than a timeout error
				// a wait later.
				ok = false
			}
		}
		if !ok {
			t.gaveUp.Add(1)
			return resp, nil
		}

		// This answer is not the verdict: free its connection before waiting.
		io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
		resp.Body.Close()
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
		t.waited.Add(int64(wait))
		if resp.StatusCode == http.StatusTooManyRequests {
			t.retries429.Add(1)
		} else {
			t.retries503.Add(1)
		}
		if n, ok := ctx.Value(slowDownKey{}).(*SlowDowns); ok {
			atomic.AddInt32(&n.n, 1)
		}
	}
}

type slowDownKey struct{}

// SlowDowns counts, for one request, the 429 and 503 answers this transport
// waited out and retried: the caller learns that its answer came after a
// slow-down (a create retried after 429 may meet its own first attempt).
//
// Send the request with the context Bind returns. That context is the
// counter itself, so counting allocates nothing beyond the value that holds
// the SlowDowns (a context.WithValue and a counter of their own would cost
// two allocations for every request, slowed down or not): keep it in a
// value made for each request anyway. The zero value is ready for use; a
// SlowDowns counts one request at a time.
type SlowDowns struct {
	parent context.Context
	n      int32 // atomic; a plain int32 keeps a struct holding it copyable
}

// Bind returns a context that is parent in every respect and has s count
// the slow-downs of the requests sent with it.
func (s *SlowDowns) Bind(parent context.Context) context.Context {
	s.parent = parent
	return (*countingContext)(s)
}

// Count is the number of slow-down answers waited out and retried so far.
func (s *SlowDowns) Count() int { return int(atomic.LoadInt32(&s.n)) }

// countingContext is a bound SlowDowns as a context. Done and Value are
// parent's (but for slowDownKey), so a context derived from it hooks into
// parent's cancellation directly, as it would derived from parent itself,
// with no goroutine to watch it.
type countingContext SlowDowns

func (c *countingContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *countingContext) Done() <-chan struct{}       { return c.parent.Done() }
func (c *countingContext) Err() error                  { return c.parent.Err() }

func (c *countingContext) Value(key any) any {
	if key == (slowDownKey{}) {
		return (*SlowDowns)(c)
	}
	return c.parent.Value(key)
}

func (c *countingContext) String() string { return fmt.Sprint(c.parent) + ".WithSlowDownCounter" }

// retryWait says whether the 429/503 answer resp, to the attempt-th try
// (0-based), may be retried and after how long.
func (t *Transport) retryWait(resp *http.Response, attempt int) (time.Duration, bool) {
	if t.maxRetries < 0 || attempt >= t.maxRetries {
		return 0, false
	}
	if d, ok := t.retryAfter(resp.Header); ok {
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
func (t *Transport) retryAfter(h http.Header) (time.Duration, bool) {
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
	ref := t.now()
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		ref = d
	}
	d := at.Sub(ref)
	if d < 0 {
		d = 0
	}
	return d, true
}

// pace blocks until the token bucket allows another request. The bucket
// holds one token, refilled every interval: each caller reserves the next
// free slot under the mutex and sleeps outside it, so concurrent callers
// queue up in slot order without holding the lock while they wait. A slot
// reserved by a caller whose context then ends stays used; that only ever
// slows the suite down, never speeds it up past Rate.
func (t *Transport) pace(ctx context.Context) error {
	if t.interval <= 0 {
		return ctx.Err()
	}
	t.mu.Lock()
	now := t.now()
	if t.next.Before(now) {
		t.next = now // idle time does not accumulate into a burst
	}
	wait := t.next.Sub(now)
	t.next = t.next.Add(t.interval)
	t.mu.Unlock()
	if wait <= 0 {
		return ctx.Err()
	}
	return t.sleep(ctx, wait)
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
