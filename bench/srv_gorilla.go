package main

import (
	"bytes"
	"net/http"

	"github.com/gorilla/websocket"
)

var gorillaUpgrader websocket.Upgrader

// gorillaEcho takes the request with gorilla/websocket's Upgrader and its
// defaults (4 KiB buffers), and echoes: NextReader into a buffer reused
// from message to message, as ReadMessage would allocate one each time,
// and WriteMessage. A close is answered by gorilla's default close
// handler.
func gorillaEcho(w http.ResponseWriter, r *http.Request) func() {
	c, err := gorillaUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil
	}
	return func() {
		defer c.Close()
		var buf bytes.Buffer
		for {
			typ, rd, err := c.NextReader()
			if err != nil {
				return
			}
			buf.Reset()
			if _, err := buf.ReadFrom(rd); err != nil {
				return
			}
			if err := c.WriteMessage(typ, buf.Bytes()); err != nil {
				return
			}
		}
	}
}
