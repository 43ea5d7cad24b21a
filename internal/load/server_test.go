package load

import (
	"errors"
	"fmt"

	"github.com/hackney-go/ws"
)

// serveEcho is the load tests' server, on the library's own server side
// (ws.Accept): it sends every message back until the client closes, the
// Conn answering pings and the close frame on its own. It returns nil
// after a close handshake the client began with 1000, the error that
// ended the connection otherwise, and closes c. Its wait for a message
// has no bound of its own: a connection may idle for as long as the test
// holds it open, and its end, the client's or the server's cleanup,
// closes it.
func serveEcho(c *ws.Conn) error {
	defer c.Close()
	for {
		f, err := c.Recv()
		var ce *ws.CloseError
		switch {
		case errors.As(err, &ce) && ce.Code == ws.CloseNormal:
			return nil
		case err != nil:
			return err
		}
		if err := c.Send(f); err != nil {
			return fmt.Errorf("echo: %w", err)
		}
	}
}
