package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock pairs a fake Sleep with a fake Now: sleeping advances the clock
// by exactly what was asked, so waits are instant and their sum exact.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	advance bool // false: time stands still (to see the slots reserved)
}

func newClock(advance bool) *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), advance: advance}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if c.advance {
		c.now = c.now.Add(d)
	}
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// newTransport is New with the fake clock wired in.
func newTransport(o Options, c *fakeClock) *Transport {
	o.Sleep = c.Sleep
	t := New(o)
	t.policy.Now = c.Now
	return t
}

// script serves the given answers in order, then repeats the last one, and
// records every request body it received.
type script struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter)
	bodies  [][]byte
	headers []http.Header
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.headers = append(s.headers, r.Header.Clone())
	i := min(len(s.bodies)-1, len(s.answers)-1)
	s.mu.Unlock()
	s.answers[i](w)
}

func (s *script) hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func answer(status int, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			if header[i+1] == "<nil>" {
				w.Header()[header[i]] = nil // suppress an automatic header
			} else {
				w.Header().Set(header[i], header[i+1])
			}
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "answer %d", status)
	}
}

func serve(t *testing.T, s *script) string {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

func do(t *testing.T, tr http.RoundTripper, method, url string, body []byte) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRetryAfterSeconds(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){
		answer(429, "Retry-After", "1"),
		answer(201),
	}}
	c := newClock(true)
	tr := newTransport(Options{}, c)
	resp, body := do(t, tr, "PUT", serve(t, s), nil)
	if resp.StatusCode != 201 || body != "answer 201" {
		t.Fatalf("got %d %q, want the final 201", resp.StatusCode, body)
	}
	want := Stats{Requests: 1, Retries429: 1, Waited: time.Second}
	if got := tr.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	if got := c.Sleeps(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Errorf("sleeps = %v, want [1s]", got)
	}
	if s.hits() != 2 {
		t.Errorf("server saw %d requests, want 2", s.hits())
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	c := newClock(true)
	serverNow := c.Now().Add(-time.Hour) // the runner's clock is an hour off
	t.Run("against the server's Date", func(t *testing.T) {
		s := &script{answers: []func(http.ResponseWriter){
			answer(503, "Date", serverNow.Format(http.TimeFormat), "Retry-After", serverNow.Add(3*time.Second).Format(http.TimeFormat)),
			answer(200),
		}}
		c := newClock(true)
		tr := newTransport(Options{}, c)
		resp, _ := do(t, tr, "GET", serve(t, s), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("got %d, want 200", resp.StatusCode)
		}
		if got := tr.Stats(); got.Retries503 != 1 || got.Retries429 != 0 || got.Waited != 3*time.Second {
			t.Errorf("Stats = %+v, want one 503 retry after 3s", got)
		}
	})
	t.Run("against the local clock without Date", func(t *testing.T) {
		s := &script{answers: []func(http.ResponseWriter){
			answer(503, "Date", "<nil>", "Retry-After", c.Now().Add(2*time.Second).Format(http.TimeFormat)),
			answer(200),
		}}
		tr := newTransport(Options{}, c)
		resp, _ := do(t, tr, "GET", serve(t, s), nil)
		if resp.StatusCode != 200 || tr.Stats().Waited != 2*time.Second {
			t.Fatalf("got %d after %v, want 200 after 2s", resp.StatusCode, tr.Stats().Waited)
		}
	})
	t.Run("a date in the past retries at once", func(t *testing.T) {
		s := &script{answers: []func(http.ResponseWriter){
			answer(503, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
			answer(200),
		}}
		tr := newTransport(Options{}, newClock(true))
		resp, _ := do(t, tr, "GET", serve(t, s), nil)
		if st := tr.Stats(); resp.StatusCode != 200 || st.Retries503 != 1 || st.Waited != 0 {
			t.Fatalf("got %d, %+v; want 200 after one retry without waiting", resp.StatusCode, st)
		}
	})
}

func TestBodyReplayed(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){
		answer(429),                        // no Retry-After: back off 0.5s
		answer(429, "Retry-After", "soon"), // unusable: back off 1s
		answer(201),
	}}
	c := newClock(true)
	// No keep-alive: net/http silently rewinds a body itself when a reused
	// connection fails, which would hide a retry sending the spent body.
	tr := newTransport(Options{Base: &http.Transport{DisableKeepAlives: true}}, c)
	body := append([]byte(`{"name":"a\u00e9 \"q\""}`), 0, 0xff, '\n')
	req, _ := http.NewRequest("POST", serve(t, s), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "tok")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("got %d, want 201", resp.StatusCode)
	}
	if len(s.bodies) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(s.bodies))
	}
	for i, b := range s.bodies {
		if !bytes.Equal(b, body) {
			t.Errorf("attempt %d sent body %q, want %q", i, b, body)
		}
		if h := s.headers[i]; h.Get("Content-Type") != "application/json" || h.Get("X-Auth-Token") != "tok" {
			t.Errorf("attempt %d lost headers: %v", i, h)
		}
	}
	if got := c.Sleeps(); !slices.Equal(got, []time.Duration{500 * time.Millisecond, time.Second}) {
		t.Errorf("sleeps = %v, want the backoff [500ms 1s]", got)
	}
}

