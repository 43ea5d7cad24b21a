package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"

	ws "github.com/hackney-go/ws"
)

// lineInput sends each line of a reader (stdin when it is not a
// terminal) as one message: text by default, binary with --binary. With
// --null the "lines" end with NUL bytes instead of newlines. The lines
// come from readLines, one reader for all the connections of --reconnect:
// a line read while no connection is up goes to the next.
type lineInput struct {
	lines  *lineSource
	sep    byte
	binary bool
}

// lineSource is stdin's lines, read by one goroutine, with the line a
// session took as its connection went away: the next session sends it.
type lineSource struct {
	ch   <-chan inputLine
	mu   sync.Mutex
	back *inputLine
}

// take returns the next line, false once the session is over.
func (src *lineSource) take(s *session) (l inputLine, more, ok bool) {
	src.mu.Lock()
	if b := src.back; b != nil {
		src.back = nil
		src.mu.Unlock()
		return *b, true, true
	}
	src.mu.Unlock()
	select {
	case l, more = <-src.ch:
	case <-s.done:
		return l, false, false
	}
	select {
	case <-s.done:
		src.mu.Lock()
		src.back = &l
		src.mu.Unlock()
		return l, false, false
	default:
	}
	return l, more, true
}

// inputLine is a line of the input, numbered from 1, or the error that
// ended the input; the channel is closed after it.
type inputLine struct {
	msg []byte
	n   int
	err error
}

// readLines reads r's lines, each ended by sep, until its end.
func readLines(r io.Reader, sep byte) *lineSource {
	ch := make(chan inputLine)
	go func() {
		defer close(ch)
		br := bufio.NewReaderSize(r, 64<<10)
		for n := 1; ; n++ {
			line, err := br.ReadBytes(sep)
			if len(line) > 0 {
				ch <- inputLine{msg: bytes.TrimSuffix(line, []byte{sep}), n: n}
			}
			if err != nil {
				if err != io.EOF {
					ch <- inputLine{err: err}
				}
				return
			}
		}
	}()
	return &lineSource{ch: ch}
}

func (in lineInput) run(s *session) (*closeRequest, error) {
	for {
		l, more, ok := in.lines.take(s)
		if !ok {
			return nil, nil // the connection is gone: the next one takes the lines
		}
		switch {
		case !more:
			return nil, nil
		case l.err != nil:
			return nil, &inputError{"reading standard input: " + l.err.Error()}
		}
		msg := l.msg
		f := ws.Binary(msg)
		if !in.binary {
			if in.sep == '\n' {
				msg = bytes.TrimSuffix(msg, []byte{'\r'})
			}
			if !utf8.Valid(msg) {
				return nil, &inputError{fmt.Sprintf("input message %d is not valid UTF-8 (send binary data with --binary)", l.n)}
			}
			f = ws.Text(msg)
		}
		if err := s.send(f); err != nil {
			return nil, err
		}
	}
}

// argsInput sends the messages given with -x and the files given with
// --file, in their order on the command line.
type argsInput struct {
	items  []sendItem
	binary bool
}

func (in argsInput) run(s *session) (*closeRequest, error) {
	for _, it := range in.items {
		if it.file != "" {
			if err := s.sendFile(it.file); err != nil {
				return nil, err
			}
			continue
		}
		f := ws.Text(it.text)
		if in.binary {
			f = ws.Binary([]byte(it.text))
		}
		if !in.binary && !utf8.ValidString(it.text) {
			return nil, &inputError{fmt.Sprintf("-x %q is not valid UTF-8 (send binary data with --binary)", it.text)}
		}
		if err := s.send(f); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// progressMin is the file size from which sending shows progress.
const progressMin = 1 << 20

// sendFile streams a file as one binary message (ws.Conn.SendFrom): it
// is never held whole, and on a terminal a large file shows how much of
// it has gone out.
func (s *session) sendFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &inputError{err.Error()}
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	s.out.sentFile(path, size)
	var r io.Reader = f
	var pr *progressReader
	if s.progress != nil && size >= progressMin {
		pr = &progressReader{r: f, status: s.progress, name: filepath.Base(path), size: size, start: time.Now()}
		r = pr
	}
	err = s.conn.SendFrom(ws.BinaryFrame, r)
	if pr != nil {
		pr.done(err)
	}
	if err != nil {
		return &sendError{err}
	}
	return nil
}
