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
	t.now = c.Now
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
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Error("sleep ignored the cancelled context")
	}
	if err := sleep(ctx, 0); !errors.Is(err, context.Canceled) {
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

// closeBody records Close on a request body.
type closeBody struct {
	io.Reader
	closed bool
}

func (b *closeBody) Close() error { b.closed = true; return nil }

func TestRate(t *testing.T) {
	const n, rate = 6, 10.0 // 100ms apart
	interval := 100 * time.Millisecond
	s := &script{answers: []func(http.ResponseWriter){answer(200)}}
	url := serve(t, s)

	t.Run("sequential", func(t *testing.T) {
		c := newClock(true)
		tr := newTransport(Options{Rate: rate}, c)
		for range n {
			do(t, tr, "GET", url, nil)
		}
		var total time.Duration
		for _, d := range c.Sleeps() {
			total += d
		}
		if want := (n - 1) * interval; total != want {
			t.Errorf("waited %v in all (%v), want (N-1)/r = %v", total, c.Sleeps(), want)
		}
		// Idle time does not save up into a burst.
		c.Sleep(context.Background(), time.Minute)
		before := len(c.Sleeps())
		do(t, tr, "GET", url, nil)
		do(t, tr, "GET", url, nil)
		if got := c.Sleeps()[before:]; !slices.Equal(got, []time.Duration{interval}) {
			t.Errorf("after idling, sleeps %v, want one of %v", got, interval)
		}
	})

	t.Run("concurrent callers get distinct slots", func(t *testing.T) {
		c := newClock(false) // time stands still: every caller sees the same now
		tr := newTransport(Options{Rate: rate}, c)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", url, nil)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			})
		}
		wg.Wait()
		got := c.Sleeps()
		slices.Sort(got)
		var want []time.Duration
		for k := 1; k < n; k++ {
			want = append(want, time.Duration(k)*interval)
		}
		if !slices.Equal(got, want) {
			t.Errorf("sleeps %v, want one caller each at %v", got, want)
		}
	})

	t.Run("retries are paced too", func(t *testing.T) {
		s := &script{answers: []func(http.ResponseWriter){answer(429, "Retry-After", "0"), answer(200)}}
		c := newClock(true)
		tr := newTransport(Options{Rate: rate}, c)
		do(t, tr, "GET", serve(t, s), nil)
		if got := c.Sleeps(); !slices.Equal(got, []time.Duration{0, interval}) {
			t.Errorf("sleeps %v, want the retry's 0 then the pacing's %v", got, interval)
		}
	})

	t.Run("cancelled while paced", func(t *testing.T) {
		c := newClock(true)
		tr := newTransport(Options{Rate: rate}, c)
		do(t, tr, "GET", url, nil) // takes the free slot
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		body := &closeBody{Reader: strings.NewReader("x")}
		req, _ := http.NewRequestWithContext(ctx, "POST", url, body)
		hits := s.hits()
		if _, err := tr.RoundTrip(req); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
		if !body.closed || s.hits() != hits {
			t.Errorf("body closed %v, sent %v; want closed and not sent", body.closed, s.hits() != hits)
		}
	})
}

// Many goroutines through one Transport, with throttling on the way: run
// under -race, and every request ends with its own final answer.
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
	tr := newTransport(Options{Rate: 1000, MaxRetries: 20}, c)
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
	if tr.maxRetries != DefaultMaxRetries || tr.maxWait != DefaultMaxWait || tr.interval != 0 {
		t.Errorf("defaults: retries %d, wait %v, interval %v", tr.maxRetries, tr.maxWait, tr.interval)
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
func TestSlowDownsCounted(t *testing.T) {
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
		switch {
		case n <= k && n%2 == 0:
			w.WriteHeader(503)
		case n <= k:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		default:
			fmt.Fprint(w, r.URL.Path)
		}
	}))
	defer srv.Close()
	tr := newTransport(Options{MaxRetries: 3}, newClock(true))
	var wg sync.WaitGroup
	for g := range 8 {
		for k := range 5 { // 4 retries are one too many: the 429/503 is the answer
			wg.Go(func() {
				var slow SlowDowns
				path := fmt.Sprintf("/%d/%d", k, g)
				req, _ := http.NewRequestWithContext(slow.Bind(context.Background()), "POST", srv.URL+path, strings.NewReader("x"))
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				wantStatus, wantCount := 200, k
				if k > 3 {
					wantStatus, wantCount = 503, 3 // the fourth try
				}
				if resp.StatusCode != wantStatus || slow.Count() != wantCount {
					t.Errorf("%s: got %d after %d slow-downs, want %d after %d", path, resp.StatusCode, slow.Count(), wantStatus, wantCount)
				}
			})
		}
	}
	wg.Wait()

	// A request without a counter is retried all the same.
	resp, _ := do(t, tr, "GET", srv.URL+"/2/x", nil)
	if resp.StatusCode != 200 {
		t.Errorf("without a counter: got %d, want 200", resp.StatusCode)
	}
}

// The counting context is its parent in every respect: values, deadline,
// cancellation, and the contexts net/http derives from it.
func TestSlowDownsContext(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	var slow SlowDowns
	ctx := slow.Bind(parent)
	if ctx.Value(key{}) != "v" || ctx.Value(slowDownKey{}) != &slow {
		t.Errorf("values: %v, %v", ctx.Value(key{}), ctx.Value(slowDownKey{}))
	}
	if d, ok := ctx.Deadline(); !ok || d != func() time.Time { d, _ := parent.Deadline(); return d }() {
		t.Errorf("deadline %v %v, want the parent's", d, ok)
	}
	child, stop := context.WithCancel(ctx)
	defer stop()
	if ctx.Err() != nil || child.Err() != nil {
		t.Fatal("ended before its parent")
	}
	cancel()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a context derived from the counting one did not end with its parent")
	}
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("errors %v, %v; want canceled", ctx.Err(), child.Err())
	}
	if s := fmt.Sprint(ctx); !strings.Contains(s, "WithSlowDownCounter") {
		t.Errorf("String() = %q", s)
	}
}

// A retry leaves the caller's request as it was: same body reader, same
// header, same context.
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
