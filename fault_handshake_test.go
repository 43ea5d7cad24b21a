package ws

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Faults of the upgrade that TestHandshakeFaults and TestHTTPError leave
// out: answers that are not HTTP at all, a head without end, and
// redirects.

// garbage returns n seeded random bytes with no line feed, so that no
// response head can end in them.
func garbage(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		for b[i] = byte(r.Uint32()); b[i] == '\n'; b[i] = byte(r.Uint32()) {
		}
	}
	return b
}

// TestFaultGarbageResponse: the server answers the upgrade with bytes
// that are not an HTTP response, then closes, or keeps sending. Connect
// fails with ErrMalformedResponse and drops the connection.
func TestFaultGarbageResponse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply []byte
		more  bool // keep writing until the client drops the connection
	}{
		{"random bytes, then FIN", garbage(300), false},
		{"a TLS alert to a ws:// client", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}, false},
		{"a WebSocket frame instead of the head", wire(0x1, true, []byte("hello\r\n\r\n")), false},
		{"another protocol's greeting", []byte("SSH-2.0-OpenSSH_9.6\r\n\r\n"), false},
		{"HTTP/2 status line", []byte("HTTP/2 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"), false},
		{"random bytes without end", garbage(16 << 10), true},
		{"header lines without end", []byte(strings.Repeat("X-Pad: "+strings.Repeat("p", 100)+"\r\n", 150)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dropped := make(chan error, 1)
			url := rawServer(t, func(nc net.Conn, r *http.Request) {
				nc.SetDeadline(time.Now().Add(testTimeout))
				if !tc.more {
					nc.Write(tc.reply)
					return
				}
				for {
					if _, err := nc.Write(tc.reply); err != nil {
						dropped <- err
						return
					}
				}
			})
			c, err := Connect(testCtx(t), url)
			if err == nil {
				c.Close()
				t.Fatal("Connect succeeded")
			}
			var he *HandshakeError
			if !errors.As(err, &he) || !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("Connect: %v (%T), want *HandshakeError matching ErrMalformedResponse", err, err)
			}
			if !tc.more {
				return
			}
			// The client read at most a bounded head, then let go.
			select {
			case err := <-dropped:
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("the client kept reading a head without end")
				}
			case <-time.After(testTimeout):
				t.Fatal("the client kept the connection")
			}
		})
	}
}

// TestFaultGarbageThenSilence: bytes that could still be the start of a
// head, then nothing: Connect waits only its ConnectTimeout; bytes that
// cannot, then nothing: Connect fails at once.
func TestFaultGarbageThenSilence(t *testing.T) {
	url, dropped := answer(t, func(*http.Request) string { return "HTTP/1.1 101 Switching Pro" })
	_, err := Connect(testCtx(t), url, ConnectTimeout(shortWait))
	checkTimeout(t, err)
	waitDropped(t, dropped)

	url, dropped = answer(t, func(*http.Request) string { return string(garbage(100)) })
	_, err = Connect(testCtx(t), url, ConnectTimeout(testTimeout))
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("Connect after garbage without a line end: %v, want ErrMalformedResponse at once", err)
	}
	waitDropped(t, dropped)
}

// TestFaultRedirect: a 3xx answer is a refusal like any other status but
// 101 (RFC 6455 section 4.1 leaves redirects to the client; hackney does
// not follow them): *HTTPError with the Location, and no connection to
// where it points.
func TestFaultRedirect(t *testing.T) {
	elsewhere := make(chan struct{}, 4)
	target := listen(t, func(nc net.Conn) {
		elsewhere <- struct{}{}
		io.Copy(io.Discard, nc)
	})
	location := "ws://" + target.String() + "/moved"
	for _, tc := range []struct {
		status int
		reason string
	}{
		{301, "Moved Permanently"},
		{302, "Found"},
		{307, "Temporary Redirect"},
		{308, "Permanent Redirect"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			url, dropped := answer(t, func(*http.Request) string {
				return fmt.Sprintf("HTTP/1.1 %d %s\r\nLocation: %s\r\nContent-Length: 6\r\n\r\nmoved\n", tc.status, tc.reason, location)
			})
			_, err := Connect(testCtx(t), url)
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("Connect: %v (%T), want *HTTPError", err, err)
			}
			if he.StatusCode != tc.status || he.Status != tc.reason || he.Header.Get("Location") != location || string(he.Body) != "moved\n" {
				t.Fatalf("HTTPError{%d %q, Location %q, body %q}", he.StatusCode, he.Status, he.Header.Get("Location"), he.Body)
			}
			waitDropped(t, dropped)
			select {
			case <-elsewhere:
				t.Fatal("Connect followed the redirect")
			default:
			}
		})
	}
}
