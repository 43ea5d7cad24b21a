package ws

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/nettest"

	"github.com/hackney-go/ws/internal/proto"
)

// TestNetConnPassesNettestWithAccept runs golang.org/x/net/nettest's
// TestConn on a client Conn and the server Conn that ws.Accept opens for
// it, under net/http/httptest on loopback: both roles, each a NetConn.
func TestNetConnPassesNettestWithAccept(t *testing.T) {
	accepted := make(chan *Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r)
		if err != nil {
			return
		}
		accepted <- c
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		a, err := Connect(testCtx(t), url)
		if err != nil {
			return nil, nil, nil, err
		}
		var b *Conn
		select {
		case b = <-accepted:
		case <-time.After(testTimeout):
			a.Close()
			return nil, nil, nil, errors.New("the server accepted no connection")
		}
		c1, c2 = NetConn(a, BinaryFrame), NetConn(b, BinaryFrame)
		stop = func() {
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); c1.Close() }()
			go func() { defer wg.Done(); c2.Close() }()
			wg.Wait()
		}
		return c1, c2, stop, nil
	})
}

// TestNetConnStream: Reads cross message boundaries, empty messages
// included; a read deadline that passes leaves the connection usable;
// the peer's close 1000 reads as io.EOF.
func TestNetConnStream(t *testing.T) {
	url, push := gatedServer(t)
	c := dial(t, url)
	nc := NetConn(c, BinaryFrame)
	push(cat(wire(proto.OpBinary, true, []byte("abc")), wire(proto.OpBinary, true, nil),
		wire(proto.OpText, false, []byte("de")), wire(proto.OpContinuation, true, []byte("f"))))
	got := make([]byte, 0, 6)
	buf := make([]byte, 2)
	for len(got) < 6 {
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != "abcdef" {
		t.Fatalf("read %q", got)
	}
	nc.SetReadDeadline(time.Now().Add(shortWait))
	_, err := nc.Read(buf)
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past the deadline: %v", err)
	}
	nc.SetReadDeadline(time.Time{})
	if _, err := nc.Write([]byte("echo")); err != nil {
		t.Fatal(err)
	}
	if n, err := io.ReadFull(nc, make([]byte, 4)); n != 4 || err != nil {
		t.Fatalf("Read after the timeout: %d, %v", n, err)
	}
	push(closeFrame(1000, ""))
	if n, err := nc.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read after close 1000: %d, %v", n, err)
	}
}

// TestNetConnWriteText: a text NetConn refuses invalid UTF-8 in a Write,
// which sends nothing.
func TestNetConnWriteText(t *testing.T) {
	c := dial(t, echoServer(t))
	nc := NetConn(c, TextFrame)
	if n, err := nc.Write([]byte("\xff")); n != 0 || err == nil {
		t.Fatalf("Write of invalid text: %d, %v", n, err)
	}
	if _, err := nc.Write([]byte("ok")); err != nil {
		t.Fatal(err)
	}
	if f := recvWithin(t, c); f.Kind != TextFrame || f.Text() != "ok" {
		t.Fatalf("got %v", f)
	}
}

// TestNetConnCloseDuringWrites: Writes that race with Close either send
// or fail with net.ErrClosed, and Close waits for those that send, with
// no race on the count of messages under way (which -race found in
// nettest's RacyRead).
func TestNetConnCloseDuringWrites(t *testing.T) {
	url := echoServer(t)
	nc := NetConn(dial(t, url), BinaryFrame)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := nc.Write([]byte("racing")); err != nil {
				errs <- err
			}
		}()
	}
	if err := nc.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Write: %v, want net.ErrClosed", err)
		}
	}
	if _, err := nc.Write([]byte("late")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v, want net.ErrClosed", err)
	}
}

// BenchmarkNetConnWrite is NetConn's Write of 16 B messages beside a
// plain Send's (BenchmarkSend): what the deadlines that never harm the
// connection cost per message.
func BenchmarkNetConnWrite(b *testing.B) {
	nc := NetConn(dial(b, discardServer(b)), BinaryFrame)
	msg := make([]byte, 16)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nc.Write(msg); err != nil {
			b.Fatal(err)
		}
	}
}