// A body without GetBody was consumed by the first attempt and cannot be
// sent again, so the 429 is the answer.
func TestBodyNotReplayableNotRetried(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){answer(429, "Retry-After", "1"), answer(201)}}
	tr := newTransport(Options{}, newClock(true))
	req, _ := http.NewRequest("POST", serve(t, s), nil)
	req.Body = io.NopCloser(strings.NewReader("once"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || s.hits() != 1 || tr.Stats().GaveUp != 1 {
		t.Fatalf("got %d after %d requests, %+v; want the 429 at once", resp.StatusCode, s.hits(), tr.Stats())
	}
}

func TestGivesUpAfterMaxRetries(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxRetries int
		wantHits   int
	}{
		{"default", 0, DefaultMaxRetries + 1},
		{"two", 2, 3},
		{"never", -1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
				fmt.Fprintf(w, "attempt %d", n.Add(1))
			}))
			defer srv.Close()
			tr := newTransport(Options{MaxRetries: tc.maxRetries}, newClock(true))
			resp, body := do(t, tr, "GET", srv.URL, nil)
			if resp.StatusCode != 429 {
				t.Fatalf("got %d, want 429", resp.StatusCode)
			}
			if want := fmt.Sprintf("attempt %d", tc.wantHits); body != want {
				t.Errorf("body %q, want the last answer %q", body, want)
			}
			want := Stats{Requests: 1, Retries429: int64(tc.wantHits - 1), GaveUp: 1}
			if got := tr.Stats(); got != want {
				t.Errorf("Stats = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRetryAfterBeyondMaxWait(t *testing.T) {
	for _, tc := range []struct {
		retryAfter string
		maxWait    time.Duration
		wantHits   int
	}{
		{"31", 0, 1},
		{"30", 0, 2}, // exactly MaxWait is honoured
		{"99999999999999999999999", 0, 1},
		{"2", 1500 * time.Millisecond, 1},
		{time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC).Format(http.TimeFormat), 0, 1}, // 60s after the fake clock
	} {
		t.Run(tc.retryAfter, func(t *testing.T) {
			s := &script{answers: []func(http.ResponseWriter){
				answer(503, "Retry-After", tc.retryAfter, "Date", "<nil>"),
				answer(200),
			}}
			c := newClock(true)
			tr := newTransport(Options{MaxWait: tc.maxWait}, c)
			resp, _ := do(t, tr, "GET", serve(t, s), nil)
			if s.hits() != tc.wantHits {
				t.Fatalf("server saw %d requests, want %d", s.hits(), tc.wantHits)
			}
			if tc.wantHits == 1 {
				if resp.StatusCode != 503 || tr.Stats().GaveUp != 1 || len(c.Sleeps()) != 0 {
					t.Errorf("got %d, %+v, sleeps %v; want the 503 at once", resp.StatusCode, tr.Stats(), c.Sleeps())
				}
			}
		})
	}
}

