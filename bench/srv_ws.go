package main

import (
	"net"
	"net/http"

	"github.com/hackney-go/ws"
)

// serveWS echoes with ws.Accept under net/http and ws's defaults, in
// passive mode: RecvInto a buffer reused from message to message, Send of
// the frame received. The handler's goroutine is the connection's only
// one; an idle connection waits in RecvInto.
func serveWS(lns []net.Listener) {
	serveHTTP(lns, func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r)
		if err != nil {
			return
		}
		defer c.Close()
		var buf []byte
		for {
			f, err := c.RecvInto(buf)
			if err != nil {
				return
			}
			if cap(f.Payload) > cap(buf) {
				buf = f.Payload[:0] // grown: reuse the larger buffer
			}
			if err := c.Send(f); err != nil {
				return
			}
		}
	})
}
