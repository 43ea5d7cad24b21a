package h2

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// endStreamWait bounds how long Close waits for the transport to send the
// END_STREAM that ends a stream the server has ended already. The
// transport writes it under the connection's write lock, which its
// WriteByteTimeout bounds.
const endStreamWait = time.Second

// peerEndWait bounds how long Close waits, after our END_STREAM, for the
// server's (see Stream.Close): against a server that never ends its side,
// Close takes that long and then resets the stream.
const peerEndWait = 2 * time.Second

// ErrGoAway is the error of a Stream whose connection the server ended
// with GOAWAY (RFC 9113 section 6.8).
var ErrGoAway = errors.New("HTTP/2 connection ended by the server's GOAWAY")

// Stream is one WebSocket carried on an HTTP/2 stream (RFC 8441): a
// net.Conn whose Write hands bytes to the transport as DATA frames and
// whose Read returns the server's DATA frames. Its deadlines behave as a
// socket's: a Read or Write blocked past its deadline returns
// os.ErrDeadlineExceeded, and a later call works again once the deadline
// moves. Close ends the stream: with END_STREAM when the server has ended
// its side already, else with RST_STREAM (CANCEL), and gives the stream's
// slot on the connection back.
//
// A Stream half-closed by CloseWrite (the orderly end after the close
// frames) is not reset at once by Close: the reset could overtake our
// END_STREAM, and would tell the server that the connection ended
// abnormally (RFC 8441 section 5, RST_STREAM standing for a TCP reset).
// Close waits for the server's END_STREAM first, reading and dropping
// what comes before it, and resets the stream only if it does not come.
//
// Its waits: a Read waits as bodyReader says, until its deadline or
// Close; a Write waits for the transport to take the bytes (flow control
// holds it back) until its deadline, Close or the stream's end; Close
// waits for the server's END_STREAM after CloseWrite at most peerEndWait,
// for the transport to take what Write handed it and our END_STREAM at
// most endStreamWait in all, and for the body reader, which the body's
// Close unblocks.
type Stream struct {
	in    bodyReader // the response's body: the server's DATA frames
	send  *sendPipe  // the request's body: our DATA frames
	conn  *poolConn
	laddr net.Addr
	raddr net.Addr
	stop  func() // cancels the request's context, after the body is closed

	closed    chan struct{}
	closeOnce sync.Once
}

func newStream(body io.ReadCloser, send *sendPipe, pc *poolConn, stop func()) *Stream {
	s := &Stream{
		send:   send,
		conn:   pc,
		laddr:  pc.nc.LocalAddr(),
		raddr:  pc.nc.RemoteAddr(),
		stop:   stop,
		closed: make(chan struct{}),
	}
	s.in.start(body, s.closed, s.readError)
	return s
}

// Read reads the server's data, as a socket's Read.
func (s *Stream) Read(p []byte) (int, error) { return s.in.read(p) }

// readError says why the server's side of the stream ended: io.EOF for
// its END_STREAM (the socket's end of stream), a *ResetError for its
// RST_STREAM, an error matching ErrGoAway when its GOAWAY ended the
// connection.
func (s *Stream) readError(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	var se http2.StreamError
	if errors.As(err, &se) {
		return &ResetError{Code: se.Code}
	}
	var ga http2.GoAwayError
	if errors.As(err, &ga) || s.conn.cc.State().Closing {
		return fmt.Errorf("%w: %v", ErrGoAway, err)
	}
	return err
}

// ResetError reports the server's RST_STREAM of the stream (RFC 9113
// section 6.4), the equivalent of a TCP reset (RFC 8441 section 6).
type ResetError struct {
	Code http2.ErrCode
}

func (e *ResetError) Error() string { return "stream reset by the server: " + e.Code.String() }

// Write hands p to the transport, as a socket's Write.
func (s *Stream) Write(p []byte) (int, error) { return s.send.write(p, s.closed) }

// CloseWrite sends END_STREAM once the Writes handed over are sent: the
// orderly end of our side (RFC 8441 section 5), as a socket's
// CloseWrite. Reads go on until the server's END_STREAM.
func (s *Stream) CloseWrite() error {
	s.send.closeWrite()
	return nil
}

// EndsStream marks the Stream as one whose CloseWrite ends an HTTP/2
// stream, where a TCP socket's would break RFC 6455's order of closing.
func (s *Stream) EndsStream() {}

