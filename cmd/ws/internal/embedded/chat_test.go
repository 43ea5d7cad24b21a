package embedded

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	ws "github.com/hackney-go/ws"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait of the tests.
const testTimeout = 20 * time.Second

// logLines collects a Server's log and lets a test wait for a line.
type logLines struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
	select {
	case l.added <- struct{}{}:
	default:
	}
}

// wait returns the first line containing s, waiting at most testTimeout.
func (l *logLines) wait(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		l.mu.Lock()
		for _, line := range l.lines {
			if strings.Contains(line, s) {
				l.mu.Unlock()
				return line
			}
		}
		l.mu.Unlock()
		select {
		case <-l.added:
		case <-timeout:
			t.Fatalf("no log line with %q within %v: %q", s, testTimeout, l.lines)
		}
	}
}

// TestChatDropsAClientThatDoesNotRead: a member of the room that takes no
// message within writeTimeout is dropped, and the room goes on without
// it: the sender is not held up any longer.
func TestChatDropsAClientThatDoesNotRead(t *testing.T) {
	t.Parallel()
	log := &logLines{added: make(chan struct{}, 1)}
	srv := &Server{Logf: log.logf}
	addr, err := srv.Listen("127.0.0.1:0", srv.Chat())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	url := "ws://" + addr.String() + "/"

	// The member that never reads: a handshake by hand, then nothing.
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	nc.SetReadDeadline(time.Now().Add(testTimeout))
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	log.wait(t, "#1 ")

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	alice, err := ws.Connect(ctx, url, ws.RecvTimeout(testTimeout))
	if err != nil {
		t.Fatal(err)
	}
	defer alice.Close()
	log.wait(t, "#2 ")
	// Alice reads her own messages back as she sends them, in a goroutine
	// of her own, until the socket buffers of the silent member are full.
	big := ws.Binary(make([]byte, 1<<20))
	echoes := make(chan error, 1)
	const n = 64
	go func() {
		for range n {
			if _, err := alice.Recv(); err != nil {
				echoes <- err
				return
			}
		}
		echoes <- nil
	}()
	for range n {
		if err := alice.Send(big); err != nil {
			t.Fatal(err)
		}
	}
	// Closed with 1008 if the send that timed out had not begun its frame;
	// dropped without a close frame if it had (none can follow part of a
	// frame).
	line := log.wait(t, "messages received") // the end of a connection
	dropped := strings.HasPrefix(line, "#1 ended without a close frame") && strings.Contains(line, "the bound passed with part of a frame written")
	closed := strings.HasPrefix(line, "#1 closed with 1008") && strings.Contains(line, "did not take a message within 5s")
	if !dropped && !closed {
		t.Fatalf("the silent member: %s", line)
	}
	if err := <-echoes; err != nil {
		t.Fatalf("alice's echoes: %v", err)
	}
}
