package ws

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/h2"
	"github.com/hackney-go/ws/internal/proto"
)

// HTTP2Mode says whether Connect carries the WebSocket on an HTTP/2
// stream (RFC 8441); see HTTP2.
type HTTP2Mode int

// The modes of HTTP2.
const (
	// HTTP2Off, the default, opens every Conn on a connection of its
	// own with the HTTP/1.1 upgrade of RFC 6455.
	HTTP2Off HTTP2Mode = iota
	// HTTP2Prefer offers h2 to a wss:// server and opens the Conn on an
	// HTTP/2 stream when the server agrees and enables the extended
	// CONNECT; otherwise it falls back to HTTP/1.1 on a new connection
	// (and remembers the server's answer for a few minutes). A ws://
	// URL stays on HTTP/1.1: without TLS there is nothing to negotiate.
	HTTP2Prefer
	// HTTP2Require opens the Conn on an HTTP/2 stream or fails with
	// *HTTP2Error. For a ws:// URL it speaks h2c with prior knowledge
	// (RFC 9113 section 3.3).
	HTTP2Require
)

// HTTP2 chooses whether Connect carries the WebSocket on an HTTP/2
// stream (RFC 8441). On HTTP/2, Conns to the same server share one
// connection while its SETTINGS_MAX_CONCURRENT_STREAMS allows (a new
// connection when it is full), each on a stream of its own with its own
// flow control, so that a Conn that does not read holds back no other.
// Closing a Conn ends its stream; the connection closes with the last
// of its Conns. A server's GOAWAY ends the Conns on the connection with
// a *CloseError whose Err matches ErrGoAway, and new Conns go to a new
// connection. The Conn behaves the same on either protocol, compression
// included; Proto tells which one carries it.
//
// Conns share a connection when they reach the same host and port the
// same way: the same TLSConfig (the same pointer), proxy and Unix socket.
// A Conn dialed with NetDial has a connection of its own.
func HTTP2(mode HTTP2Mode) Option { return func(c *config) { c.http2 = mode } }

// HTTP2Error is returned by Connect under HTTP2(HTTP2Require) when the
// server cannot carry the WebSocket over HTTP/2.
type HTTP2Error struct {
	Reason string // the TLS handshake did not choose h2, or the SETTINGS lack the extended CONNECT
}

// Error describes the HTTP2Error.
func (e *HTTP2Error) Error() string { return "ws: no WebSocket over HTTP/2: " + e.Reason }

// ErrGoAway is the Err of the *CloseError that ends a Conn on HTTP/2
// when the server's GOAWAY ended its connection.
var ErrGoAway = h2.ErrGoAway

// Proto returns the protocol that carried the opening handshake and
// carries the WebSocket: "HTTP/1.1", or "HTTP/2.0" for a stream of
// RFC 8441.
func (c *Conn) Proto() string { return c.resp.Proto }

// errNoH2 is the refusal of a server whose TLS handshake chose no h2.
var errNoH2 = errors.New("the server's TLS handshake did not choose h2 (ALPN)")

// h2Pool is the process's pool of HTTP/2 connections, made on first use.
var h2Pool = sync.OnceValue(h2.NewPool)

// connectHTTP2 opens the Conn on an HTTP/2 stream, or on HTTP/1.1 where
// HTTP2Prefer falls back.
func connectHTTP2(ctx context.Context, deadline time.Time, t *target, cfg *config, req *proto.Request) (*Conn, error) {
	if !t.secure && cfg.http2 == HTTP2Prefer {
		return dialAndUpgrade(ctx, deadline, t, cfg, req, nil)
	}
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	key, shared, err := h2Key(t, cfg)
	if err != nil {
		return nil, err
	}
	refused := func(err error) (*Conn, error) {
		if cfg.http2 == HTTP2Prefer {
			return dialAndUpgrade(ctx, deadline, t, cfg, req, nil)
		}
		return nil, &HTTP2Error{Reason: err.Error()}
	}
	slot, err := h2Pool().Acquire(ctx, key)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return refused(err)
	}
	if slot.Lead() {
		if err := dialH2(ctx, deadline, t, cfg, slot, shared); err != nil {
			if errors.Is(err, errNoH2) {
				slot.Refuse(err)
				return refused(err)
			}
			slot.Release()
			return nil, err
		}
	}
	resp, st, stop, err := h2.Open(ctx, slot, h2Request(t, req))
	switch {
	case errors.Is(err, h2.ErrNoExtendedConnect):
		return refused(err)
	case err != nil:
		return nil, fmt.Errorf("ws: HTTP/2 extended CONNECT: %w", err)
	case st == nil:
		return nil, h2Refusal(resp, deadline, stop)
	}
	r := proto.ResponseOf(resp.StatusCode, resp.Header)
	protocol, err := proto.CheckNegotiated(r, req.Protocols, cfg.deflate != nil)
	var params *deflate.Params
	if err == nil && cfg.deflate != nil {
		offer, _ := cfg.deflate.offer() // checked by buildRequest
		params, err = offer.Accept(r.Values("Sec-Websocket-Extensions"))
	}
	if err != nil {
		st.Close()
		return nil, handshakeError(err)
	}
	c := newConn(st, cfg, nil)
	c.subprotocol = protocol
	c.resp = r
	if params != nil {
		c.startCompression(params)
	}
	return c, nil
}

