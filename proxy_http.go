package ws

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/hackney-go/ws/internal/proto"
)

// httpConnect asks the HTTP proxy at the other end of nc for a tunnel to
// addr with a CONNECT request (RFC 9110 section 9.3.6) and returns the
// tunnel. Bytes the proxy sent after its response head belong to the
// tunnel: the returned connection reads them first.
func httpConnect(nc net.Conn, pu *url.URL, addr string, header http.Header) (net.Conn, error) {
	h := http.Header{}
	if pu.User != nil {
		pw, _ := pu.User.Password()
		h.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(pu.User.Username()+":"+pw)))
	}
	for name, values := range header {
		h[http.CanonicalHeaderKey(name)] = values
	}
	if h.Get("Host") == "" {
		h.Set("Host", addr)
	}
	req := []byte("CONNECT " + addr + " HTTP/1.1\r\nHost: " + h.Get("Host") + "\r\n")
	h.Del("Host")
	for name, values := range h {
		for _, v := range values {
			req = append(req, name+": "+v+"\r\n"...)
		}
	}
	req = append(req, "\r\n"...)
	if _, err := nc.Write(req); err != nil {
		return nil, fmt.Errorf("write CONNECT: %w", err)
	}
	resp, rest, err := readConnectResponse(nc)
	if err != nil {
		return nil, err
	}
	// Any 2xx response makes the connection a tunnel; the headers of a
	// 2xx response to CONNECT mean nothing else (RFC 9110 section 9.3.6).
	if resp.StatusCode/100 != 2 {
		return nil, &ProxyError{Proxy: pu.Redacted(), StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header()}
	}
	if len(rest) > 0 {
		return &prefixConn{Conn: nc, pending: rest}, nil
	}
	return nc, nil
}

// errProxyClosed is the cause of a ProxyError when the proxy closes the
// connection before its response to CONNECT ends.
var errProxyClosed = errors.New("connection closed before the response to CONNECT ended")

// readConnectResponse reads the head of the proxy's response to CONNECT,
// at most proto.MaxResponseHead bytes, and returns it with the bytes read
// past it.
func readConnectResponse(r io.Reader) (resp *proto.Response, rest []byte, err error) {
	buf := make([]byte, 0, 1024)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, rerr := r.Read(buf[len(buf):min(cap(buf), proto.MaxResponseHead+1)])
		buf = buf[:len(buf)+m]
		// Parse only once the head can have ended, so that a proxy
		// sending it in small pieces costs linear time, not quadratic.
		tail := buf[max(0, len(buf)-m-2):]
		if bytes.Contains(tail, []byte("\n\n")) || bytes.Contains(tail, []byte("\n\r\n")) || len(buf) > proto.MaxResponseHead {
			resp, n, perr := proto.ParseResponse(buf)
			if perr != nil {
				return nil, nil, fmt.Errorf("response to CONNECT: %w", perr)
			}
			if n > 0 {
				return resp, buf[n:], nil
			}
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				return nil, nil, errProxyClosed
			}
			return nil, nil, fmt.Errorf("read the response to CONNECT: %w", rerr)
		}
	}
}

// prefixConn is a connection whose first bytes were already read: Read
// returns them before reading more.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pending) == 0 {
		return c.Conn.Read(p)
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}
