package load

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hackney-go/ws"
)

// serverCount is how many ws.Accept servers TestLoadServer spreads its
// connections over.
const serverCount = 4

// TestLoadServer is TestLoadEcho with the servers ws.Accept's: many
// connections at once, spread over several httptest servers whose
// handlers echo on the Conn that Accept returns, taking turns at the
// three modes (the server's Conns fragment too, every fifth), while the
// clients send their seeded streams of messages up to 1 KiB and pings,
// and check every echo and pong. Each connection ends with the client's
// close, which each server must see as a clean close (a *ws.CloseError
// with 1000), with nothing left of the connection on either side.
func TestLoadServer(t *testing.T) {
	conns, msgs := size(40, 1000, 1000), size(100, 1000, 1000)
	var (
		accepted   atomic.Int64
		clean      atomic.Int64
		serverErrs sync.Map
		urls       []string
	)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := accepted.Add(1)
		opts := []ws.Option{ws.ActiveMode(modes[n%3]), ws.SendTimeout(stallTimeout), ws.CloseTimeout(stallTimeout)}
		if n%5 == 0 {
			opts = append(opts, ws.FragmentSize(300))
		}
		c, err := ws.Accept(w, r, opts...)
		if err != nil {
			serverErrs.Store(r.RemoteAddr, err)
			return
		}
		if err := serverEcho(c, modes[n%3]); err != nil {
			serverErrs.Store(r.RemoteAddr, err)
			return
		}
		clean.Add(1)
	})
	for range serverCount {
		srv := httptest.NewServer(handler)
		defer srv.Close()
		urls = append(urls, "ws"+strings.TrimPrefix(srv.URL, "http"))
	}

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	var bytesSent atomic.Int64
	for id := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := echoConn(urls[id%len(urls)], id, msgs, newSmallStream, true)
			bytesSent.Add(n)
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait() // every step of echoConn is bounded
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	elapsed := time.Since(start)
	// A server counts a close once its Conn has ended, a moment after the
	// client's Close has had the echo of its close frame.
	for deadline := time.Now().Add(stallTimeout); clean.Load() < int64(conns); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			serverErrs.Range(func(k, v any) bool { t.Errorf("server, connection from %v: %v", k, v); return true })
			t.Fatalf("the servers saw %d clean closes of %d", clean.Load(), conns)
		}
	}
	t.Logf("%d connections x %d messages through %d ws.Accept servers, %.0f MiB each way, in %v",
		conns, msgs, serverCount, float64(bytesSent.Load())/(1<<20), elapsed.Round(time.Millisecond))
}

// serverEcho echoes every message on c, received in mode, until the
// client closes; it returns nil for the client's clean close (1000)
// only. Every wait is bounded by stallTimeout.
func serverEcho(c *ws.Conn, mode ws.Mode) error {
	defer c.Close()
	for {
		f, err := receive(c, mode)
		if err != nil {
			var ce *ws.CloseError
			if errors.As(err, &ce) && ce.Code == ws.CloseNormal {
				return nil
			}
			return fmt.Errorf("%v: %w", mode, err)
		}
		if err := c.Send(f); err != nil {
			return fmt.Errorf("%v: Send: %w", mode, err)
		}
	}
}
