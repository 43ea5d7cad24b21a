package ws

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzAcceptTimeout bounds each exchange of FuzzAcceptRequest.
const fuzzAcceptTimeout = 10 * time.Second

// acceptFuzzServer is the server of FuzzAcceptRequest: an httptest
// server whose handler runs Accept, with compression, subprotocols and
// origins to negotiate, and echoes what a Conn it opens receives. A
// panic in the handler, which net/http would recover and log, is kept.
type acceptFuzzServer struct {
	srv *httptest.Server

	mu     sync.Mutex
	panics []string
}

func newAcceptFuzzServer() *acceptFuzzServer {
	s := &acceptFuzzServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				s.mu.Lock()
				s.panics = append(s.panics, fmt.Sprint(p))
				s.mu.Unlock()
			}
		}()
		c, err := Accept(w, r, Protocols("chat", "v2.json"), Compression(Deflate{ClientMaxWindowBits: 10}),
			OriginPatterns("*.example.com"), RecvTimeout(fuzzAcceptTimeout), CloseTimeout(fuzzAcceptTimeout))
		if err != nil {
			return
		}
		echoConn(c)
	}))
	return s
}

// exchange writes raw to the server, ends its side of the connection,
// and returns everything the server answers.
func (s *acceptFuzzServer) exchange(raw []byte) ([]byte, error) {
	nc, err := net.DialTimeout("tcp", s.srv.Listener.Addr().String(), fuzzAcceptTimeout)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(fuzzAcceptTimeout))
	if _, err := nc.Write(raw); err != nil {
		return nil, err
	}
	nc.(*net.TCPConn).CloseWrite()
	return io.ReadAll(nc)
}

// FuzzAcceptRequest sends raw bytes as a request to a server running
// Accept: whatever they hold, the server never panics, and a request
// that net/http reads gets an answer, the 101 of a handshake or an error
// status with a body saying why (Accept's 400, 403, 405 or 426, or
// net/http's own for what it refuses before the handler).
func FuzzAcceptRequest(f *testing.F) {
	const handshake = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	for _, seed := range []string{
		handshake + "\r\n",
		handshake + "Origin: http://server.example.com\r\nSec-WebSocket-Protocol: v2.json, chat\r\n\r\n",
		handshake + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame\r\n\r\n",
		handshake + "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"10\r\n\r\n",
		handshake + "Origin: http://evil.example\r\n\r\n",
		handshake + "\r\n\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
		"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Key: b\r\nSec-WebSocket-Version: 13\r\n\r\n",
		"GARBAGE\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	s := newAcceptFuzzServer()
	defer s.srv.Close()
	f.Fuzz(func(t *testing.T, raw []byte) {
		answer, err := s.exchange(raw)
		s.mu.Lock()
		panics := s.panics
		s.mu.Unlock()
		if len(panics) > 0 {
			t.Fatalf("the handler panicked: %s", panics[0])
		}
		if err != nil {
			t.Fatalf("request %q: %v", raw, err)
		}
		_, rerr := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if len(answer) == 0 {
			if rerr == nil {
				t.Fatalf("request %q: no answer", raw)
			}
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(answer)), nil)
		if err != nil {
			t.Fatalf("request %q: answer %q: %v", raw, answer, err)
		}
		if resp.StatusCode == http.StatusSwitchingProtocols {
			if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") || resp.Header.Get("Sec-WebSocket-Accept") == "" {
				t.Fatalf("request %q: a 101 without the handshake's headers: %q", raw, answer)
			}
			return
		}
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode < 400 || err != nil || len(bytes.TrimSpace(body)) == 0 {
			t.Fatalf("request %q: answer %q, want 101 or an error status with a body", raw, answer)
		}
	})
}
