package console

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/loopback"
)

// EnvAddress is the variable through which the process that starts the
// Ginkgo CLI tells the suite's processes where to send their events
// (Listener.Address). It is not a setting: nobody sets it by hand.
const EnvAddress = "SWRC_CONSOLE"

// Listener receives the events of the suite's processes on loopback. A
// connection must first send the listener's key, so that nothing else on
// the machine can write to the console.
type Listener struct {
	ln     net.Listener
	key    string
	handle func(Event)

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
	wg     sync.WaitGroup
}

// Listen starts a listener that hands every event to handle, one at a
// time per process; handle must be safe for use by several processes.
func Listen(handle func(Event)) (*Listener, error) {
	ln, key, err := loopback.Listen()
	if err != nil {
		return nil, err
	}
	l := &Listener{ln: ln, key: key, handle: handle, conns: map[net.Conn]bool{}}
	l.wg.Add(1)
	go l.accept()
	return l, nil
}

// Address is the value of EnvAddress for the processes: where to connect,
// and the key.
func (l *Listener) Address() string { return loopback.Address(l.ln, l.key) }

func (l *Listener) accept() {
	defer l.wg.Done()
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.mu.Lock()
		l.conns[conn] = true
		if l.closed {
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		}
		l.mu.Unlock()
		l.wg.Add(1)
		go l.serve(conn)
	}
}

func (l *Listener) serve(conn net.Conn) {
	defer l.wg.Done()
	defer func() {
		l.mu.Lock()
		delete(l.conns, conn)
		l.mu.Unlock()
		conn.Close()
	}()
	sc := bufio.NewScanner(conn)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() || sc.Text() != l.key {
		return
	}
	for sc.Scan() {
		var e Event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		l.handle(e)
		if e.Ack {
			if _, err := conn.Write([]byte("ok\n")); err != nil {
				return
			}
		}
	}
}

// Close stops listening and returns once every connection has ended. Call
// it when the processes have exited: their connections are at their end,
// and what they sent last is still handled. A connection left open (a
// process that outlived the CLI) is given up after five seconds.
func (l *Listener) Close() {
	l.ln.Close()
	l.mu.Lock()
	l.closed = true
	for c := range l.conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// Sender sends one process's events to a Listener.
type Sender struct {
	proc int
	mu   sync.Mutex
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects process proc to the listener at address (see
// Listener.Address).
func Dial(address string, proc int) (*Sender, error) {
	conn, err := loopback.Dial(address, EnvAddress)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return &Sender{proc: proc, conn: conn, r: bufio.NewReader(conn)}, nil
}

// Send sends e. The progress shown is no verdict: a failure to send is not
// the run's problem, and is dropped.
func (s *Sender) Send(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.send(e)
}

// SendWait sends e and returns once the listener has handled it (or after
// ten seconds without an answer).
func (s *Sender) SendWait(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Ack = true
	if s.send(e) != nil {
		return
	}
	s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	s.r.ReadString('\n')
	s.conn.SetReadDeadline(time.Time{})
}

func (s *Sender) send(e Event) error {
	e.Proc = s.proc
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.conn.Write(append(b, '\n'))
	return err
}

// Close ends the connection.
func (s *Sender) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn.Close()
}
