package swrclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/swr-conformance/swr-conformance/internal/contract"
)

// Each near miss differs from the token, is not empty, and is what the
// contract names: last character changed, one appended, last removed, first
// half, letters' case swapped (only where that changes the token).
func TestNearMisses(t *testing.T) {
	for _, tc := range []struct {
		token string
		want  map[Auth]string
	}{
		{"abcdefgh", map[Auth]string{AuthLastChanged: "abcdefgx", AuthAppended: "abcdefghx", AuthLastRemoved: "abcdefg", AuthFirstHalf: "abcd", AuthCaseSwapped: "ABCDEFGH"}},
		{"tokx", map[Auth]string{AuthLastChanged: "toky", AuthAppended: "tokxx", AuthLastRemoved: "tok", AuthFirstHalf: "to", AuthCaseSwapped: "TOKX"}},
		{"12345678", map[Auth]string{AuthLastChanged: "1234567x", AuthAppended: "12345678x", AuthLastRemoved: "1234567", AuthFirstHalf: "1234"}},
		{"x", map[Auth]string{AuthLastChanged: "y", AuthAppended: "xx", AuthCaseSwapped: "X"}},
	} {
		got := map[Auth]string{}
		for _, a := range NearMisses(tc.token) {
			got[a], _ = a.value(tc.token)
		}
		if len(got) != len(tc.want) {
			t.Errorf("token %q: near misses %v, want %v", tc.token, got, tc.want)
		}
		for a, v := range tc.want {
			if got[a] != v {
				t.Errorf("token %q: %s is %q, want %q", tc.token, a, got[a], v)
			}
		}
	}
}

// A reproduction builds each near miss from $SWR_TOKEN in the shell: the
// expression gives, byte for byte, what the suite sent.
func TestNearMissesInTheShell(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	for _, token := range []string{"abcdefgh", "tokx", "MIIEhQYJKoZIhvcNAQcCoIIEdjCCBHICAQEx+/=", "a1B2c3D4e"} {
		for _, a := range NearMisses(token) {
			args := a.curlHeader(changedLast(token))
			if len(args) != 2 || args[0] != "-H" {
				t.Fatalf("%s: curl arguments %q", a, args)
			}
			if strings.Contains(args[1], token[:len(token)/2]) {
				t.Errorf("%s: the curl header writes part of the token out: %s", a, args[1])
			}
			cmd := exec.Command("sh", "-c", "printf '%s' "+args[1])
			cmd.Env = append(os.Environ(), "SWR_TOKEN="+token)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			want, _ := a.value(token)
			if string(out) != contract.HeaderToken+": "+want {
				t.Errorf("token %q, %s: the shell sends %q, the suite sent %q", token, a, out, want)
			}
		}
	}
}

// A near miss is as secret as the token: an answer that echoes it never
// shows it, nor does the rendering or the curl line.
func TestNearMissesAreRedacted(t *testing.T) {
	const token = "very-secret-token-123"
	sent := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		sent <- r.Header.Get(contract.HeaderToken)
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"errorMessage":"token ` + r.Header.Get(contract.HeaderToken) + ` is not valid"}`))
	}))
	defer srv.Close()
	c := New(srv.URL, token, nil, time.Second)
	for _, a := range NearMisses(token) {
		ex := c.CreateShare(context.Background(), "ns", "app", []byte(`{}`), WithAuth(a))
		v, _ := a.value(token)
		if got := <-sent; got != v {
			t.Fatalf("%s: sent %q, want %q", a, got, v)
		}
		for _, s := range []string{ex.String(), ex.Curl()} {
			if strings.Contains(s, v) || strings.Contains(s, token) {
				t.Errorf("%s: the near miss shows:\n%s", a, s)
			}
		}
		if !strings.Contains(ex.String(), "[REDACTED] ("+a.String()+")") {
			t.Errorf("%s: the rendering does not say which near miss was sent:\n%s", a, ex.String())
		}
	}
}
