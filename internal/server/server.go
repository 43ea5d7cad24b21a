// Package server is the server side of the WebSocket protocol on the same
// core as the client (masked frames in, unmasked frames out). It serves
// the tests and the command-line client's echo server; it is internal
// until its API has settled.
package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// Options configure Upgrade.
type Options struct {
	// Protocols the server speaks, in its order of preference; the first
	// one the client offered is chosen.
	Protocols []string
	// Header is added to the 101 response.
	Header http.Header
	// MaxMessage bounds a received message, once decompressed; zero
	// means no limit.
	MaxMessage int64
	// Deflate, unless nil, accepts permessage-deflate (RFC 7692) on its
	// terms when the client offers it.
	Deflate *Deflate
}

// Deflate is the server's side of permessage-deflate: the terms it
// negotiates, and which messages it compresses.
type Deflate struct {
	deflate.ServerConfig
	// Threshold is the size below which a message is sent uncompressed,
	// with RSV1 clear: a small message gains little and would cost the
	// compressor's work (RFC 7692 section 6 lets every message choose).
	Threshold int
}

// Conn is the server's end of a WebSocket connection. ReadFrame must be
// called from one goroutine; WriteFrame and WriteRaw from any.
type Conn struct {
	// Request is the client's upgrade request.
	Request *http.Request
	// Subprotocol is the one chosen, "" for none.
	Subprotocol string
	// Deflate holds the permessage-deflate parameters agreed, nil when
	// the connection does not compress.
	Deflate *deflate.Params

	nc   net.Conn
	rd   proto.Reader
	rbuf []byte
	rpos int
	rend int

	// The decompressor is the reader's while a ReadFrame runs; Close
	// releases it only when none does, or leaves that to the ReadFrame.
	dec     *deflate.Decompressor
	rmu     sync.Mutex
	reading bool
	rclosed bool

	wmu       sync.Mutex
	comp      *deflate.Compressor // nil when not compressing
	threshold int
	wclosed   bool
}

// Upgrade checks a client's opening handshake (RFC 6455 section 4.2.1),
// answers it with 101 and takes over the connection. On a bad request it
// answers 400 (or 426 for a wrong version, section 4.4) and fails.
func Upgrade(w http.ResponseWriter, r *http.Request, o Options) (*Conn, error) {
	fail := func(status int, msg string) (*Conn, error) {
		if status == http.StatusUpgradeRequired {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, msg, status)
		return nil, errors.New("server: " + msg)
	}
	switch {
	case r.Method != http.MethodGet:
		return fail(http.StatusMethodNotAllowed, "WebSocket upgrade needs GET")
	case !hasToken(r.Header, "Connection", "upgrade"), !hasToken(r.Header, "Upgrade", "websocket"):
		return fail(http.StatusBadRequest, "not a WebSocket upgrade request")
	case r.Header.Get("Sec-Websocket-Version") != "13":
		return fail(http.StatusUpgradeRequired, "unsupported WebSocket version")
	}
	key := r.Header.Get("Sec-Websocket-Key")
	if len(key) != 24 {
		return fail(http.StatusBadRequest, "bad Sec-WebSocket-Key")
	}
	var (
		extensions string
		params     *deflate.Params
	)
	if o.Deflate != nil {
		if err := o.Deflate.Validate(); err != nil {
			return fail(http.StatusInternalServerError, err.Error())
		}
		var err error
		extensions, params, err = o.Deflate.Negotiate(r.Header.Values("Sec-Websocket-Extensions"))
		if err != nil {
			// A request outside the grammar is malformed (RFC 6455
			// sections 4.2.1 and 9.1).
			return fail(http.StatusBadRequest, err.Error())
		}
	}
	chosen := ""
	offered := tokens(r.Header, "Sec-Websocket-Protocol")
pick:
	for _, p := range o.Protocols {
		for _, q := range offered {
			if p == q {
				chosen = p
				break pick
			}
		}
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		return fail(http.StatusInternalServerError, "connection cannot be taken over")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return nil, fmt.Errorf("server: hijack: %w", err)
	}
	var resp strings.Builder
	resp.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
	resp.WriteString(proto.AcceptKey(key))
	resp.WriteString("\r\n")
	if chosen != "" {
		resp.WriteString("Sec-WebSocket-Protocol: " + chosen + "\r\n")
	}
	if extensions != "" {
		resp.WriteString("Sec-WebSocket-Extensions: " + extensions + "\r\n")
	}
	for name, values := range o.Header {
		for _, v := range values {
			resp.WriteString(name + ": " + v + "\r\n")
		}
	}
	resp.WriteString("\r\n")
	nc.SetDeadline(time.Time{})
	if _, err := io.WriteString(nc, resp.String()); err != nil {
		nc.Close()
		return nil, fmt.Errorf("server: write 101: %w", err)
	}
	// The client may already have sent frames, read into brw.
	buffered := make([]byte, brw.Reader.Buffered(), max(brw.Reader.Buffered(), 16<<10))
	brw.Reader.Read(buffered)
	c := &Conn{
		Request:     r,
		Subprotocol: chosen,
		Deflate:     params,
		nc:          nc,
		rd:          proto.Reader{Server: true, MaxMessage: o.MaxMessage},
		rbuf:        buffered[:cap(buffered)],
		rend:        len(buffered),
	}
	if params != nil {
		// The server compresses what it sends with the server's settings
		// and decompresses what it reads with the client's (RFC 7692
		// section 7).
		c.comp = deflate.NewCompressor(params.Server)
		c.threshold = o.Deflate.Threshold
		c.dec = deflate.NewDecompressor(params.Client, o.MaxMessage)
		c.rd.Inflater = c.dec
	}
	return c, nil
}

func tokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func hasToken(h http.Header, name, token string) bool {
	for _, t := range tokens(h, name) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// ReadFrame returns the next message or control frame, nothing answered,
// a compressed message decompressed. A breach of the protocol gets the
// close frame it calls for, and the *proto.Violation is returned.
func (c *Conn) ReadFrame() (proto.Frame, error) {
	c.rmu.Lock()
	if c.rclosed {
		c.rmu.Unlock()
		return proto.Frame{}, net.ErrClosed
	}
	c.reading = true
	c.rmu.Unlock()
	defer func() {
		c.rmu.Lock()
		c.reading = false
		if c.rclosed && c.dec != nil {
			// Close came while this read used the decompressor.
			c.dec.Release()
		}
		c.rmu.Unlock()
	}()
	for {
		if c.rpos < c.rend {
			n, f, ok, err := c.rd.Next(c.rbuf[c.rpos:c.rend])
			c.rpos += n
			if err != nil {
				var v *proto.Violation
				if errors.As(err, &v) {
					payload, _ := proto.AppendClose(nil, v.Code, proto.TruncateReason(v.Reason))
					c.WriteFrame(proto.OpClose, payload)
				}
				return f, err
			}
			if ok {
				return f, nil
			}
		}
		c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
		c.rpos = 0
		n, err := c.nc.Read(c.rbuf[c.rend:])
		c.rend += n
		if err != nil && n == 0 {
			return proto.Frame{}, err
		}
	}
}

// WriteFrame writes one unmasked, unfragmented frame. On a connection
// that compresses, a text or binary message of at least the threshold's
// size goes compressed, with RSV1 set (RFC 7692 section 6.1); the
// compressor's state follows the order of the writes, as context
// takeover needs.
func (c *Conn) WriteFrame(op proto.Opcode, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.wclosed {
		return net.ErrClosed
	}
	h := proto.Header{Fin: true, Op: op, Length: int64(len(payload))}
	if c.comp != nil && (op == proto.OpText || op == proto.OpBinary) && len(payload) >= c.threshold {
		payload = c.comp.Append(nil, payload, true)
		h.Rsv, h.Length = rsv1, int64(len(payload))
	}
	b := proto.AppendHeader(make([]byte, 0, proto.MaxHeaderSize+len(payload)), h)
	_, err := c.nc.Write(append(b, payload...))
	return err
}

// rsv1 is the header's Rsv for RSV1 alone: the "Per-Message Compressed"
// bit (RFC 7692 section 6).
const rsv1 = 4

// WriteRaw writes b as it is: tests use it to send broken frames.
func (c *Conn) WriteRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.nc.Write(b)
	return err
}

// CloseWith sends a close frame with code and reason.
func (c *Conn) CloseWith(code uint16, reason string) error {
	payload, err := proto.AppendClose(nil, code, reason)
	if err != nil {
		return err
	}
	return c.WriteFrame(proto.OpClose, payload)
}

// Close closes the TCP connection and releases the compressor and
// decompressor. A ReadFrame or WriteFrame under way fails.
func (c *Conn) Close() error {
	// The connection first: a write blocked on a peer that does not read
	// holds the write lock until it fails.
	err := c.nc.Close()
	c.wmu.Lock()
	if !c.wclosed && c.comp != nil {
		c.comp.Release()
	}
	c.wclosed = true
	c.wmu.Unlock()
	c.rmu.Lock()
	if !c.rclosed && !c.reading && c.dec != nil {
		c.dec.Release()
	}
	c.rclosed = true
	c.rmu.Unlock()
	return err
}

// Echo answers every message with the same message and every ping with a
// pong, until the client closes, whose close frame it echoes (section
// 5.5.1). It returns nil after a clean close.
func Echo(c *Conn) error {
	for {
		f, err := c.ReadFrame()
		if err != nil {
			return err
		}
		switch f.Op {
		case proto.OpPing:
			err = c.WriteFrame(proto.OpPong, f.Payload)
		case proto.OpPong:
		case proto.OpClose:
			echo := f.Payload
			if len(echo) > 2 {
				echo = echo[:2]
			}
			c.WriteFrame(proto.OpClose, echo)
			return nil
		default:
			err = c.WriteFrame(f.Op, f.Payload)
		}
		if err != nil {
			return err
		}
	}
}

// Handler upgrades each request and runs serve on the connection, which
// it closes when serve returns.
func Handler(o Options, serve func(*Conn)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Upgrade(w, r, o)
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	})
}
