package conformance

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/proto"
)

// These tests hold the server to its word: a script fails when the client
// does not do what it expects. The client here is written by hand, so
// that it can misbehave exactly.

// rawClient connects to a script server and completes the opening
// handshake, checking the server's answer.
func rawClient(t *testing.T, srv *Server) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(caseTimeout))
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", key)
	// The scripts here write nothing after the 101, so the bufio.Reader
	// takes nothing that follows it.
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake answer %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	return nc
}

var clientKey = [4]byte{0x12, 0x34, 0x56, 0x78}

// send writes frames as a client does, masked.
func send(t *testing.T, nc net.Conn, frames ...Frame) {
	t.Helper()
	for _, f := range frames {
		if _, err := nc.Write(f.WithMask(clientKey).Bytes()); err != nil {
			t.Fatal(err)
		}
	}
}

// scriptOutcome runs script against a hand-written client and returns the
// server's verdict.
func scriptOutcome(t *testing.T, timeout time.Duration, script []Step, client func(nc net.Conn)) error {
	t.Helper()
	srv, err := Serve(timeout, script...)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	nc := rawClient(t, srv)
	client(nc)
	return srv.Wait(caseTimeout)
}

func TestScriptVerdicts(t *testing.T) {
	hello := []byte("hello")
	for _, e := range []struct {
		name   string
		script []Step
		client func(t *testing.T, nc net.Conn)
		want   string // in the error; "" for a script that passes
	}{
		{"echo", []Step{ExpectMessage(proto.OpText, hello), ExpectClose(1000), ExpectEOF()},
			func(t *testing.T, nc net.Conn) { send(t, nc, Text("hello"), Close(1000, "")); nc.Close() }, ""},
		{"wrong echo", []Step{ExpectMessage(proto.OpText, hello)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Text("hellO")) }, `got text "hellO"`},
		{"wrong kind", []Step{ExpectMessage(proto.OpText, hello)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Binary(hello)) }, "got binary"},
		{"unmasked frame", []Step{ExpectMessage(proto.OpText, hello)},
			func(t *testing.T, nc net.Conn) { nc.Write(Text("hello").Bytes()) }, "not masked"},
		{"invalid UTF-8 from the client", []Step{ExpectMessage(proto.OpText, hello)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Text("\xff")) }, "invalid UTF-8"},
		{"nothing sent", []Step{ExpectMessage(proto.OpText, hello)},
			func(t *testing.T, nc net.Conn) {}, "waited 300ms for a message"},
		{"close instead of the message", []Step{ExpectMessage(proto.OpText, hello)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Close(1002, "no")) }, `got close 1002 "no"`},
		{"wrong close code", []Step{ExpectClose(1000)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Close(1002, "")) }, "close 1002"},
		{"message before the close", []Step{ExpectMessage(proto.OpText, hello), ExpectClose(1000)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Text("hello"), Text("more"), Close(1000, "")) },
			`unexpected before the close: text "more"`},
		{"frame after the close", []Step{ExpectClose(1000), ExpectEOF()},
			func(t *testing.T, nc net.Conn) { send(t, nc, Close(1000, ""), Ping(nil)); nc.Close() },
			"unexpected before the end: ping"},
		{"no TCP close", []Step{ExpectClose(1000), ExpectEOF()},
			func(t *testing.T, nc net.Conn) { send(t, nc, Close(1000, "")) }, "waited 300ms for the end of the connection"},
		{"leftover", []Step{ExpectMessage(proto.OpText, hello), ExpectEOF()},
			func(t *testing.T, nc net.Conn) { send(t, nc, Text("hello"), Pong(nil)); nc.Close() },
			"unexpected before the end: pong"},
		{"pong and message in either order", []Step{ExpectMessage(proto.OpText, hello), ExpectPong([]byte("p")), ExpectEOF()},
			func(t *testing.T, nc net.Conn) { send(t, nc, Pong([]byte("p")), Text("hello")); nc.Close() }, ""},
		{"pongs in order", []Step{ExpectPong([]byte("2")), ExpectPong([]byte("1"))},
			func(t *testing.T, nc net.Conn) { send(t, nc, Pong([]byte("1")), Pong([]byte("2"))) }, "pong 31, want 32"},
		{"fragments of the size", []Step{ExpectFragmented(proto.OpText, hello, 2)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Fragments(proto.OpText, hello, 2, 4)...) }, ""},
		{"fragments too large", []Step{ExpectFragmented(proto.OpText, hello, 2)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Fragments(proto.OpText, hello, 3)...) }, "came in 2 frames, want 3"},
		{"fragments too small", []Step{ExpectFragmented(proto.OpText, hello, 2)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Fragments(proto.OpText, hello, 1, 3)...) }, "fragment 1 of the message has 1 bytes"},
		{"one frame too many", []Step{ExpectFragmented(proto.OpText, hello, 5)},
			func(t *testing.T, nc net.Conn) { send(t, nc, Fragments(proto.OpText, hello, 5)...) }, "came in 2 frames, want 1"},
	} {
		t.Run(strings.ReplaceAll(e.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			err := scriptOutcome(t, 300*time.Millisecond, e.script, func(nc net.Conn) { e.client(t, nc) })
			switch {
			case e.want == "" && err != nil:
				t.Fatalf("script failed: %v", err)
			case e.want != "" && (err == nil || !strings.Contains(err.Error(), e.want)):
				t.Fatalf("script outcome %v, want an error with %q", err, e.want)
			}
		})
	}
}

func TestScriptBadHandshake(t *testing.T) {
	srv, err := Serve(caseTimeout, ExpectEOF())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	nc, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "ws://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprint(nc, "GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
	if err := srv.Wait(caseTimeout); err == nil || !strings.Contains(err.Error(), "Sec-WebSocket-Version") {
		t.Fatalf("outcome %v, want a handshake error on the version", err)
	}
}

func TestScriptWithoutClient(t *testing.T) {
	srv, err := Serve(caseTimeout, ExpectEOF())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(caseTimeout); err == nil || !strings.Contains(err.Error(), "no connection") {
		t.Fatalf("outcome %v, want no connection", err)
	}
}

func TestScriptWritesAfterTheClientLeft(t *testing.T) {
	// Writes to a client that has gone fail, unless UntilClosed says the
	// client may stop reading.
	for _, tolerant := range []bool{false, true} {
		step := Chunked(make([]byte, 64<<10), 1<<10, time.Millisecond)
		if tolerant {
			step = UntilClosed(step)
		}
		err := scriptOutcome(t, caseTimeout, []Step{step}, func(nc net.Conn) {
			nc.(*net.TCPConn).SetLinger(0) // a reset: writes fail at once
			nc.Close()
		})
		if tolerant != (err == nil) {
			t.Errorf("tolerant %t: outcome %v", tolerant, err)
		}
	}
}
