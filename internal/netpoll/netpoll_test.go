package netpoll

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks that the poller's goroutine is gone once every Handle
// is closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testTimeout = 10 * time.Second

// wakes is a Waker that counts on a channel.
type wakes chan struct{}

func (w wakes) Wake() {
	select {
	case w <- struct{}{}:
	default:
		panic("netpoll: a second report before the first was taken: not one-shot")
	}
}

func (w wakes) wait(t *testing.T) {
	t.Helper()
	select {
	case <-w:
	case <-time.After(testTimeout):
		t.Fatal("no report")
	}
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if b, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func register(t *testing.T, c net.Conn, w Waker) *Handle {
	t.Helper()
	h := Register(c, w)
	if h == nil {
		t.Skip("no poller on this system")
	}
	return h
}

// A socket armed while empty reports once its peer writes, and once its
// peer has closed.
func TestArmReport(t *testing.T) {
	a, b := tcpPair(t)
	w := make(wakes, 1)
	h := register(t, a, w)
	defer h.Close()
	buf := make([]byte, 16)
	for _, msg := range []string{"one", "two"} {
		if err := h.Arm(); err != nil {
			t.Fatal(err)
		}
		b.Write([]byte(msg))
		w.wait(t)
		a.SetReadDeadline(time.Now().Add(testTimeout))
		n, err := io.ReadFull(a, buf[:len(msg)])
		if err != nil || string(buf[:n]) != msg {
			t.Fatalf("read: %q %v, want %q", buf[:n], err, msg)
		}
	}
	if err := h.Arm(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	w.wait(t)
	if _, err := a.Read(buf); err != io.EOF {
		t.Fatalf("read after the peer closed: %v, want io.EOF", err)
	}
}

// Arming a socket that is readable already reports at once: bytes that
// came before the Arm are not missed.
func TestArmReadable(t *testing.T) {
	a, b := tcpPair(t)
	w := make(wakes, 1)
	h := register(t, a, w)
	defer h.Close()
	if err := h.Arm(); err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("x"))
	w.wait(t) // "x" is there, unread
	if err := h.Arm(); err != nil {
		t.Fatal(err)
	}
	w.wait(t)
}

// A reset by the peer is reported.
func TestArmReset(t *testing.T) {
	a, b := tcpPair(t)
	w := make(wakes, 1)
	h := register(t, a, w)
	defer h.Close()
	if err := h.Arm(); err != nil {
		t.Fatal(err)
	}
	b.(*net.TCPConn).SetLinger(0) // close sends a RST
	b.Close()
	w.wait(t)
}

// A closed socket cannot be armed: no report would ever come.
func TestClosedSocket(t *testing.T) {
	a, _ := tcpPair(t)
	h := register(t, a, make(wakes, 1))
	defer h.Close()
	a.Close()
	if err := h.Arm(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Arm of a closed socket: %v, want net.ErrClosed", err)
	}
}

// A report for a Handle closed before it came goes nowhere, and the
// poller's goroutine ends with the last Handle (TestMain checks).
func TestReportAfterClose(t *testing.T) {
	a, b := tcpPair(t)
	w := make(wakes, 1)
	h := register(t, a, w)
	if err := h.Arm(); err != nil {
		t.Fatal(err)
	}
	h.Close()
	b.Write([]byte("late"))
	// A second Handle on another socket sees its own reports only.
	c, d := tcpPair(t)
	w2 := make(wakes, 1)
	h2 := register(t, c, w2)
	defer h2.Close()
	if err := h2.Arm(); err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("mine"))
	w2.wait(t)
	select {
	case <-w:
		t.Fatal("a closed Handle was reported")
	default:
	}
}

// Only TCP and Unix sockets are served.
func TestRegisterOthers(t *testing.T) {
	p, q := net.Pipe()
	defer p.Close()
	defer q.Close()
	if h := Register(p, make(wakes, 1)); h != nil {
		h.Close()
		t.Fatal("a net.Pipe was registered")
	}
}