func TestBackoffCappedByMaxWait(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){answer(429, "Retry-After", "-1")}}
	c := newClock(true)
	tr := newTransport(Options{MaxWait: 1500 * time.Millisecond}, c)
	resp, _ := do(t, tr, "GET", serve(t, s), nil)
	want := []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond}
	if got := c.Sleeps(); resp.StatusCode != 429 || !slices.Equal(got, want) {
		t.Fatalf("got %d after sleeps %v, want 429 after %v", resp.StatusCode, got, want)
	}
	if got := tr.Stats().Waited; got != 4500*time.Millisecond {
		t.Errorf("Waited = %v, want 4.5s", got)
	}
}

func TestContextCancelledDuringWait(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){answer(429, "Retry-After", "10"), answer(200)}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := New(Options{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel() // the run is stopped while we wait
		<-ctx.Done()
		return ctx.Err()
	}})
	req, _ := http.NewRequestWithContext(ctx, "POST", serve(t, s), strings.NewReader("x"))
	resp, err := tr.RoundTrip(req)
	if !errors.Is(err, context.Canceled) || resp != nil {
		t.Fatalf("got %v, %v; want context.Canceled", resp, err)
	}
	if st := tr.Stats(); st.Retries429 != 0 || st.Waited != 0 || st.GaveUp != 0 || s.hits() != 1 {
		t.Errorf("Stats = %+v after %d requests; want nothing counted but the request", st, s.hits())
	}
}

// The real timer gives way to the context.
func TestRealSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Error("sleep ignored the cancelled context")
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep(0) = %v, want context.Canceled", err)
	}
}

// When the wait would outlast the request's deadline, the 429 is a better
// answer than a timeout a wait later.
func TestWaitBeyondDeadlineGivesUp(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){answer(429, "Retry-After", "5"), answer(200)}}
	c := newClock(true)
	tr := New(Options{Sleep: c.Sleep}) // real clock: the deadline is real
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", serve(t, s), nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || s.hits() != 1 || len(c.Sleeps()) != 0 || tr.Stats().GaveUp != 1 {
		t.Fatalf("got %d after %d requests and sleeps %v; want the 429 at once", resp.StatusCode, s.hits(), c.Sleeps())
	}
}

func TestOnlyRetries429And503(t *testing.T) {
	for _, code := range []int{200, 400, 401, 404, 500, 502, 504} {
		s := &script{answers: []func(http.ResponseWriter){answer(code, "Retry-After", "1"), answer(299)}}
		tr := newTransport(Options{}, newClock(true))
		resp, _ := do(t, tr, "GET", serve(t, s), nil)
		if resp.StatusCode != code || s.hits() != 1 || tr.Stats().GaveUp != 0 {
			t.Errorf("%d: got %d after %d requests, want it returned as is", code, resp.StatusCode, s.hits())
		}
	}
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportErrorNotRetried(t *testing.T) {
	boom := errors.New("connection reset by peer")
	var calls int
	tr := newTransport(Options{Base: rtFunc(func(*http.Request) (*http.Response, error) {
		calls++
		return nil, boom
	})}, newClock(true))
	req, _ := http.NewRequest("GET", "http://registry.invalid/", nil)
	if _, err := tr.RoundTrip(req); err != boom || calls != 1 {
		t.Fatalf("got %v after %d calls, want the base error after 1", err, calls)
	}
}

// trackedBody records whether it was read to the end and closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

func TestRetriedBodyDrainedAndClosed(t *testing.T) {
	var bodies []*trackedBody
	tr := newTransport(Options{Base: rtFunc(func(r *http.Request) (*http.Response, error) {
		b := &trackedBody{Reader: strings.NewReader("slow down")}
		bodies = append(bodies, b)
		code := 429
		if len(bodies) == 3 {
			code = 200
		}
		return &http.Response{StatusCode: code, Header: http.Header{"Retry-After": {"0"}}, Body: b, Request: r}, nil
	})}, newClock(true))
	req, _ := http.NewRequest("GET", "http://registry.invalid/", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v, %v", resp, err)
	}
	for i, b := range bodies[:2] {
		if !b.closed.Load() || b.Reader.(*strings.Reader).Len() != 0 {
			t.Errorf("retried answer %d: closed %v, %d bytes unread", i, b.closed.Load(), b.Reader.(*strings.Reader).Len())
		}
	}
	if bodies[2].closed.Load() {
		t.Error("the final answer's body was closed before the caller read it")
	}
}

func TestConcurrent(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 5 {
		case 0:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		case 1:
			w.WriteHeader(503) // backoff, instant with the fake clock
		default:
			fmt.Fprint(w, r.URL.Path)
		}
	}))
	defer srv.Close()
	c := newClock(true)
	tr := newTransport(Options{MaxRetries: 20}, c)
	const goroutines, each = 16, 12
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				path := fmt.Sprintf("/g%d/r%d", g, i)
				req, _ := http.NewRequest("PUT", srv.URL+path, strings.NewReader(path))
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != path {
					t.Errorf("%s: got %d %q", path, resp.StatusCode, b)
				}
				_ = tr.Stats()
			}
		})
	}
	wg.Wait()
	st := tr.Stats()
	if st.Requests != goroutines*each || st.GaveUp != 0 {
		t.Errorf("Stats = %+v, want %d requests and none given up", st, goroutines*each)
	}
	if sent := st.Requests + st.Retries429 + st.Retries503; sent != n.Load() {
		t.Errorf("Stats say %d sent, server saw %d", sent, n.Load())
	}
}

