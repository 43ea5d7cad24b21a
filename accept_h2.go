package ws

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/h2"
	"github.com/hackney-go/ws/internal/proto"
)

// extendedConnect reports whether r asks for a WebSocket on an HTTP/2
// stream: a CONNECT of HTTP/2, which with :protocol is RFC 8441's
// extended CONNECT (section 4).
func extendedConnect(r *http.Request) bool {
	return r.ProtoMajor == 2 && r.Method == http.MethodConnect
}

// checkRequest checks the opening handshake that r is: an extended
// CONNECT on HTTP/2, an Upgrade of HTTP/1.1 otherwise.
func checkRequest(r *http.Request) (proto.Upgrade, *proto.RequestFault) {
	if extendedConnect(r) {
		return proto.CheckConnect(r.Header.Get(":protocol"), r.Header)
	}
	return proto.CheckRequest(r.Method, r.ProtoMajor, r.ProtoMinor, r.Header)
}

// acceptStream answers an extended CONNECT that Accept has checked with
// 200 and the subprotocol and extensions chosen, with no
// Sec-WebSocket-Accept (RFC 8441 section 5), and opens the Conn on its
// stream (h2.ServerStream says what the handler owes it).
func acceptStream(w http.ResponseWriter, r *http.Request, cfg *config, protocol, extensions string, params *deflate.Params) (*Conn, error) {
	rc := http.NewResponseController(w)
	// The server's own deadlines (ReadTimeout, WriteTimeout) are not the
	// Conn's; the stream's are the Conn's own, which need the
	// ResponseWriter to have them.
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			http.Error(w, "WebSocket over HTTP/2 not supported by this ResponseWriter", http.StatusInternalServerError)
		}
		return nil, fmt.Errorf("ws: accept: clear the stream's read deadline: %w", err)
	}
	deadline := after(cfg.connectTimeout)
	rc.SetWriteDeadline(deadline) // bounds the 200's write

	h := w.Header()
	final := responseHeader(h, cfg.header)
	clear(h)
	for name, values := range final {
		h[name] = slices.Clone(values)
	}
	if protocol != "" {
		h.Set("Sec-WebSocket-Protocol", protocol)
	}
	if extensions != "" {
		h.Set("Sec-WebSocket-Extensions", extensions)
	}
	resp := proto.ResponseOf(http.StatusOK, h)
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil, fmt.Errorf("ws: accept: send the 200 response: %w", err)
	}
	rc.SetWriteDeadline(time.Time{})

	c := newConn(h2.NewServerStream(w, r), cfg, nil)
	c.subprotocol = protocol
	c.resp = resp
	if params != nil {
		c.startCompression(params)
	}
	c.activate()
	return c, nil
}
