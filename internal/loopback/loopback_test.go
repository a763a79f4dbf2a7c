package loopback

import (
	"bufio"
	"strings"
	"testing"
)

// A connection from Dial sends the listener's key first; a malformed
// address is refused naming the variable it came from.
func TestDialSendsTheKey(t *testing.T) {
	ln, key, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if !strings.HasPrefix(ln.Addr().String(), "127.0.0.1:") || len(key) != 32 {
		t.Fatalf("listening on %s with key %q, want loopback and 16 random bytes in hex", ln.Addr(), key)
	}
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		line, _ := bufio.NewReader(c).ReadString('\n')
		got <- strings.TrimSuffix(line, "\n")
	}()
	conn, err := Dial(Address(ln, key), "SWRC_TEST")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if line := <-got; line != key {
		t.Errorf("the first line was %q, want the key", line)
	}
	if _, err := Dial(ln.Addr().String(), "SWRC_TEST"); err == nil || !strings.Contains(err.Error(), "SWRC_TEST") {
		t.Errorf("an address without a key: %v, want an error naming SWRC_TEST", err)
	}
}
