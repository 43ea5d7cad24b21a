package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// Step is one action of a script: a write, a pause or an expectation.
// Name describes it in the error of a script that fails there.
type Step struct {
	Name string
	Run  func(*Session) error
}

// Write writes b in one write.
func Write(b []byte) Step {
	return Step{fmt.Sprintf("write %d bytes", len(b)), func(s *Session) error { return s.Write(b) }}
}

// WriteFrames writes frames in one write.
func WriteFrames(frames ...Frame) Step {
	b := Wire(frames...)
	return Step{fmt.Sprintf("write %d frames, %d bytes", len(frames), len(b)), func(s *Session) error { return s.Write(b) }}
}

// Split writes b in pieces cut at the given offsets, in increasing
// order, pausing between writes so that the client most likely reads each
// piece on its own. Nothing may depend on that: the pause only makes the
// split reach the client's parser more often than not.
func Split(b []byte, pause time.Duration, cuts ...int) Step {
	return Step{fmt.Sprintf("write %d bytes cut at %v", len(b), cuts), func(s *Session) error {
		start := 0
		for _, c := range append(cuts[:len(cuts):len(cuts)], len(b)) {
			if start > 0 {
				time.Sleep(pause)
			}
			if err := s.Write(b[start:c]); err != nil {
				return err
			}
			start = c
		}
		return nil
	}}
}

// Chunked writes b in writes of size bytes (the last may be shorter),
// pausing between them as Split does.
func Chunked(b []byte, size int, pause time.Duration) Step {
	return Step{fmt.Sprintf("write %d bytes in writes of %d", len(b), size), func(s *Session) error {
		for start := 0; start < len(b); start += size {
			if start > 0 && pause > 0 {
				time.Sleep(pause)
			}
			if err := s.Write(b[start:min(start+size, len(b))]); err != nil {
				return err
			}
		}
		return nil
	}}
}

// UntilClosed returns step with its writes cut short, without an error,
// once the client has closed the connection: for the bytes after a
// violation, which a client that fails fast stops reading. What the
// client sent before it closed stays to be read.
func UntilClosed(step Step) Step {
	return Step{step.Name, func(s *Session) error {
		s.tolerant = true
		defer func() { s.tolerant = false }()
		return step.Run(s)
	}}
}

// Pause waits for d: to let the client act on what it has, never as a
// condition of correctness.
func Pause(d time.Duration) Step {
	return Step{fmt.Sprintf("pause %v", d), func(*Session) error { time.Sleep(d); return nil }}
}

// CloseWrite shuts down the server's sending side of the TCP connection
// (a FIN), as a server does once the closing handshake is over (RFC 6455
// section 7.1.1), while it still reads what the client sends. On an
// HTTP/2 stream it ends the stream, both ways (see streamEnd).
func CloseWrite() Step {
	return Step{"close the TCP connection for writing", func(s *Session) error {
		if s.stream != nil {
			s.stream.end()
			return nil
		}
		return s.nc.(*net.TCPConn).CloseWrite()
	}}
}

// EndTCP ends a connection whose closing handshake is over: the server
// closes the TCP connection first (RFC 6455 section 7.1.1). A script
// playing the server shuts down its sending side and waits for the
// client to close; a script playing the client closes nothing and waits
// for the server to close.
//
// On an HTTP/2 stream (RFC 8441) the server cannot half-close (see
// streamEnd) and the client does not wait for it: once the close frames
// have crossed, the client ends its side with END_STREAM, which the
// script waits for, then the script's end ends the stream.
func EndTCP() Step {
	return Step{"end the TCP connection, the server first", func(s *Session) error {
		if s.stream != nil {
			return expectEnd(s, true)
		}
		if s.role == AsServer {
			if err := s.nc.(*net.TCPConn).CloseWrite(); err != nil {
				return err
			}
		}
		return ExpectEOF().Run(s)
	}}
}

// ExpectMessage waits for the client's next data message and checks it
// is a message of op with exactly payload.
func ExpectMessage(op proto.Opcode, payload []byte) Step {
	return Step{fmt.Sprintf("expect %v of %d bytes", op, len(payload)), func(s *Session) error {
		r, err := s.take(classData)
		if err != nil {
			return err
		}
		return same(r, op, payload)
	}}
}

