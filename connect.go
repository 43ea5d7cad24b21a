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
	"slices"
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

// Connect opens a WebSocket connection to a ws:// or wss:// URL
// (hackney's ws_connect): it dials, through a proxy if one is set or the
// environment names one (see Proxy and ProxyFromEnvironment), runs TLS
// for wss://, and performs the opening handshake of RFC 6455 section 4,
// all within the ConnectTimeout option's bound (default 8 s) and ctx.
// A ws+unix:///path/to.sock:/request/path URL, as Node's ws takes it,
// reaches the server through that Unix socket (wss+unix:// with TLS).
//
// It fails with *URLError for a URL it cannot use, *ProxyError when the
// way through the proxy fails, *HTTPError when the
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
	cn := new(connecting)
	t, req := &cn.t, &cn.req
	if err := parseURL(url, t); err != nil {
		return nil, err
	}
	if cfg.mode > ActiveOnce {
		return nil, errInvalidMode
	}
	if err := buildRequest(t, cfg, req); err != nil {
		return nil, err
	}
	if err := cfg.dial.forTarget(t); err != nil {
		return nil, err
	}
	// The connect timeout is a deadline on the dial (see dialDirect) and
	// on the socket, not a context.WithDeadline: one costs a dozen
	// allocations.
	deadline := after(cfg.connectTimeout)
	var c *Conn
	var err error
	if cfg.http2 != HTTP2Off {
		c, err = connectHTTP2(ctx, deadline, t, cfg, req)
	} else {
		c, err = dialAndUpgrade(ctx, deadline, t, cfg, req, &cn.bound)
	}
	if err != nil {
		var refused *HTTPError
		switch {
		case errors.As(err, &refused):
			if cfg.jar != nil {
				storeCookies(cfg.jar, t, refused.Header)
			}
		case ownDeadlinePassed(ctx, deadline):
			return nil, &timeoutError{msg: "ws: connect: connect timeout exceeded", cause: err}
		case ctx.Err() != nil || ctxDeadlinePassed(ctx):
			return nil, connectCtxError(ctx, err)
		}
		return nil, err
	}
	if cfg.jar != nil {
		storeCookies(cfg.jar, t, c.ResponseHeader())
	}
	c.activate()
	return c, nil
}

// ownDeadlinePassed reports whether the connect timeout's deadline has
// passed, and came before any of ctx: then it is what cut Connect short.
func ownDeadlinePassed(ctx context.Context, deadline time.Time) bool {
	if deadline.IsZero() || time.Now().Before(deadline) {
		return false
	}
	d, ok := ctx.Deadline()
	return !ok || deadline.Before(d)
}

// ctxDeadlinePassed reports whether the deadline of ctx has passed. A
// dial takes it as its socket's deadline, and may fail on it a moment
// before ctx ends (TestConnectInFlight).
func ctxDeadlinePassed(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// connectCtxError reports a Connect cut short by its context: canceled,
// or its deadline passed, which ctx may not say yet.
func connectCtxError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr == nil || errors.Is(cerr, context.DeadlineExceeded) {
		return &timeoutError{msg: "ws: connect: timed out", cause: err}
	}
	return fmt.Errorf("ws: connect: %w", ctx.Err())
}

// connecting is what a Connect needs until it returns, in one allocation
// (BenchmarkConnect): where the URL leads, the upgrade request, and room
// for the bound of a dial to an IP address (dialDirect).
type connecting struct {
	t     target
	req   proto.Request
	bound dialBound
}

// reservedHeaders are the handshake's own: the Conn writes them.
var reservedHeaders = []string{"Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Accept", "Sec-Websocket-Extensions", "Sec-Websocket-Protocol"}

// isReserved reports whether the canonical header name is one of the
// handshake's own.
func isReserved(name string) bool { return slices.Contains(reservedHeaders, name) }

// checkHeader reports a header that the Header options may not add: one
// of the handshake's own, a name that is not a token, or a value that
// could end the header or smuggle in another.
func checkHeader(h http.Header) error {
	for name, values := range h {
		if isReserved(name) {
			return fmt.Errorf("ws: header %s is set by the handshake; use the Protocols option for subprotocols", name)
		}
		if !proto.IsToken(name) {
			return fmt.Errorf("ws: invalid header name %q: not an HTTP token", name)
		}
		for _, v := range values {
			if !proto.ValidFieldValue(v) {
				return fmt.Errorf("ws: invalid value of header %s: %q holds a control character", name, v)
			}
		}
	}
	return nil
}

