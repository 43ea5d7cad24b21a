package conformance

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// maxReceive bounds a frame the server accepts from the client: far above
// what the cases echo, far below what would exhaust memory.
const maxReceive = 64 << 20

// Received is what the client sent: a message, its fragments joined, or a
// control frame, with the headers of the frames that carried it; or, as
// the last item, why the connection ended.
type Received struct {
	proto.Frame
	Headers []proto.Header
	// Err, on the last item, is why reading ended: io.EOF when the client
	// closed the TCP connection, a *proto.Violation when it broke RFC 6455.
	Err error
}

// Session is the server's end of one connection while its script runs.
// A goroutine reads the client's frames all along, so that the client
// never blocks writing while the script writes: the two can exchange
// messages of any size in any order.
type Session struct {
	nc      net.Conn
	br      *bufio.Reader
	timeout time.Duration

	items      chan Received // from the reader goroutine, in order
	quit       chan struct{} // closed when the script ends
	readerDone chan struct{}
	backlog    []Received // items read but not yet taken by a step

	// tolerant makes writes to a client that has closed the connection
	// succeed without writing; gone records that it has.
	tolerant, gone bool
}

// runScript answers the client's opening handshake on nc, then runs the
// steps in order, stopping at the first that fails. It closes nc.
func runScript(nc net.Conn, timeout time.Duration, script []Step) (err error) {
	defer nc.Close()
	br := bufio.NewReader(nc)
	if err := handshake(nc, br, timeout); err != nil {
		return err
	}
	s := &Session{
		nc:         nc,
		br:         br,
		timeout:    timeout,
		items:      make(chan Received, 64),
		quit:       make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	go s.read()
	defer func() {
		close(s.quit)
		nc.Close()
		<-s.readerDone
	}()
	for i, step := range script {
		if err := step.Run(s); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, step.Name, err)
		}
	}
	return s.leftovers()
}

// handshake reads the client's upgrade request and answers it with 101
// (RFC 6455 section 4.2.2), by hand: the server owes nothing to the code
// under test.
func handshake(nc net.Conn, br *bufio.Reader, timeout time.Duration) error {
	nc.SetDeadline(time.Now().Add(timeout))
	defer nc.SetDeadline(time.Time{})
	// The client sends nothing after its request until it has the answer,
	// so br holds nothing of what follows.
	r, err := http.ReadRequest(br)
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	switch {
	case r.Method != http.MethodGet:
		return fmt.Errorf("handshake: method %s, want GET", r.Method)
	case !strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		return fmt.Errorf("handshake: Upgrade %q", r.Header.Get("Upgrade"))
	case !strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade"):
		return fmt.Errorf("handshake: Connection %q", r.Header.Get("Connection"))
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return fmt.Errorf("handshake: Sec-WebSocket-Version %q", r.Header.Get("Sec-WebSocket-Version"))
	case len(key) != 24:
		return fmt.Errorf("handshake: Sec-WebSocket-Key %q", key)
	}
	_, err = io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Accept: "+proto.AcceptKey(key)+"\r\n\r\n")
	return err
}

// read parses the client's frames until the connection ends, checking
// each with a server's proto.Reader: masking, and every other rule a
// client must follow.
func (s *Session) read() {
	defer close(s.readerDone)
	rd := proto.Reader{Server: true}
	var data []proto.Header // the frames of the data message being read
	for {
		raw, h, err := s.readFrame()
		if err == nil {
			var f proto.Frame
			var ok bool
			_, f, ok, err = rd.Next(raw)
			if err == nil && h.Op.IsControl() {
				err = s.emit(Received{Frame: f, Headers: []proto.Header{h}})
			} else if err == nil {
				data = append(data, h)
				if ok {
					err = s.emit(Received{Frame: f, Headers: data})
					data = nil
				}
			}
		}
		if err != nil {
			if err != errQuit {
				s.emit(Received{Err: err})
			}
			return
		}
	}
}

var errQuit = errors.New("conformance: script ended")

// emit hands r to the script, unless it has ended.
func (s *Session) emit(r Received) error {
	select {
	case s.items <- r:
		return nil
	case <-s.quit:
		return errQuit
	}
}

