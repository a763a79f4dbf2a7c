// Package console is what a run of the suite prints while its specs run.
// Where the output is a terminal, one status line kept up to date: specs
// done of all, time elapsed and left, requests sent, slow-downs. Elsewhere
// (a CI log, a file), one line per finished spec, and a line at least every
// 30 seconds while a spec runs long. Ginkgo's own output goes through the
// same console, line by line above the status line, without the rows of
// dots that stand for passing specs: the progress says more.
//
// Under the Ginkgo CLI the suite's processes cannot print (the CLI keeps
// their output to itself), so each sends its events to the process that
// started the CLI (Sender, Listener), which prints them.
package console

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// EndingNoise reports whether line is one of the closing lines Ginkgo, its
// CLI or Go's testing package print, which would contradict or repeat the
// run's VERDICT line: "SUCCESS! -- 9 Passed ..." above an incomplete
// verdict, "--- FAIL: TestConformance" and "FAIL" from one process, "Test
// Suite Failed" from several. The run ends the same way in any number of
// processes: Ginkgo's list of failures and "Ran N of M Specs", then the
// suite's own lines and the VERDICT line.
func EndingNoise(line string) bool {
	return endingNoise.MatchString(strings.TrimSpace(string(Uncolored([]byte(line)))))
}

var endingNoise = regexp.MustCompile(`^(?:(?:SUCCESS!|FAIL!) -- \d+ Passed \| .*|--- (?:PASS|FAIL): TestConformance \(.*\)|PASS|FAIL|Ginkgo ran \d+ suites? in .*|Test Suite (?:Passed|Failed))$`)

// withoutSuitePath drops the path from Ginkgo's "Running Suite: <name> -
// <path>" line: the directory of the compiled suite, or a temporary copy
// of it under the Ginkgo CLI, which nobody can use. The header above it
// says the target and where the reports go.
func withoutSuitePath(line []byte) []byte {
	plain := Uncolored(line)
	if !bytes.HasPrefix(plain, []byte("Running Suite: ")) {
		return line
	}
	if m := suitePath.FindIndex(plain); m != nil {
		return append(plain[:m[0]:m[0]], '\n')
	}
	return line
}

// suitePath is the " - <path>" at the end of Ginkgo's header line, on Unix
// or Windows.
var suitePath = regexp.MustCompile(` - (?:/|[A-Za-z]:\\).*\n?$`)

// Uncolored is text without its ANSI colour and style sequences.
func Uncolored(text []byte) []byte { return sgr.ReplaceAll(text, nil) }

// sgr matches an ANSI "select graphic rendition" sequence (colours, bold,
// underline), the only kind Ginkgo writes.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// IsTerminal reports whether f is a terminal. A character device is taken
// for one (so is /dev/null, where nothing is lost by that).
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Width is the width in columns of the terminal f is for: $COLUMNS when
// set, else what the terminal says, else 80.
func Width(f *os.File) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n >= 20 {
		return n
	}
	if f != nil {
		if n := columns(f); n >= 20 {
			return n
		}
	}
	return 80
}

// Console serializes what a run prints: lines, and on a terminal the status
// line under them.
type Console struct {
	mu     sync.Mutex
	out    io.Writer // lines and the status line
	tty    bool
	status string // shown on the terminal; "" when none is
	closed bool
}

// New is a console printing to out; tty says whether out is a terminal.
func New(out io.Writer, tty bool) *Console {
	return &Console{out: out, tty: tty}
}

// width is the terminal's width now: it may have been resized.
func (c *Console) width() int {
	f, _ := c.out.(*os.File)
	return Width(f)
}

// Terminal reports whether the console keeps a status line.
func (c *Console) Terminal() bool { return c.tty }

// Println prints one line, above the status line.
func (c *Console) Println(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.above(c.out, []byte(strings.TrimRight(line, "\n")+"\n"))
}

// above writes p to w (the console's own output, or another stream on the
// same terminal) with the status line out of its way.
func (c *Console) above(w io.Writer, p []byte) {
	if c.status != "" {
		io.WriteString(c.out, "\r\x1b[K")
	}
	w.Write(p)
	if c.status != "" {
		io.WriteString(c.out, c.status)
	}
}

// SetStatus replaces the status line. It does nothing where the output is
// not a terminal, or once the console is closed.
func (c *Console) SetStatus(s string) {
	if !c.tty {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	s = fit(s, c.width()-1)
	if s == c.status {
		return
	}
	c.status = s
	io.WriteString(c.out, "\r\x1b[K"+s)
}

// Close clears the status line for good: what follows is printed plainly.
func (c *Console) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status != "" {
		io.WriteString(c.out, "\r\x1b[K")
	}
	c.status, c.closed = "", true
}

// fit cuts s to n columns (runes), marking the cut.
func fit(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(0, n-1)]) + "…"
}

// Passthrough carries Ginkgo's output to w through the console: whole lines,
// above the status line, without the lines that hold nothing but the marks
// of finished specs (•, S, P). Flush it at the end.
type Passthrough struct {
	c     *Console
	w     io.Writer
	mu    sync.Mutex
	buf   []byte
	muted bool
	blank bool // the last line let through was blank
}

// Passthrough returns a writer for Ginkgo's output, which goes to w.
func (c *Console) Passthrough(w io.Writer) *Passthrough {
	return &Passthrough{c: c, w: w}
}

func (p *Passthrough) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		p.emit(p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}

// Flush prints what is left of an unfinished line.
func (p *Passthrough) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.emit(append(p.buf, '\n'))
		p.buf = nil
	}
}

// Redirect sends what is written to *f (os.Stdout, say) through p until
// the function it returns is called, which puts *f back and returns once
// everything written is through. Package testing prints its closing lines
// straight to os.Stdout; this is how they meet the same filter as
// Ginkgo's.
func Redirect(f **os.File, p *Passthrough) (restore func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	orig := *f
	*f = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(p, r)
	}()
	return func() {
		*f = orig
		w.Close()
		<-done
		r.Close()
		p.Flush()
	}, nil
}

// Mute drops everything written from now on.
func (p *Passthrough) Mute() {
	p.mu.Lock()
	p.muted = true
	p.buf = nil
	p.mu.Unlock()
}

func (p *Passthrough) emit(line []byte) {
	if p.muted || MarksOnly(string(line)) || EndingNoise(string(line)) {
		return
	}
	line = withoutSuitePath(line)
	// The lines dropped above stood between blank lines: one blank line
	// is enough.
	blank := len(bytes.TrimSpace(Uncolored(line))) == 0
	if blank && p.blank {
		return
	}
	p.blank = blank
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	p.c.above(p.w, line)
}

// specMark is the mark Ginkgo's default reporter prints for a passing spec.
var specMark = func() rune {
	if runtime.GOOS == "windows" {
		return '+'
	}
	return '•'
}()

// MarksOnly reports whether line, color codes aside, holds nothing but the
// marks Ginkgo prints for finished specs: • passed, S skipped, P pending.
func MarksOnly(line string) bool {
	marks := 0
	for i := 0; i < len(line); {
		if line[i] == '\x1b' && i+1 < len(line) && line[i+1] == '[' {
			j := i + 2
			for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == specMark || r == 'S' || r == 'P':
			marks++
		case r == '\n' || r == '\r':
		default:
			return false
		}
		i += size
	}
	return marks > 0
}
