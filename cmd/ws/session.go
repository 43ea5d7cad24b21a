package main

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync/atomic"
	"time"

	ws "github.com/hackney-go/ws"
)

// session runs one connection: a goroutine receives and prints, the input
// sends, and run decides when and how the connection closes.
type session struct {
	conn *ws.Conn
	out  printer
	st   style     // for notes, on notes' writer
	note io.Writer // where notes and errors during the session go

	count       int           // close after this many messages received; 0: no limit
	received    *atomic.Int64 // messages received, by every session of --reconnect
	recvTimeout time.Duration // for the message when Recv times out
	wait        time.Duration // after the input ends, wait this long for replies
	waitForever bool          // or until the server closes
	closeAtEnd  bool          // the end of the input closes at once (interactive)
	progress    *statusLine   // progress of large file sends; nil: none

	interrupts <-chan struct{} // Ctrl-C, as a signal or as a key in raw mode

	until   *regexp.Regexp // --until: a message received that matches closes with 1000
	matched atomic.Bool    // one did; set by the receiving goroutine

	done chan struct{} // closed when run returns: the input stops taking lines
}

// input is what a session sends: lines of a pipe, the -x and --file
// arguments, or the lines typed at the prompt. run sends until the input
// ends; it returns a close request when the user asked for a particular
// close (/close), nil for the end of the input.
type input interface {
	run(s *session) (*closeRequest, error)
}

type closeRequest struct {
	code   ws.CloseCode
	reason string
}

// inputError is a fault in what the user gave to send: the session closes
// and the command exits with the usage error code.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// sendError is a send that failed because the connection ended; the
// receiving goroutine learns why.
type sendError struct{ err error }

func (e *sendError) Error() string { return "send: " + trimWS(e.err) }

// outcome is how a session ended: the exit code and, when not empty, a
// line for stderr (an error when the code is not 0). lost is the
// connection's own end, when the server or the network ended it rather
// than ws: --reconnect may connect again.
type outcome struct {
	code int
	msg  string
	lost error
}

// errCountReached ends the receiving goroutine after --count messages,
// errUntilMatched when a message matched --until.
var (
	errCountReached = errors.New("count reached")
	errUntilMatched = errors.New("--until matched")
)

// endOfSendWait bounds the wait, after a send failed, for the receiving
// goroutine to report why the connection ended.
const endOfSendWait = 2 * time.Second

// run runs the session until the connection closes.
func (s *session) run(in input) outcome {
	s.done = make(chan struct{})
	defer close(s.done)
	recvDone := make(chan error, 1)
	go func() { recvDone <- s.receive() }()
	type inputResult struct {
		req *closeRequest
		err error
	}
	inputDone := make(chan inputResult, 1)
	go func() {
		req, err := in.run(s)
		inputDone <- inputResult{req, err}
	}()
	var waitC <-chan time.Time
	var sendErr error
	for {
		select {
		case err := <-recvDone:
			return s.ended(err)
		case r := <-inputDone:
			inputDone = nil
			var ie *inputError
			switch {
			case errors.As(r.err, &ie):
				o := s.close(ws.CloseNormal, "")
				if o.code == exitInterrupted {
					return o
				}
				return outcome{code: exitUsage, msg: ie.msg}
			case r.err != nil:
				sendErr = r.err
				waitC = time.After(endOfSendWait)
			case r.req != nil:
				return s.close(r.req.code, r.req.reason)
			case s.closeAtEnd || (s.wait == 0 && !s.waitForever):
				return s.close(ws.CloseNormal, "")
			case !s.waitForever:
				waitC = time.After(s.wait)
			}
		case <-waitC:
			if sendErr != nil {
				return outcome{code: exitAbnormal, msg: sendErr.Error()}
			}
			return s.close(ws.CloseNormal, "")
		case <-s.interrupts:
			s.st.notef(s.note, "interrupted: closing with 1000 (Ctrl-C again to quit at once)")
			return s.close(ws.CloseNormal, "")
		}
	}
}

// receive prints what arrives until the connection ends or --count
// messages have come.
func (s *session) receive() error {
	for {
		f, err := s.conn.Recv()
		if err != nil {
			return err
		}
		s.out.received(f)
		if f.Kind == ws.TextFrame || f.Kind == ws.BinaryFrame {
			if s.until != nil && s.until.Match(f.Payload) {
				s.matched.Store(true)
				return errUntilMatched
			}
			if n := s.received.Add(1); s.count > 0 && n >= int64(s.count) {
				return errCountReached
			}
		}
	}
}

// send shows f as sent, then sends it: shown after, it could follow the
// reply that the receiving goroutine prints.
func (s *session) send(f ws.Frame) error {
	s.out.sent(f)
	if err := s.conn.Send(f); err != nil {
		return &sendError{err}
	}
	return nil
}

// ended handles the end of the receiving goroutine: the count reached,
// the receive timeout, or the connection's end.
func (s *session) ended(err error) outcome {
	var ce *ws.CloseError
	switch {
	case err == errCountReached, err == errUntilMatched:
		return s.close(ws.CloseNormal, "")
	case errors.Is(err, ws.ErrTimeout):
		o := s.close(ws.CloseNormal, "")
		if o.code == exitInterrupted {
			return o
		}
		return outcome{code: exitAbnormal, msg: fmt.Sprintf("no message received for %v (--recv-timeout): closed", s.recvTimeout)}
	}
	// The connection has ended: Close returns once the close frame owed
	// to the server (the echo of its close, or the code of a failure) is
	// written, at most the close timeout.
	s.conn.Close()
	switch {
	case errors.Is(err, ws.ErrKeepalive):
		s.out.failed(err)
		return outcome{code: exitAbnormal, msg: "the server stopped answering: nothing came back within --ping-timeout of a ping (the connection is dead)", lost: err}
	case errors.As(err, &ce):
		s.out.closed(dirIn, ce.Code, ce.Reason)
		desc := closeDescription(ce.Code, ce.Reason)
		if ce.Code == ws.CloseAbnormal {
			return outcome{code: exitAbnormal, msg: "the connection ended without a close frame", lost: err}
		}
		if normalClose(ce.Code) {
			return outcome{code: exitOK, msg: "the server closed the connection: " + desc, lost: err}
		}
		return outcome{code: exitAbnormal, msg: "the server closed the connection: " + desc, lost: err}
	}
	s.out.failed(err)
	return outcome{code: exitAbnormal, msg: "the connection failed: " + trimWS(err), lost: err}
}

// normalClose tells the close codes that end a connection normally: 1000,
// and 1005 for a close frame without a code, which many servers send.
func normalClose(code ws.CloseCode) bool {
	return code == ws.CloseNormal || code == ws.CloseNoStatusReceived
}

func closeDescription(code ws.CloseCode, reason string) string {
	if reason == "" {
		return code.String()
	}
	return fmt.Sprintf("%v %q", code, reason)
}

// close runs the closing handshake; a Ctrl-C meanwhile quits at once.
func (s *session) close(code ws.CloseCode, reason string) outcome {
	done := make(chan error, 1)
	go func() { done <- s.conn.CloseWith(code, reason) }()
	select {
	case err := <-done:
		if err != nil {
			s.out.failed(err)
			return outcome{code: exitAbnormal, msg: "close: " + trimWS(err)}
		}
		s.out.closed(dirOut, code, reason)
		return outcome{code: exitOK, msg: "closed with " + closeDescription(code, reason)}
	case <-s.interrupts:
		return outcome{code: exitInterrupted, msg: "interrupted again: quit without finishing the close"}
	}
}
