package pace

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/loopback"
	"github.com/swr-conformance/swr-conformance/internal/transport"
)

// EnvAddress is the variable through which the process that launches the
// suite's processes tells them where the run's limiter is served
// (Server.Address). It is not a setting: nobody sets it by hand.
const EnvAddress = "SWRC_PACE"

// The protocol, one line per message on a loopback connection that first
// sends the server's key:
//
//	process → server  "T"      reserve a slot; answered "W <ns to wait>",
//	                           or "P <ns>": no slot yet, ask again then
//	process → server  "X"      a request was refused (429 or 503)
//	process → server  "A <n>"  n answers to unpaced requests were accepted
//	server → process  "R <r>"  the rate in force is now r per second (0:
//	                           none); sent on connecting and on each change
//
// "W" and "P" answers come in the order of the "T"s of the connection. A process
// asks for slots only while a rate is in force, so a run that is never
// throttled and has no cap sends only "A" lines, ten a second at most.

// Server serves a Limiter to the processes of a run.
type Server struct {
	L   *Limiter
	ln  net.Listener
	key string

	mu     sync.Mutex
	conns  map[*serverConn]bool
	closed bool
	wg     sync.WaitGroup
}

type serverConn struct {
	conn  net.Conn
	out   chan string   // "W" answers, in order
	rate  atomic.Uint64 // the latest rate to push, as float64 bits
	push  chan struct{} // a rate to push; holds one signal at most
	done  chan struct{}
	close sync.Once
}

// Serve serves l on loopback until Close.
func Serve(l *Limiter) (*Server, error) {
	ln, key, err := loopback.Listen()
	if err != nil {
		return nil, err
	}
	s := &Server{L: l, ln: ln, key: key, conns: map[*serverConn]bool{}}
	l.Watch(func(rate float64) {
		// Under the limiter's lock: only signal, never block.
		s.mu.Lock()
		for c := range s.conns {
			c.pushRate(rate)
		}
		s.mu.Unlock()
	})
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Address is the value of EnvAddress for the processes.
func (s *Server) Address() string { return loopback.Address(s.ln, s.key) }

// Close stops serving and ends every connection.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.end()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &serverConn{conn: conn, out: make(chan string, 64), push: make(chan struct{}, 1), done: make(chan struct{})}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(2)
		go s.read(c)
		go c.write(&s.wg)
	}
}

func (c *serverConn) pushRate(rate float64) {
	c.rate.Store(math.Float64bits(rate))
	select {
	case c.push <- struct{}{}:
	default: // a push is pending: it will carry the latest rate
	}
}

func (c *serverConn) end() {
	c.close.Do(func() { close(c.done); c.conn.Close() })
}

func (s *Server) read(c *serverConn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.end()
	}()
	sc := bufio.NewScanner(c.conn)
	if !sc.Scan() || sc.Text() != s.key {
		return
	}
	c.pushRate(s.L.Rate())
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "T":
			d, ok := s.L.Reserve()
			answer := "P "
			if ok {
				answer = "W "
			}
			select {
			case c.out <- answer + strconv.FormatInt(int64(d), 10):
			case <-c.done:
				return
			}
		case line == "X":
			s.L.Refused()
		case strings.HasPrefix(line, "A "):
			if n, err := strconv.Atoi(line[2:]); err == nil && n > 0 {
				s.L.Settled(n)
			}
		}
	}
}

func (c *serverConn) write(wg *sync.WaitGroup) {
	defer wg.Done()
	w := bufio.NewWriter(c.conn)
	for {
		var line string
		select {
		case line = <-c.out:
		case <-c.push:
			line = "R " + strconv.FormatFloat(math.Float64frombits(c.rate.Load()), 'g', -1, 64)
		case <-c.done:
			return
		}
		w.WriteString(line + "\n")
		// Flush at once unless more is queued: a waiting process waits for
		// this line.
		if len(c.out) == 0 && len(c.push) == 0 {
			if w.Flush() != nil {
				c.end()
				return
			}
		}
	}
}

// Remote is the Gate of one of several processes of a run: it takes its
// slots from the run's Server. If the connection breaks, it goes on alone
// at its share of the last rate (the rate ÷ the processes), so that a cap
// is never exceeded.
type Remote struct {
	procs    int
	rate     atomic.Uint64 // float64 bits; the rate in force, as pushed
	settled  atomic.Int64  // unpaced answers not reported yet
	paced    atomic.Int64  // the waits for slots, summed
	sleep    func(context.Context, time.Duration) error
	stop     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	conn    net.Conn
	waiters []chan slot
	broken  bool
	alone   *Local // after the connection broke
	ready   chan struct{}
}