// dialH2 dials the lead's new connection: TLS offering h2 and http/1.1
// for wss://, h2c with prior knowledge for ws://.
func dialH2(ctx context.Context, deadline time.Time, t *target, cfg *config, slot *h2.Slot, shared bool) error {
	nc, err := dialServer(ctx, deadline, t, cfg, nil)
	if err != nil {
		return err
	}
	if t.secure {
		conf := &tls.Config{}
		if cfg.tls != nil {
			conf = cfg.tls.Clone()
		}
		if conf.ServerName == "" {
			conf.ServerName = t.serverName
		}
		if len(conf.NextProtos) == 0 {
			conf.NextProtos = []string{"h2", "http/1.1"}
		}
		trace := &connectTrace{t: httptrace.ContextClientTrace(ctx)}
		tc := tls.Client(nc, conf)
		trace.tlsStart()
		err := tc.HandshakeContext(ctx)
		trace.tlsDone(tc, err)
		if err != nil {
			nc.Close()
			return fmt.Errorf("ws: TLS handshake: %w", err)
		}
		if tc.ConnectionState().NegotiatedProtocol != "h2" {
			tc.Close()
			return errNoH2
		}
		nc = tc
	}
	if err := slot.Dial(nc, shared); err != nil {
		return fmt.Errorf("ws: HTTP/2 connection: %w", err)
	}
	return nil
}

// h2Key names the connections a Conn may share: those that reach the
// same address the same way. A caller's own dialer makes a connection
// that nobody shares.
func h2Key(t *target, cfg *config) (key string, shared bool, err error) {
	if cfg.dial.netDial != nil && t.unixSocket == "" {
		return "", false, nil
	}
	proxy := ""
	if t.unixSocket == "" {
		pu, err := cfg.dial.proxyFor(t)
		if err != nil {
			return "", false, err
		}
		if pu != nil {
			proxy = pu.String()
		}
	}
	scheme := "h2c"
	if t.secure {
		scheme = "h2"
	}
	return fmt.Sprintf("%s %s %s %p %s %s", scheme, t.addr, t.serverName, cfg.tls, proxy, t.unixSocket), true, nil
}

// h2Request is the extended CONNECT of the opening handshake: the
// upgrade request's headers but Upgrade, Connection and
// Sec-WebSocket-Key (RFC 8441 section 5).
func h2Request(t *target, req *proto.Request) *h2.Request {
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Sec-Websocket-Version", "13")
	if len(req.Protocols) > 0 {
		h.Set("Sec-Websocket-Protocol", strings.Join(req.Protocols, ", "))
	}
	scheme := "http"
	if t.secure {
		scheme = "https"
	}
	return &h2.Request{Scheme: scheme, Authority: req.Host, Path: t.requestURI, Header: h}
}

// h2Refusal builds the HTTPError of a refused extended CONNECT, with the
// start of its body, read at most refusalBodyWait and never past the
// deadline.
func h2Refusal(resp *http.Response, deadline time.Time, stop func()) *HTTPError {
	wait := time.Now().Add(refusalBodyWait)
	if !deadline.IsZero() && deadline.Before(wait) {
		wait = deadline
	}
	t := time.AfterFunc(time.Until(wait), stop) // closing the body ends the read
	defer stop()
	defer t.Stop()
	e := &HTTPError{StatusCode: resp.StatusCode, Status: http.StatusText(resp.StatusCode), Header: resp.Header}
	e.Body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return e
}
