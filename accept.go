package ws

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// Accept takes a client's opening handshake on the server side (RFC 6455
// section 4.2) and returns the Conn it opens: the same Conn as Connect's,
// in every mode, but reading masked frames and writing unmasked ones, and
// closing the TCP connection first once the close handshake is done
// (section 7.1.1). It works under any http.Handler stack whose
// ResponseWriter can be hijacked, directly or through Unwrap (see
// http.ResponseController); the handler may return while the Conn lives
// on, but over HTTP/2 (below).
//
// Over HTTP/2, Accept serves the extended CONNECT of RFC 8441: the same
// checks (Sec-WebSocket-Version, origin, subprotocols, permessage-deflate)
// and refusals, a 200 without Sec-WebSocket-Accept in place of the 101,
// and the Conn on the request's stream. Go's HTTP/2 server (Go 1.24 to
// 1.26) offers it only in a process started with GODEBUG=http2xconnect=1
// in its environment (the go command refuses it as a //go:debug line);
// without it, clients fall back to HTTP/1.1 or fail. net/http ends the
// stream when the handler returns, so the handler of a Conn on HTTP/2
// must not return before the Conn's Close has returned: defer c.Close(),
// or wait for whoever closes a Conn that the handler hands on (Conn.Proto
// says "HTTP/2.0").
//
// A request that is not a valid WebSocket handshake gets 400 (426 with
// Sec-WebSocket-Version: 13 for another version of the protocol, 405 for
// a method other than GET) with a body saying what is wrong; one whose
// Origin is not allowed gets 403 (see OriginPatterns). Accept then
// returns an *HTTPError holding the status and body it sent.
//
// These options mean the server's side of things:
//   - Protocols is the server's subprotocols in its order of preference:
//     the first of them that the client offered is chosen, and none if
//     the client offered none of them. SelectProtocol chooses by a func.
//   - Compression accepts permessage-deflate (RFC 7692) when the client
//     offers it, on the terms of Deflate, which its fields' docs give for
//     a server.
//   - Header and Headers add headers to the 101 response, after those set
//     on w.Header() (but the handshake's own, which Accept writes).
//   - ConnectTimeout bounds the write of the 101 response (default 8 s).
//
// The options that choose how to reach a server (Proxy, TLSConfig,
// NetDial, UnixSocket, CookieJar, Origin) and Reconnect's do nothing here;
// every other option means what it means for Connect.
func Accept(w http.ResponseWriter, r *http.Request, opts ...Option) (*Conn, error) {
	cfg := newConfig(opts)
	cfg.server = true
	if err := checkServerConfig(cfg); err != nil {
		http.Error(w, "WebSocket server misconfigured", http.StatusInternalServerError)
		return nil, err
	}
	up, fault := checkRequest(r)
	if fault != nil {
		return nil, refuse(w, fault.Status, fault.Reason)
	}
	if err := checkOrigin(r, cfg.origins); err != nil {
		return nil, refuse(w, http.StatusForbidden, err.Error())
	}
	protocol, err := chooseProtocol(cfg, up.Protocols)
	if err != nil {
		http.Error(w, "WebSocket server misconfigured", http.StatusInternalServerError)
		return nil, err
	}
	var (
		extensions string
		params     *deflate.Params
	)
	if cfg.deflate != nil {
		extensions, params, err = serverTerms(cfg.deflate).Negotiate(r.Header["Sec-Websocket-Extensions"])
		if err != nil {
			// Outside the grammar of section 9.1: a malformed request.
			return nil, refuse(w, http.StatusBadRequest, err.Error())
		}
	}
	if extendedConnect(r) {
		return acceptStream(w, r, cfg, protocol, extensions, params) // accept_h2.go
	}
	head := proto.AppendSwitch(nil, up.Key, protocol, extensions, responseHeader(w.Header(), cfg.header))
	resp, _, err := proto.ParseResponse(head)
	if err != nil {
		panic("ws: Accept built a 101 it cannot parse: " + err.Error())
	}

	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			http.Error(w, "WebSocket upgrade not supported on this connection", http.StatusInternalServerError)
		}
		return nil, fmt.Errorf("ws: accept: take over the connection: %w", err)
	}
	// The server's own deadlines (ReadTimeout, WriteTimeout) are not the
	// Conn's; the 101 goes within ConnectTimeout.
	deadline := after(cfg.connectTimeout)
	nc.SetDeadline(time.Time{})
	nc.SetWriteDeadline(deadline)
	if _, err := nc.Write(head); err != nil {
		nc.Close()
		return nil, fmt.Errorf("ws: accept: write the 101 response: %w", err)
	}
	nc.SetWriteDeadline(time.Time{})
	// The client may have sent frames right behind its request, into the
	// server's buffer.
	buffered, _ := brw.Reader.Peek(brw.Reader.Buffered())
	c := newConn(nc, cfg, bytes.Clone(buffered))
	c.subprotocol = protocol
	c.resp = resp
	if params != nil {
		c.startCompression(params)
	}
	c.activate()
	return c, nil
}

