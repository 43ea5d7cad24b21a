package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressEvery is the least time between two redraws of a progress line.
const progressEvery = 100 * time.Millisecond

// statusLine is a line of progress that is redrawn in place on a
// terminal. Messages printed to the same terminal while it shows go
// through hold, which wipes it first so that a message never lands at
// the end of the progress text.
type statusLine struct {
	mu   sync.Mutex
	w    io.Writer
	open bool // the line shows text and no newline yet
}

// show draws text as the status line.
func (l *statusLine) show(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "\r\x1b[K"+format, args...)
	l.open = true
}

// end replaces the status line with a last line, kept, or with nothing
// when format is empty.
func (l *statusLine) end(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if format == "" {
		io.WriteString(l.w, "\r\x1b[K")
	} else {
		fmt.Fprintf(l.w, "\r\x1b[K"+format+"\r\n", args...)
	}
	l.open = false
}

// hold runs print, which writes to the terminal, with the status line
// wiped; a nil statusLine just runs it.
func (l *statusLine) hold(print func()) {
	if l == nil {
		print()
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open {
		io.WriteString(l.w, "\r\x1b[K")
		l.open = false
	}
	print()
}

// progressReader shows on a status line how much of a file has been
// read by the sender, which reads only as fast as the peer takes it.
type progressReader struct {
	r      io.Reader
	status *statusLine
	name   string
	size   int64
	n      int64
	start  time.Time
	last   time.Time
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if time.Since(p.last) >= progressEvery {
		p.last = time.Now()
		p.status.show("sending %s: %3d%% of %s", p.name, percent(p.n, p.size), byteSize(p.size))
	}
	return n, err
}

// done replaces the progress with how long the send took, or with
// nothing after a failure, which is reported elsewhere.
func (p *progressReader) done(err error) {
	if err != nil {
		p.status.end("")
		return
	}
	d := time.Since(p.start)
	p.status.end("sent %s: %s in %v (%s/s)", p.name, byteSize(p.n), d.Round(time.Millisecond), byteSize(int64(float64(p.n)/max(d.Seconds(), 1e-6))))
}

func percent(n, total int64) int64 {
	if total <= 0 {
		return 100
	}
	return min(100, n*100/total)
}
