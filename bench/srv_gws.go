package main

import (
	"net"

	"github.com/lxzan/gws"
)

// serveGws echoes with lxzan/gws's own Server, as its README starts one
// (it reads the HTTP request itself, without net/http), with its
// defaults: each connection's ReadLoop calls OnMessage, which writes the
// echo from the callback. Its read limit is raised from 16 MiB for the
// 16 MiB messages and their frame headers.
func serveGws(lns []net.Listener) {
	s := gws.NewServer(gwsEcho{}, &gws.ServerOption{ReadMaxPayloadSize: readLimit})
	for _, ln := range lns {
		go s.RunListener(ln)
	}
}

type gwsEcho struct{ gws.BuiltinEventHandler }

func (gwsEcho) OnMessage(c *gws.Conn, m *gws.Message) {
	c.WriteMessage(m.Opcode, m.Bytes())
	m.Close()
}
