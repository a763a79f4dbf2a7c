// Package loopback is how the process that launches a run's processes
// talks with them: a TCP listener on 127.0.0.1 that serves only
// connections whose first line is its key, announced to the processes as
// "address key" in an environment variable. The console's progress events
// and the run's rate limiter each have one.
package loopback

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"time"
)

// Listen listens on a free loopback port and makes the key a connection
// must send first, so that nothing else on the machine can talk to it.
func Listen() (ln net.Listener, key string, err error) {
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	b := make([]byte, 16)
	rand.Read(b)
	return ln, hex.EncodeToString(b), nil
}

// Address is what the processes are given: where to connect, and the key.
func Address(ln net.Listener, key string) string { return ln.Addr().String() + " " + key }

// Dial connects to the listener at address (see Address) and sends the
// key. env names the variable address came from, for the error of an
// address that is not one.
func Dial(address, env string) (net.Conn, error) {
	addr, key, ok := strings.Cut(address, " ")
	if !ok || key == "" {
		return nil, errors.New(env + " is not an address and a key")
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write([]byte(key + "\n")); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
