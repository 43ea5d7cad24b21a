package wsjson

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hackney-go/ws"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// dial connects to a server that echoes every message, closed at the
// test's end.
func dial(t testing.TB) *ws.Conn {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			f, err := c.Recv()
			if err != nil || c.Send(f) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := ws.Connect(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), ws.RecvTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

type point struct {
	X, Y int
	Tag  string
}

func TestRoundTrip(t *testing.T) {
	c := dial(t)
	for i := range 100 {
		want := point{i, -i, strings.Repeat("é", i*50)}
		if err := Send(c, want); err != nil {
			t.Fatal(err)
		}
		var got point
		if err := Recv(c, &got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if err := Send(c, func() {}); err == nil {
		t.Fatal("Send encoded a func")
	}
}

// TestRecvRefusesWhatIsNotOneValue: a message with more than one value,
// or not a whole one, is an error, and the next Recv gets the next
// message whole.
func TestRecvRefusesWhatIsNotOneValue(t *testing.T) {
	c := dial(t)
	for _, bad := range []string{`{"X":1} {"X":2}`, `{"X":1`, ``, `{"X":"a"}`, `{"X":1}]`} {
		if err := c.Send(ws.Text(bad)); err != nil {
			t.Fatal(err)
		}
		if err := c.Send(ws.Text(`{"X":7}  `)); err != nil {
			t.Fatal(err)
		}
		var p point
		if err := Recv(c, &p); err == nil {
			t.Fatalf("%q decoded as %v", bad, p)
		}
		p = point{}
		if err := Recv(c, &p); err != nil || p.X != 7 {
			t.Fatalf("after %q: %v, %v", bad, p, err)
		}
	}
}

// BenchmarkSend compares Send's pooled buffer with encoding through
// Conn.SendWriter, for a small and a large value, each echoed back.
func BenchmarkSend(b *testing.B) {
	for _, size := range []int{16, 64 << 10} {
		v := map[string]string{"text": strings.Repeat("x", size)}
		for _, way := range []struct {
			name string
			send func(*ws.Conn, any) error
		}{{"pooled", Send}, {"writer", sendThroughWriter}} {
			b.Run(way.name+"/"+itoa(size), func(b *testing.B) {
				c := dial(b)
				b.ReportAllocs()
				for b.Loop() {
					if err := way.send(c, v); err != nil {
						b.Fatal(err)
					}
					if _, err := c.Recv(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// sendThroughWriter is Send encoding through Conn.SendWriter, the way
// BenchmarkSend measured against.
func sendThroughWriter(c *ws.Conn, v any) error {
	w, err := c.SendWriter(ws.TextFrame)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(v); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func itoa(n int) string { return strconv.Itoa(n) + "B" }