// readFrame reads one whole frame from the client, as it is on the wire.
func (s *Session) readFrame() ([]byte, proto.Header, error) {
	for size := 2; ; size++ {
		b, err := s.br.Peek(size)
		if err != nil {
			return nil, proto.Header{}, err
		}
		h, n, err := proto.ParseHeader(b)
		if err != nil {
			return nil, h, err
		}
		if n == 0 {
			continue
		}
		if h.Length > maxReceive {
			return nil, h, fmt.Errorf("the client sent a frame of %d bytes", h.Length)
		}
		raw := make([]byte, n+int(h.Length))
		_, err = io.ReadFull(s.br, raw)
		return raw, h, err
	}
}

// Write writes b to the client in one write, bounded by the timeout.
func (s *Session) Write(b []byte) error {
	if s.gone {
		return nil
	}
	s.nc.SetWriteDeadline(time.Now().Add(s.timeout))
	_, err := s.nc.Write(b)
	if err != nil && s.tolerant && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)) {
		s.gone = true
		return nil
	}
	return err
}

// class sorts what the client sends: the steps take data messages, pings
// and pongs each in the order they came, but a pong may come before or
// after a message sent at about the same time, as the client answers
// pings on its own.
type class uint8

const (
	classData class = iota
	classPing
	classPong
	classClose
	classEnd
)

func classOf(r Received) class {
	switch {
	case r.Err != nil:
		return classEnd
	case r.Op == proto.OpPing:
		return classPing
	case r.Op == proto.OpPong:
		return classPong
	case r.Op == proto.OpClose:
		return classClose
	}
	return classData
}

var classNames = [...]string{"a message", "a ping", "a pong", "a close frame", "the end of the connection"}

// take returns the first item of class c the client sent, waiting for it
// at most the timeout. Items of other classes that come first are kept
// for later steps, except a close or the end of the connection: after
// those the client sends nothing more, so the wait fails at once.
func (s *Session) take(c class) (Received, error) {
	for i, r := range s.backlog {
		if classOf(r) == c {
			s.backlog = append(s.backlog[:i], s.backlog[i+1:]...)
			return r, nil
		}
		if classOf(r) >= classClose && c < classClose {
			return r, fmt.Errorf("waiting for %s, got %s", classNames[c], describe(r))
		}
	}
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	for {
		select {
		case r := <-s.items:
			if classOf(r) == c {
				return r, nil
			}
			if classOf(r) >= classClose && c < classClose {
				return r, fmt.Errorf("waiting for %s, got %s", classNames[c], describe(r))
			}
			if classOf(r) == classEnd {
				return r, fmt.Errorf("waiting for %s, got %s", classNames[c], describe(r))
			}
			s.backlog = append(s.backlog, r)
		case <-t.C:
			return Received{}, fmt.Errorf("no %s from the client within %v", strings.TrimPrefix(classNames[c], "a "), s.timeout)
		}
	}
}

// leftovers fails a script that ended with frames from the client that
// no step expected.
func (s *Session) leftovers() error {
	for {
		select {
		case r := <-s.items:
			if r.Err == nil {
				s.backlog = append(s.backlog, r)
			}
			continue
		default:
		}
		break
	}
	if len(s.backlog) > 0 {
		return fmt.Errorf("unexpected from the client: %s", describeAll(s.backlog))
	}
	return nil
}

// describe names r in an error message.
func describe(r Received) string {
	switch classOf(r) {
	case classEnd:
		if r.Err == io.EOF {
			return "the end of the connection"
		}
		return fmt.Sprintf("the end of the connection (%v)", r.Err)
	case classClose:
		code, reason, _ := proto.ParseClose(r.Payload)
		return fmt.Sprintf("close %d %q", code, reason)
	}
	const show = 40
	if r.Op == proto.OpText && len(r.Payload) <= show {
		return fmt.Sprintf("%v %q", r.Op, r.Payload)
	}
	return fmt.Sprintf("%v of %d bytes %x", r.Op, len(r.Payload), r.Payload[:min(show, len(r.Payload))])
}

func describeAll(rs []Received) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, describe(r))
	}
	return strings.Join(parts, ", ")
}
