package main

import (
	"bytes"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// serveGorilla echoes with gorilla/websocket's Upgrader and its defaults
// (4 KiB buffers) under net/http: NextReader into a buffer reused from
// message to message, as ReadMessage would allocate one each time, and
// WriteMessage. A close is answered by gorilla's default close handler.
func serveGorilla(lns []net.Listener) {
	var up websocket.Upgrader
	serveHTTP(lns, func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
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
	})
}