// Close ends the stream; see Stream.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		if s.send.halfClosed() && !s.in.ended.Load() {
			s.in.drain(peerEndWait)
		}
		close(s.closed)
		s.send.closeWrite()
		t := time.NewTimer(endStreamWait)
		defer t.Stop()
		// The transport writes what a Read of the body gave it before
		// it reads again: once it has read the end, every byte handed
		// over by Write is on the connection, which a reset would drop
		// (the close frame owed by a Conn that fails, say).
		select {
		case <-s.send.eofTaken:
		case <-s.send.rclosed:
		case <-t.C:
		}
		if s.in.ended.Load() {
			// Both sides end with END_STREAM: the transport sends ours,
			// then lets the request's body go.
			select {
			case <-s.send.rclosed:
			case <-t.C:
			}
		}
		s.in.close() // RST_STREAM (CANCEL) unless the stream is over
		s.stop()
		s.conn.release()
	})
	return nil
}

// LocalAddr returns the local address of the HTTP/2 connection.
func (s *Stream) LocalAddr() net.Addr { return s.laddr }

// RemoteAddr returns the server's address of the HTTP/2 connection.
func (s *Stream) RemoteAddr() net.Addr { return s.raddr }

// SetDeadline sets both deadlines.
func (s *Stream) SetDeadline(t time.Time) error {
	s.in.rdl.set(t)
	s.send.wdl.set(t)
	return nil
}

// SetReadDeadline sets the deadline of Read.
func (s *Stream) SetReadDeadline(t time.Time) error { s.in.rdl.set(t); return nil }

// SetWriteDeadline sets the deadline of Write.
func (s *Stream) SetWriteDeadline(t time.Time) error { s.send.wdl.set(t); return nil }

// sendPipe is the request's body: Write hands its bytes to the
// transport's Read, which takes them as flow control lets it send them.
// A Write waits for the transport until its deadline, the Stream's Close
// or the transport's Close of the body (the stream is over).
type sendPipe struct {
	wmu     sync.Mutex // one Write at a time
	data    chan []byte
	taken   chan int // how much of data's slice the transport took; one slot, so Read never waits
	wdl     deadline
	eof     chan struct{} // closed by closeWrite: the transport reads io.EOF and sends END_STREAM
	eofOnce sync.Once
	// eofTaken is closed when the transport's Read has returned io.EOF:
	// everything before it is written.
	eofTaken  chan struct{}
	eofTakenO sync.Once
	rclosed   chan struct{} // closed when the transport closes the body
	rOnce     sync.Once
}

func newSendPipe() *sendPipe {
	return &sendPipe{
		data:     make(chan []byte),
		taken:    make(chan int, 1),
		eof:      make(chan struct{}),
		eofTaken: make(chan struct{}),
		rclosed:  make(chan struct{}),
	}
}

// errStreamOver is a Write's error once the transport is done with the
// stream: a read then says why.
var errStreamOver = errors.New("HTTP/2 stream is over")

func (p *sendPipe) write(b []byte, closed <-chan struct{}) (n int, err error) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for len(b) > 0 {
		if p.wdl.passed() {
			return n, os.ErrDeadlineExceeded
		}
		select {
		case p.data <- b:
			k := <-p.taken
			b = b[k:]
			n += k
		case <-p.wdl.done():
		case <-closed:
			return n, net.ErrClosed
		case <-p.eof:
			return n, net.ErrClosed
		case <-p.rclosed:
			return n, errStreamOver
		}
	}
	return n, nil
}

// Read is the transport's: it takes what a Write offers.
func (p *sendPipe) Read(b []byte) (int, error) {
	select {
	case d := <-p.data:
		n := copy(b, d)
		p.taken <- n
		return n, nil
	case <-p.eof:
		p.eofTakenO.Do(func() { close(p.eofTaken) })
		return 0, io.EOF
	case <-p.rclosed:
		return 0, io.ErrClosedPipe
	}
}

// Close is the transport's, when it is done with the body.
func (p *sendPipe) Close() error {
	p.rOnce.Do(func() { close(p.rclosed) })
	return nil
}

func (p *sendPipe) closeWrite() { p.eofOnce.Do(func() { close(p.eof) }) }

// halfClosed reports whether closeWrite was called.
func (p *sendPipe) halfClosed() bool {
	select {
	case <-p.eof:
		return true
	default:
		return false
	}
}
