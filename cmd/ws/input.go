package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	ws "github.com/hackney-go/ws"
)

// lineInput sends each line of a reader (stdin when it is not a
// terminal) as one message: text by default, binary with --binary. With
// --null the "lines" end with NUL bytes instead of newlines.
type lineInput struct {
	r      io.Reader
	sep    byte
	binary bool
}

func (in lineInput) run(s *session) (*closeRequest, error) {
	br := bufio.NewReaderSize(in.r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes(in.sep)
		if len(line) > 0 {
			msg := bytes.TrimSuffix(line, []byte{in.sep})
			f := ws.Binary(msg)
			if !in.binary {
				if in.sep == '\n' {
					msg = bytes.TrimSuffix(msg, []byte{'\r'})
				}
				if !utf8.Valid(msg) {
					return nil, &inputError{fmt.Sprintf("input message %d is not valid UTF-8 (send binary data with --binary)", n)}
				}
				f = ws.Text(msg)
			}
			if err := s.send(f); err != nil {
				return nil, err
			}
		}
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, &inputError{"reading standard input: " + err.Error()}
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
