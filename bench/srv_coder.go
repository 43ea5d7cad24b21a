package main

import (
	"bytes"
	"context"
	"net/http"

	"github.com/coder/websocket"
)

// coderEcho takes the request with coder/websocket's Accept and its
// defaults, and echoes: Reader into a reused buffer, its zero-allocation
// read, and Write, with context.Background, which costs no timer. Its
// read limit is raised from 32 KiB for the 16 MiB messages.
func coderEcho(w http.ResponseWriter, r *http.Request) func() {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil
	}
	c.SetReadLimit(readLimit)
	return func() {
		defer c.CloseNow()
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
	}
}