// buildRequest fills req with the upgrade request to t.
func buildRequest(t *target, cfg *config, req *proto.Request) error {
	if err := checkHeader(cfg.header); err != nil {
		return err
	}
	for _, p := range cfg.protocols {
		if !proto.IsToken(p) {
			return fmt.Errorf("ws: invalid subprotocol %q: not an HTTP token", p)
		}
	}
	var nonce [16]byte
	crand.Read(nonce[:])
	*req = proto.Request{
		Host:      t.host,
		Target:    t.requestURI,
		Key:       proto.EncodeKey(nonce),
		Protocols: cfg.protocols,
		Header:    cfg.header.Clone(), // nil if no Header option: no map to make
	}
	if hosts, ok := req.Header["Host"]; ok {
		if len(hosts) != 1 || strings.Trim(hosts[0], " \t") == "" {
			return fmt.Errorf("ws: Header(\"Host\") given %d times or empty: a request has one Host", len(hosts))
		}
		req.Host = hosts[0]
		req.Header.Del("Host")
	}
	if t.basicAuth != "" && req.Header.Get("Authorization") == "" {
		setHeader(&req.Header, "Authorization", t.basicAuth)
	}
	if cfg.jar != nil {
		addJarCookies(&req.Header, cfg.jar, t)
	}
	if cfg.deflate != nil {
		offer, err := cfg.deflate.offer()
		if err != nil {
			return err
		}
		setHeader(&req.Header, "Sec-WebSocket-Extensions", offer.Header())
	}
	return nil
}

// setHeader sets a header in *h, making the map if need be.
func setHeader(h *http.Header, name, value string) {
	if *h == nil {
		*h = http.Header{}
	}
	h.Set(name, value)
}

// dialAndUpgrade connects and upgrades by deadline (none if zero), or
// until ctx ends. bound, if not nil, is room for the dial's (dialDirect).
func dialAndUpgrade(ctx context.Context, deadline time.Time, t *target, cfg *config, req *proto.Request, bound *dialBound) (*Conn, error) {
	nc, err := dialServer(ctx, deadline, t, cfg, bound)
	if err != nil {
		return nil, err
	}
	// Every blocking step below ends at the deadline, or when ctx ends
	// (a context that cannot end, like context.Background(), needs no
	// watch).
	if !deadline.IsZero() {
		nc.SetDeadline(deadline)
	}
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	}
	c, err := upgrade(ctx, deadline, nc, t, cfg, req)
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

func upgrade(ctx context.Context, deadline time.Time, nc net.Conn, t *target, cfg *config, req *proto.Request) (*Conn, error) {
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
	// The request is written from the buffer the response is then read
	// into.
	bp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bp)
	buf := req.Append((*bp)[:0])
	_, err := nc.Write(buf)
	trace.wroteRequest(buf, err)
	if err != nil {
		return nil, fmt.Errorf("ws: write upgrade request: %w", err)
	}
	buf = buf[:0]
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
		// it only briefly, and never past the deadline.
		wait := time.Now().Add(refusalBodyWait)
		if !deadline.IsZero() && deadline.Before(wait) {
			wait = deadline
		}
		nc.SetReadDeadline(wait)
		return nil, refusal(resp, io.MultiReader(bytes.NewReader(buf[n:]), nc))
	}
	protocol, err := proto.CheckResponse(resp, string(req.Key[:]), req.Protocols, cfg.deflate != nil)
	if err != nil {
		return nil, handshakeError(err)
	}
	var params *deflate.Params
	if cfg.deflate != nil {
		offer, _ := cfg.deflate.offer() // checked by buildRequest
		if params, err = offer.Accept(resp.Values("Sec-Websocket-Extensions")); err != nil {
			return nil, handshakeError(err)
		}
	}
	trace.switched(resp)
	// Frames may have come in the same reads as the response head.
	c := newConn(nc, cfg, bytes.Clone(buf[n:]))
	c.subprotocol = protocol
	c.resp = resp
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
	e := &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header()}
	limit := int64(maxErrorBody)
	if resp.StatusCode < 200 || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		limit = 0 // RFC 9112 section 6.3: these have no body
	} else if strings.EqualFold(e.Header.Get("Transfer-Encoding"), "chunked") {
		body = httputil.NewChunkedReader(body)
	} else if cl, err := strconv.ParseInt(e.Header.Get("Content-Length"), 10, 64); err == nil {
		limit = min(limit, cl)
	}
	e.Body, _ = io.ReadAll(io.LimitReader(body, limit))
	return e
}
