package ws

import (
	"bytes"
	"crypto/tls"
	"net/http/httptrace"
	"net/textproto"

	"github.com/hackney-go/ws/internal/proto"
)

// connectTrace calls the hooks of the httptrace.ClientTrace in Connect's
// context, as net/http does for a request, so that a tool can show each
// step of a connection (ws -v does) with no API of our own. The dialer
// calls the DNS and connect hooks itself. A nil connectTrace, or a nil
// hook, is skipped.
type connectTrace struct {
	t         *httptrace.ClientTrace
	firstByte bool // GotFirstResponseByte was called
}

func (ct *connectTrace) tlsStart() {
	if ct.t != nil && ct.t.TLSHandshakeStart != nil {
		ct.t.TLSHandshakeStart()
	}
}

func (ct *connectTrace) tlsDone(tc *tls.Conn, err error) {
	if ct.t != nil && ct.t.TLSHandshakeDone != nil {
		ct.t.TLSHandshakeDone(tc.ConnectionState(), err)
	}
}

// wroteRequest reports the request head as written: each header line in
// wire order (WroteHeaderField), then WroteHeaders and WroteRequest.
func (ct *connectTrace) wroteRequest(head []byte, err error) {
	if ct.t == nil {
		return
	}
	if ct.t.WroteHeaderField != nil {
		lines := bytes.Split(bytes.TrimSuffix(head, []byte("\r\n\r\n")), []byte("\r\n"))
		for _, l := range lines[1:] { // lines[0] is the request line
			name, value, _ := bytes.Cut(l, []byte(": "))
			ct.t.WroteHeaderField(string(name), []string{string(value)})
		}
	}
	if ct.t.WroteHeaders != nil {
		ct.t.WroteHeaders()
	}
	if ct.t.WroteRequest != nil {
		ct.t.WroteRequest(httptrace.WroteRequestInfo{Err: err})
	}
}

// read notes that n bytes of the response came.
func (ct *connectTrace) read(n int) {
	if ct.t != nil && !ct.firstByte && n > 0 {
		ct.firstByte = true
		if ct.t.GotFirstResponseByte != nil {
			ct.t.GotFirstResponseByte()
		}
	}
}

// switched reports the 101 response: net/http calls Got1xxResponse for
// the interim responses before the final one, and for a WebSocket the
// 101 is the last HTTP response of the connection. The hook's error,
// with which net/http aborts a request, is not used: the handshake has
// succeeded by then.
func (ct *connectTrace) switched(resp *proto.Response) {
	if ct.t != nil && ct.t.Got1xxResponse != nil {
		ct.t.Got1xxResponse(resp.StatusCode, textproto.MIMEHeader(resp.Header()))
	}
}
