package ws

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// question is a message followed at once by a frame that breaks the
// protocol (a reserved opcode), in one write.
var question = cat(wire(proto.OpText, true, []byte("question")), header(0x83, 0))

// In active mode, the answer to a message goes out before the close frame
// that the breach right after it calls for (issue 10, item 8): the
// failure is the next event, and the close frame goes once it is taken,
// as in passive mode, where the next Recv finds the breach.
func TestActiveAnswerGoesBeforeTheFailure(t *testing.T) {
	c, p := newPipe(t, ActiveMode(Active), CloseTimeout(testTimeout))
	p.write(question)
	if ev := nextEvent(t, c.Events()); ev.Err != nil || ev.Frame.Text() != "question" {
		t.Fatalf("event %+v, want the question", ev)
	}
	// The Conn has read the breach by now: it offers the failure, or (the
	// defect) has begun to write the close frame to the peer, who does
	// not read yet.
	waitParked(t, "ws.(*Conn).lastEvent", "net.(*pipe).write")
	sent := make(chan error, 1)
	go func() { sent <- c.Send(Text("answer")) }()
	p.wantFrame(proto.OpText, "answer")
	if err := <-sent; err != nil {
		t.Fatalf("Send of the answer: %v", err)
	}
	ev := nextEvent(t, c.Events())
	checkViolationError(t, ev.Err, 1002)
	p.wantClose(1002)
	if _, ok := <-c.Events(); ok {
		t.Fatal("an event after the last one")
	}
}

// When nobody takes the failure event, the close frame goes anyway,
// CloseTimeout after it was offered; the event stays offered. The same
// CloseTimeout bounds the close frame's write, which the pipe holds until
// the peer reads: 1 ms failed on a loaded machine, the peer's goroutine
// not running in time; 200 ms only makes the test that long.
func TestActiveFailureClosesWithoutAConsumer(t *testing.T) {
	c, p := newPipe(t, ActiveMode(Active), CloseTimeout(200*time.Millisecond))
	p.write(question)
	if ev := nextEvent(t, c.Events()); ev.Frame.Text() != "question" {
		t.Fatalf("event %+v, want the question", ev)
	}
	p.wantClose(1002)
	checkViolationError(t, nextEvent(t, c.Events()).Err, 1002)
}

// Close while the failure event is offered: the close frame owed goes
// out before Close returns.
func TestActiveFailureThenClose(t *testing.T) {
	c, p := newPipe(t, ActiveMode(Active), CloseTimeout(testTimeout))
	p.write(question)
	nextEvent(t, c.Events())
	waitParked(t, "ws.(*Conn).lastEvent")
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	p.wantClose(1002)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Send(Text("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close: %v", err)
	}
}

// A write that failed breaks the stream for good: Send's error says the
// Conn is over (issue 10, item 6), and keeps the socket's error.
func TestSendAfterAFailedWriteMatchesErrClosed(t *testing.T) {
	c, p := newPipe(t)
	p.nc.Close()
	for range 2 {
		err := c.Send(Text("lost"))
		if !errors.Is(err, ErrClosed) || !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("Send: %v, want an error matching ErrClosed and the socket's error", err)
		}
	}
	// The reader finds the end too: a CloseError, which matches ErrClosed.
	_, err := c.RecvTimeout(testTimeout)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseAbnormal || !errors.Is(err, ErrClosed) {
		t.Fatalf("Recv: %v, want a CloseError 1006", err)
	}
}