// refuse answers a handshake that Accept turns down, and returns the
// *HTTPError that says what it answered.
func refuse(w http.ResponseWriter, status int, reason string) error {
	if status == http.StatusUpgradeRequired {
		w.Header().Set("Sec-WebSocket-Version", "13") // section 4.4
	}
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodGet)
	}
	http.Error(w, reason, status)
	return &HTTPError{StatusCode: status, Status: http.StatusText(status), Header: w.Header().Clone(), Body: []byte(reason + "\n")}
}

// checkServerConfig reports options that Accept cannot serve with.
func checkServerConfig(cfg *config) error {
	if cfg.mode > ActiveOnce {
		return errInvalidMode
	}
	if err := checkHeader(cfg.header); err != nil {
		return err
	}
	for _, p := range cfg.protocols {
		if !proto.IsToken(p) {
			return fmt.Errorf("ws: invalid subprotocol %q: not an HTTP token", p)
		}
	}
	if err := checkPatterns(cfg.origins); err != nil {
		return err
	}
	if cfg.deflate != nil {
		if err := serverTerms(cfg.deflate).Validate(); err != nil {
			return fmt.Errorf("ws: Compression: %w", err)
		}
	}
	return nil
}

// chooseProtocol picks the subprotocol among those offered: by the
// SelectProtocol func, or the server's first in its Protocols that the
// client offered.
func chooseProtocol(cfg *config, offered []string) (string, error) {
	if cfg.selectProtocol != nil {
		p := cfg.selectProtocol(offered)
		if p != "" && !slices.Contains(offered, p) {
			// Section 4.2.2 lets the server choose only among the offer.
			return "", fmt.Errorf("ws: SelectProtocol chose %q, which the client did not offer (%q)", p, offered)
		}
		return p, nil
	}
	for _, p := range cfg.protocols {
		if slices.Contains(offered, p) {
			return p, nil
		}
	}
	return "", nil
}

// SelectProtocol makes Accept choose the subprotocol with f, which gets
// the client's offer in its order and returns one of them, or "" for
// none; in place of Protocols' order of preference.
func SelectProtocol(f func(offered []string) string) Option {
	return func(c *config) { c.selectProtocol = f }
}

// serverTerms maps the Deflate option to the terms Accept negotiates.
func serverTerms(d *Deflate) deflate.ServerConfig {
	return deflate.ServerConfig{
		ServerNoContextTakeover: d.ServerNoContextTakeover,
		ClientNoContextTakeover: d.ClientNoContextTakeover,
		ServerMaxWindowBits:     d.ServerMaxWindowBits,
		ClientMaxWindowBits:     d.ClientMaxWindowBits,
	}
}

// responseHeader is what the 101 carries beside the handshake's own
// headers: those the handler set on the ResponseWriter, then the Header
// options' (checked by checkServerConfig).
func responseHeader(set, opts http.Header) http.Header {
	if len(set) == 0 {
		return opts
	}
	h := http.Header{}
	for name, values := range set {
		if isReserved(name) || !proto.IsToken(name) {
			continue
		}
		for _, v := range values {
			if proto.ValidFieldValue(v) {
				h[name] = append(h[name], v)
			}
		}
	}
	for name, values := range opts {
		h[name] = append(h[name], values...)
	}
	return h
}
