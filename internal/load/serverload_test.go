package load

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

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
	loadRun{
		conns: size(40, 1000, 1000), msgs: size(100, 1000, 1000), servers: serverCount,
		stream: newSmallStream, pongsAhead: true,
		serve: func(w http.ResponseWriter, r *http.Request, n int64) error {
			opts := []ws.Option{ws.ActiveMode(modes[n%3]), ws.SendTimeout(stallTimeout), ws.CloseTimeout(stallTimeout)}
			if n%5 == 0 {
				opts = append(opts, ws.FragmentSize(300))
			}
			c, err := ws.Accept(w, r, opts...)
			if err != nil {
				return err
			}
			return serverEcho(c, modes[n%3])
		},
	}.run(t)
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
