package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// readFile reads the file at path whole. With status set and a file of
// at least progressMin bytes, it shows how far it has read.
func readFile(path string, status *statusLine) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return io.ReadAll(f)
	}
	size := fi.Size()
	data := make([]byte, 0, size)
	show := status != nil && size >= progressMin
	name := filepath.Base(path)
	last := time.Time{}
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew
		}
		n, err := f.Read(data[len(data):min(cap(data), len(data)+1<<20)])
		data = data[:len(data)+n]
		if show && (time.Since(last) >= progressEvery || err != nil) {
			last = time.Now()
			status.show("reading %s: %3d%% of %s", name, percent(int64(len(data)), size), byteSize(size))
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			if show {
				status.end("")
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
}

func percent(n, total int64) int64 {
	if total <= 0 {
		return 100
	}
	return min(100, n*100/total)
}
