package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
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

// sendFile sends a file as one binary message. On a terminal a large
// file shows the progress of reading it, then how long the send took:
// the library sends a message whole, from memory, so reading is the part
// that can be followed.
func (s *session) sendFile(path string) error {
	data, err := readFile(path, s.progress)
	if err != nil {
		return &inputError{err.Error()}
	}
	show := s.progress != nil && len(data) >= progressMin
	name := filepath.Base(path)
	if show {
		s.progress.show("sending %s (%s)…", name, byteSize(int64(len(data))))
	}
	start := time.Now()
	err = s.send(ws.Binary(data))
	if show {
		if err != nil {
			s.progress.end("")
		} else {
			d := time.Since(start)
			s.progress.end("sent %s: %s in %v (%s/s)", name, byteSize(int64(len(data))), d.Round(time.Millisecond), byteSize(int64(float64(len(data))/max(d.Seconds(), 1e-6))))
		}
	}
	return err
}