func TestDefaultBase(t *testing.T) {
	tr := New(Options{})
	base, ok := tr.base.(*http.Transport)
	if !ok {
		t.Fatalf("default base is %T, want *http.Transport", tr.base)
	}
	if base == http.DefaultTransport {
		t.Error("default base is http.DefaultTransport itself, want a clone")
	}
	if base.TLSHandshakeTimeout != 10*time.Second || base.DialContext == nil || base.Proxy == nil {
		t.Errorf("default base lacks its timeouts or proxy: %+v", base)
	}
	if base.MaxIdleConnsPerHost < 8 || (base.MaxIdleConns != 0 && base.MaxIdleConns < base.MaxIdleConnsPerHost) {
		t.Errorf("default base keeps %d idle connections per host (%d in all): concurrent requests would keep dialing", base.MaxIdleConnsPerHost, base.MaxIdleConns)
	}
	if base.TLSClientConfig != nil && base.TLSClientConfig.InsecureSkipVerify {
		t.Error("default base skips TLS verification without being asked to")
	}
	insecure, _ := New(Options{InsecureSkipVerify: true}).base.(*http.Transport)
	if insecure == nil || insecure.TLSClientConfig == nil || !insecure.TLSClientConfig.InsecureSkipVerify {
		t.Error("InsecureSkipVerify: the default base still verifies certificates (SWR_INSECURE_SKIP_VERIFY=true would not take effect)")
	}
	if tr.policy.maxRetries != DefaultMaxRetries || tr.policy.maxWait != DefaultMaxWait {
		t.Errorf("defaults: retries %d, wait %v", tr.policy.maxRetries, tr.policy.maxWait)
	}
	// Through an http.Client, as the suite will use it.
	s := &script{answers: []func(http.ResponseWriter){answer(204)}}
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	resp, err := hc.Get(serve(t, s))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	hc.CloseIdleConnections()
	if resp.StatusCode != 204 {
		t.Errorf("got %d, want 204", resp.StatusCode)
	}
}

// Each request counts its own slow-downs, concurrently: a path /k is
// answered 429 or 503 for its first k tries.
func TestRetryLeavesRequestAlone(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){answer(429, "Retry-After", "0"), answer(201)}}
	tr := newTransport(Options{}, newClock(true))
	req, _ := http.NewRequest("POST", serve(t, s), strings.NewReader("body"))
	req.Header.Set("X-Auth-Token", "tok")
	body, ctx := req.Body, req.Context()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || req.Body != body || req.Context() != ctx || len(req.Header) != 1 || req.Header.Get("X-Auth-Token") != "tok" {
		t.Fatalf("got %d; the request changed: body %v, header %v", resp.StatusCode, req.Body != body, req.Header)
	}
	if resp.Request == req {
		t.Error("the final answer claims to answer the first attempt's request")
	}
	if string(s.bodies[1]) != "body" {
		t.Errorf("retry sent %q", s.bodies[1])
	}
}