// Dial connects one of procs processes to the server at address (see
// Server.Address). It returns once the server has said the rate in force.
func Dial(address string, procs int) (*Remote, error) {
	conn, err := loopback.Dial(address, EnvAddress)
	if err != nil {
		return nil, fmt.Errorf("pace: %w", err)
	}
	r := &Remote{procs: max(1, procs), conn: conn, stop: make(chan struct{}), ready: make(chan struct{})}
	go r.read()
	go r.report()
	select {
	case <-r.ready:
		return r, nil
	case <-time.After(5 * time.Second):
		r.Close()
		return nil, fmt.Errorf("pace: no rate from %s in 5 s", conn.RemoteAddr())
	}
}

// Paced is the time this process's requests waited for their slots.
func (r *Remote) Paced() time.Duration { return time.Duration(r.paced.Load()) }

// Rate is the rate in force, as the server last said.
func (r *Remote) Rate() float64 { return math.Float64frombits(r.rate.Load()) }

// slot is the server's answer to "T".
type slot struct {
	wait time.Duration
	ok   bool // false: no slot yet, ask again after wait
}

// Wait asks the server for a slot while a rate is in force.
func (r *Remote) Wait(ctx context.Context) error {
	for {
		if r.Rate() == 0 {
			return ctx.Err()
		}
		ch := make(chan slot, 1)
		r.mu.Lock()
		if r.broken {
			alone := r.alone
			r.mu.Unlock()
			return alone.Wait(ctx)
		}
		r.waiters = append(r.waiters, ch)
		_, err := r.conn.Write([]byte("T\n"))
		r.mu.Unlock()
		if err != nil {
			r.breakDown()
			continue
		}
		var s slot
		select {
		case s = <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		r.paced.Add(int64(s.wait))
		if err := sleepFor(r.sleep, ctx, s.wait); err != nil || s.ok {
			return err
		}
	}
}

// Answered tells the server of a refusal at once, and counts accepted
// answers to unpaced requests for the next report.
func (r *Remote) Answered(status int) {
	switch {
	case transport.SlowDown(status):
		r.mu.Lock()
		if r.broken {
			alone := r.alone
			r.mu.Unlock()
			alone.Answered(status)
			return
		}
		_, err := r.conn.Write([]byte("X\n"))
		r.mu.Unlock()
		if err != nil {
			r.breakDown()
		}
	case status != 0 && r.Rate() == 0:
		r.settled.Add(1)
	}
}

// Close ends the connection.
func (r *Remote) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conn.Close()
}

func (r *Remote) read() {
	sc := bufio.NewScanner(r.conn)
	once := sync.Once{}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "W "), strings.HasPrefix(line, "P "):
			ns, _ := strconv.ParseInt(line[2:], 10, 64)
			r.mu.Lock()
			if len(r.waiters) > 0 {
				r.waiters[0] <- slot{time.Duration(ns), line[0] == 'W'}
				r.waiters = r.waiters[1:]
			}
			r.mu.Unlock()
		case strings.HasPrefix(line, "R "):
			if v, err := strconv.ParseFloat(line[2:], 64); err == nil && v >= 0 {
				r.rate.Store(math.Float64bits(v))
			}
			once.Do(func() { close(r.ready) })
		}
	}
	r.breakDown()
}

// report sends the count of accepted unpaced answers ten times a second.
func (r *Remote) report() {
	tick := time.NewTicker(bucketSpan)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
		}
		n := r.settled.Swap(0)
		if n == 0 {
			continue
		}
		r.mu.Lock()
		if !r.broken {
			r.conn.Write([]byte("A " + strconv.FormatInt(n, 10) + "\n"))
		}
		r.mu.Unlock()
	}
}

// breakDown goes on alone: the waiters get their slots at once from a
// limiter of this process's share of the last rate.
func (r *Remote) breakDown() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.broken {
		return
	}
	r.broken = true
	r.alone = &Local{L: NewLimiter(r.Rate()/float64(r.procs), nil), Sleep: r.sleep}
	for _, ch := range r.waiters {
		ch <- slot{0, false} // ask again: alone
	}
	r.waiters = nil
	r.conn.Close()
}
