package ws

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"strconv"
	"strings"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// maxErrorBody bounds the part of a refusal's body kept in HTTPError, and
// refusalBodyWait the time spent reading it.
const (
	maxErrorBody    = 4 << 10
	refusalBodyWait = time.Second
)

var errConnectTimeout = errors.New("connect timeout")

// Connect opens a WebSocket connection to a ws:// or wss:// URL
// (hackney's ws_connect): it dials, runs TLS for wss://, and performs the
// opening handshake of RFC 6455 section 4, all within the ConnectTimeout
// option's bound (default 8 s) and ctx.
//
// It fails with *URLError for a URL it cannot use, *HTTPError when the
// server refuses the upgrade, *HandshakeError when the server's answer
// breaks the protocol, an error matching ErrTimeout when the time runs
// out, and ctx.Err() when ctx is canceled.
//
// Connect reports its steps to the net/http/httptrace.ClientTrace of ctx,
// if any, as net/http does: DNS and TCP connect (by the dialer), the TLS
// handshake, each header line of the upgrade request as written
// (WroteHeaderField), WroteHeaders, WroteRequest, GotFirstResponseByte and,
// for the 101 response, Got1xxResponse with its header (its error is not
// used). A refusal is not reported there: its status and header are in
// the *HTTPError.
func Connect(ctx context.Context, url string, opts ...Option) (*Conn, error) {
	cfg := newConfig(opts)
	t, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if cfg.mode > ActiveOnce {
		return nil, errInvalidMode
	}
	req, err := buildRequest(t, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.connectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.connectTimeout, errConnectTimeout)
		defer cancel()
	}
	c, err := dialAndUpgrade(ctx, t, cfg, req)
	if err != nil {
		var refused *HTTPError
		if ctx.Err() != nil && !errors.As(err, &refused) {
			return nil, connectCtxError(ctx, err)
		}
		return nil, err
	}
	if c.mode != Passive {
		c.startPump()
	}
	return c, nil
}

// connectCtxError reports a Connect cut short by its context.
func connectCtxError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		msg := "ws: connect: timed out"
		if context.Cause(ctx) == errConnectTimeout {
			msg = "ws: connect: connect timeout exceeded"
		}
		return &timeoutError{msg: msg, cause: err}
	}
	return fmt.Errorf("ws: connect: %w", ctx.Err())
}

// reservedHeaders are the handshake's own: the Conn writes them.
var reservedHeaders = []string{"Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Sec-Websocket-Protocol"}

func buildRequest(t *target, cfg *config) (*proto.Request, error) {
	for _, name := range reservedHeaders {
		if _, ok := cfg.header[name]; ok {
			return nil, fmt.Errorf("ws: header %s is set by the handshake; use the Protocols option for subprotocols", name)
		}
	}
	for _, p := range cfg.protocols {
		if !proto.IsToken(p) {
			return nil, fmt.Errorf("ws: invalid subprotocol %q: not an HTTP token", p)
		}
	}
	for name, values := range cfg.header {
		if !proto.IsToken(name) {
			return nil, fmt.Errorf("ws: invalid header name %q: not an HTTP token", name)
		}
		for _, v := range values {
			if !proto.ValidFieldValue(v) {
				return nil, fmt.Errorf("ws: invalid value of header %s: %q holds a control character", name, v)
			}
		}
	}
	var nonce [16]byte
	crand.Read(nonce[:])
	req := &proto.Request{
		Host:      t.host,
		Target:    t.requestURI,
		Key:       proto.EncodeKey(nonce),
		Protocols: cfg.protocols,
		Header:    cfg.header.Clone(),
	}
	if hosts, ok := req.Header["Host"]; ok {
		if len(hosts) != 1 || strings.Trim(hosts[0], " \t") == "" {
			return nil, fmt.Errorf("ws: Header(\"Host\") given %d times or empty: a request has one Host", len(hosts))
		}
		req.Host = hosts[0]
		req.Header.Del("Host")
	}
	if t.basicAuth != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", t.basicAuth)
	}
	if cfg.deflate != nil {
		offer, err := cfg.deflate.offer()
		if err != nil {
			return nil, err
		}
		req.Header.Set("Sec-WebSocket-Extensions", offer.Header())
	}
	return req, nil
}

func dialAndUpgrade(ctx context.Context, t *target, cfg *config, req *proto.Request) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, fmt.Errorf("ws: dial: %w", err)
	}
	// Every blocking step below ends when ctx does.
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	c, err := upgrade(ctx, nc, t, cfg, req)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return c, nil
}