// ExpectFragmented is ExpectMessage for a message that must come in
// fragments of size bytes, the last one shorter or as long.
func ExpectFragmented(op proto.Opcode, payload []byte, size int) Step {
	return Step{fmt.Sprintf("expect %v of %d bytes in fragments of %d", op, len(payload), size), func(s *Session) error {
		r, err := s.take(classData)
		if err != nil {
			return err
		}
		if err := same(r, op, payload); err != nil {
			return err
		}
		if want := frameCount(len(payload), size); len(r.Headers) != want {
			return fmt.Errorf("the message came in %d frames, want %d", len(r.Headers), want)
		}
		for i, h := range r.Headers[:len(r.Headers)-1] {
			if h.Length != int64(size) {
				return fmt.Errorf("fragment %d of the message has %d bytes, want %d", i+1, h.Length, size)
			}
		}
		return nil
	}}
}

// frameCount is how many fragments of size bytes a payload of n bytes
// takes, the last shorter or as long: one at least.
func frameCount(n, size int) int { return max(1, (n+size-1)/size) }

func same(r Received, op proto.Opcode, payload []byte) error {
	if r.Op != op || !bytes.Equal(r.Payload, payload) {
		return fmt.Errorf("got %s, want %v of %d bytes%s", describe(r), op, len(payload), firstDiff(r.Payload, payload))
	}
	return nil
}

// firstDiff says where got first differs from want, for large payloads.
func firstDiff(got, want []byte) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf(" (first difference at byte %d)", i)
		}
	}
	return ""
}

// ExpectPong waits for the client's next pong and checks its payload.
func ExpectPong(payload []byte) Step {
	return Step{fmt.Sprintf("expect a pong of %d bytes", len(payload)), func(s *Session) error {
		r, err := s.take(classPong)
		if err != nil {
			return err
		}
		if !bytes.Equal(r.Payload, payload) {
			return fmt.Errorf("pong %x, want %x", r.Payload, payload)
		}
		return nil
	}}
}

// ExpectClose waits for the client's close frame and checks its code,
// proto.CloseNoStatus (1005) standing for a close frame without one.
// Everything the client sent before it must have been expected by an
// earlier step.
func ExpectClose(code uint16) Step {
	return Step{fmt.Sprintf("expect close %d", code), func(s *Session) error {
		r, err := s.take(classClose)
		if err != nil {
			return err
		}
		if len(s.backlog) > 0 {
			return fmt.Errorf("unexpected before the close: %s", describeAll(s.backlog))
		}
		if got, reason, _ := proto.ParseClose(r.Payload); got != code {
			return fmt.Errorf("close %d %q, want %d", got, reason, code)
		}
		return nil
	}}
}

// ExpectEOF waits for the peer to close the TCP connection, with
// nothing sent before that no step expected.
func ExpectEOF() Step {
	return Step{"expect the peer to close the TCP connection", func(s *Session) error { return expectEnd(s, false) }}
}

// expectEnd waits for the peer to end the connection, with nothing sent
// before that no step expected; with clean, on an HTTP/2 stream, by
// END_STREAM rather than a reset.
func expectEnd(s *Session, clean bool) error {
	r, err := s.take(classEnd)
	if err != nil {
		return err
	}
	if len(s.backlog) > 0 {
		return fmt.Errorf("unexpected before the end: %s", describeAll(s.backlog))
	}
	switch {
	case s.stream != nil && clean:
		if r.Err != io.EOF {
			return fmt.Errorf("the stream ended with %v, want the client's END_STREAM", r.Err)
		}
	case s.stream != nil:
		// END_STREAM, or RST_STREAM: a client that fails the connection
		// may reset the stream rather than end it.
		if !s.stream.peerEnded(r.Err) {
			return fmt.Errorf("the stream ended with %v", r.Err)
		}
	case r.Err != io.EOF && !errors.Is(r.Err, syscall.ECONNRESET):
		// A peer that closes with bytes of ours unread makes its kernel
		// answer with a reset instead of a FIN: the connection is closed
		// either way.
		return fmt.Errorf("the connection ended with %v", r.Err)
	}
	return nil
}
