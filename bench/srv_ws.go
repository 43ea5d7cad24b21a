package main

import (
	"net/http"

	"github.com/hackney-go/ws"
)

// wsEcho takes the request with ws.Accept and ws's defaults, and echoes in
// passive mode: RecvInto a buffer reused from message to message, Send of
// the frame received. Its goroutine is the connection's only one; an idle
// connection waits in RecvInto.
func wsEcho(w http.ResponseWriter, r *http.Request) func() {
	c, err := ws.Accept(w, r)
	if err != nil {
		return nil
	}
	return func() {
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
	}
}