func upgrade(ctx context.Context, nc net.Conn, t *target, cfg *config, req *proto.Request) (*Conn, error) {
	trace := &connectTrace{t: httptrace.ContextClientTrace(ctx)}
	if t.secure {
		conf := &tls.Config{}
		if cfg.tls != nil {
			conf = cfg.tls.Clone()
		}
		if conf.ServerName == "" {
			conf.ServerName = t.serverName
		}
		if len(conf.NextProtos) == 0 {
			conf.NextProtos = []string{"http/1.1"}
		}
		tc := tls.Client(nc, conf)
		trace.tlsStart()
		err := tc.HandshakeContext(ctx)
		trace.tlsDone(tc, err)
		if err != nil {
			return nil, fmt.Errorf("ws: TLS handshake: %w", err)
		}
		nc = tc
	}
	head := req.Append(nil)
	_, err := nc.Write(head)
	trace.wroteRequest(head, err)
	if err != nil {
		return nil, fmt.Errorf("ws: write upgrade request: %w", err)
	}
	bp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bp)
	buf := (*bp)[:0]
	var resp *proto.Response
	var n int
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := nc.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		trace.read(m)
		// A reply that cannot become an HTTP/1.x status line fails at
		// once, not at the connect timeout (RFC 9112 section 4).
		if k := min(len(buf), len(statusPrefix)); string(buf[:k]) != statusPrefix[:k] {
			return nil, &HandshakeError{Err: ErrMalformedResponse, Header: "status line", Value: string(buf[:k])}
		}
		// Parse only once the head can have ended, so that a server
		// sending it in small pieces costs linear time, not quadratic.
		tail := buf[max(0, len(buf)-m-2):]
		if bytes.Contains(tail, []byte("\n\n")) || bytes.Contains(tail, []byte("\n\r\n")) || len(buf) > proto.MaxResponseHead {
			var perr error
			if resp, n, perr = proto.ParseResponse(buf); perr != nil {
				return nil, handshakeError(perr)
			}
			if n > 0 {
				break
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &HandshakeError{Err: ErrMalformedResponse, Header: "connection closed before the response head ended"}
			}
			return nil, fmt.Errorf("ws: read upgrade response: %w", err)
		}
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		// A body without framing lasts until the server closes: wait for
		// it only briefly.
		nc.SetReadDeadline(time.Now().Add(refusalBodyWait))
		return nil, refusal(resp, io.MultiReader(bytes.NewReader(buf[n:]), nc))
	}
	protocol, err := proto.CheckResponse(resp, req.Key, req.Protocols, cfg.deflate != nil)
	if err != nil {
		return nil, handshakeError(err)
	}
	var params *deflate.Params
	if cfg.deflate != nil {
		offer, _ := cfg.deflate.offer() // checked by buildRequest
		if params, err = offer.Accept(resp.Header.Values("Sec-Websocket-Extensions")); err != nil {
			return nil, handshakeError(err)
		}
	}
	trace.switched(resp)
	// Frames may have come in the same reads as the response head.
	c := newConn(nc, cfg, bytes.Clone(buf[n:]))
	c.subprotocol = protocol
	c.respHeader = resp.Header
	if params != nil {
		c.startCompression(params)
	}
	return c, nil
}

// statusPrefix is how every HTTP/1.x response begins.
const statusPrefix = "HTTP/1."

// handshakeError turns a fault the core found in the response into the
// public error.
func handshakeError(err error) *HandshakeError {
	f := err.(*proto.HandshakeFault)
	return &HandshakeError{Err: f.Err, Header: f.Header, Value: f.Value}
}

// refusal builds the HTTPError for a non-101 response, with the start of
// its body. What the body's framing or the deadline leaves unread is lost
// with the connection, which is closed.
func refusal(resp *proto.Response, body io.Reader) *HTTPError {
	e := &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}
	limit := int64(maxErrorBody)
	if resp.StatusCode < 200 || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		limit = 0 // RFC 9112 section 6.3: these have no body
	} else if strings.EqualFold(resp.Header.Get("Transfer-Encoding"), "chunked") {
		body = httputil.NewChunkedReader(body)
	} else if cl, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
		limit = min(limit, cl)
	}
	e.Body, _ = io.ReadAll(io.LimitReader(body, limit))
	return e
}
