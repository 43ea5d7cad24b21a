package main

import (
	"bytes"
	"context"
	"net"
	"net/http"

	"github.com/coder/websocket"
)

// serveCoder echoes with coder/websocket's Accept and its defaults under
// net/http: Reader into a reused buffer, its zero-allocation read, and
// Write, with context.Background, which costs no timer. Its read limit
// is raised from 32 KiB for the 16 MiB messages.
func serveCoder(lns []net.Listener) {
	serveHTTP(lns, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(readLimit)
		ctx := context.Background()
		var buf bytes.Buffer
		for {
			typ, rd, err := c.Reader(ctx)
			if err != nil {
				return
			}
			buf.Reset()
			if _, err := buf.ReadFrom(rd); err != nil {
				return
			}
			if err := c.Write(ctx, typ, buf.Bytes()); err != nil {
				return
			}
		}
	})
}
