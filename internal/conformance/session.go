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

// maxReceive bounds a message the server accepts from the client: far
// above what the cases echo, far below what would exhaust memory.
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

// Role is the end of the connection a script plays. The steps are
// written as a server's (the frames they write unmasked, those they
// expect masked); a script playing the client has its frames masked as
// it writes them (see flipper) and expects unmasked ones, so that every
// case checks the same rule from either end.
type Role uint8

// The roles.
const (
	// AsServer: the script serves, the code under test is the client.
	AsServer Role = iota
	// AsClient: the script connects, the code under test is the server.
	AsClient
)

// Session is the script's end of one connection while it runs. A
// goroutine reads the peer's frames all along, so that the peer never
// blocks writing while the script writes: the two can exchange messages
// of any size in any order.
type Session struct {
	nc      net.Conn
	br      *bufio.Reader
	timeout time.Duration
	role    Role
	flip    *flipper // AsClient: what the script writes, in a client's form
	// stream, for a session on an HTTP/2 stream (StreamServer), is how
	// the stream ends, which stands for the TCP connection's end.
	stream *streamEnd

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
func runScript(nc net.Conn, timeout time.Duration, script []Step) error {
	defer nc.Close()
	br := bufio.NewReader(nc)
	if err := handshake(nc, br, timeout); err != nil {
		return err
	}
	return runSession(newSession(nc, br, timeout, AsServer), (*Session).read, script)
}

// newSession returns the Session of a connection whose opening handshake
// is done, br holding what the peer sent after it, if anything.
func newSession(nc net.Conn, br *bufio.Reader, timeout time.Duration, role Role) *Session {
	s := &Session{
		nc:         nc,
		br:         br,
		timeout:    timeout,
		role:       role,
		items:      make(chan Received, 64),
		quit:       make(chan struct{}),
		readerDone: make(chan struct{}),
	}
	if role == AsClient {
		s.flip = &flipper{key: clientMaskKey}
	}
	return s
}

// clientMaskKey masks what a script playing the client writes: a key
// with every byte distinct and none zero, so that a payload left
// unmasked or masked at the wrong offset shows.
var clientMaskKey = [4]byte{0x5a, 0xc3, 0x91, 0x2e}

// runSession runs read, which reads the peer's frames into s, and the
// steps in order, stopping at the first that fails.
func runSession(s *Session, read func(*Session), script []Step) error {
	go read(s)
	defer func() {
		close(s.quit)
		s.nc.Close()
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

// read parses the peer's frames until the connection ends, checking
// each with a proto.Reader of the script's role: masking, and every other
// rule the peer must follow. It hands the Reader one frame at a time, so as to
// know the headers of the frames that make each message.
func (s *Session) read() {
	defer close(s.readerDone)
	err := s.parse()
	if err != errQuit {
		s.emit(Received{Err: err})
	}
}

func (s *Session) parse() error {
	// With limits, the Reader sizes a message's buffer from its header
	// rather than growing it as the payload comes.
	rd := proto.Reader{Server: s.role == AsServer, MaxFrame: maxReceive, MaxMessage: maxReceive}
	var (
		buf       = make([]byte, 64<<10)
		pos, end  int            // buf[pos:end] is read and not yet parsed
		frameLeft int64          // bytes of the current frame, header included, not yet parsed
		cur       proto.Header   // the current frame's header
		data      []proto.Header // the frames of the data message being read
	)
	for {
		if frameLeft == 0 && pos < end {
			h, n, err := proto.ParseHeader(buf[pos:end])
			if err != nil {
				return err
			}
			if n > 0 {
				frameLeft, cur = int64(n)+h.Length, h
				if !h.Op.IsControl() {
					data = append(data, h)
				}
			}
		}
		var (
			f   proto.Frame
			ok  bool
			err error
		)
		switch {
		case frameLeft > 0 && pos < end:
			var used int
			used, f, ok, err = rd.Next(buf[pos : pos+int(min(int64(end-pos), frameLeft))])
			pos += used
			frameLeft -= int64(used)
		case frameLeft > 0 && len(rd.PayloadBuffer()) >= len(buf)/4:
			// The rest of a large payload goes straight into its message.
			var n int
			n, err = s.br.Read(rd.PayloadBuffer())
			if n > 0 {
				frameLeft -= int64(n)
				f, ok, err = rd.Commit(n)
			}
		default:
			// Keep a partial header at the start of buf and read more.
			end = copy(buf, buf[pos:end])
			pos = 0
			var n int
			n, err = s.br.Read(buf[end:])
			end += n
			if n > 0 {
				err = nil
			}
		}
		if err != nil {
			return err
		}
		if ok && cur.Op.IsControl() {
			err = s.emit(Received{Frame: f, Headers: []proto.Header{cur}})
		} else if ok {
			err, data = s.emit(Received{Frame: f, Headers: data}), nil
		}
		if err != nil {
			return err
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

// Write writes b to the peer in one write, bounded by the timeout; a
// script playing the client writes b in a client's form.
func (s *Session) Write(b []byte) error {
	if s.gone {
		return nil
	}
	if s.flip != nil {
		b = s.flip.flip(b)
	}
	s.nc.SetWriteDeadline(time.Now().Add(s.timeout))
	_, err := s.nc.Write(b)
	if err != nil && s.tolerant && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || s.stream != nil && s.stream.reset()) {
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
			if classOf(r) == classEnd || classOf(r) == classClose && c < classClose {
				return r, fmt.Errorf("waiting for %s, got %s", classNames[c], describe(r))
			}
			s.backlog = append(s.backlog, r)
		case <-t.C:
			return Received{}, fmt.Errorf("waited %v for %s", s.timeout, classNames[c])
		}
	}
}

// leftovers fails a script that ended with frames from the client that
// no step expected.
func (s *Session) leftovers() error {
drain:
	for {
		select {
		case r := <-s.items:
			if r.Err == nil {
				s.backlog = append(s.backlog, r)
			}
		default:
			break drain
		}
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
