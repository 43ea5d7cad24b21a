package ws

import (
	"crypto/tls"
	"net"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hackney-go/ws/internal/testcert"
)

// traceLog records the hooks of an httptrace.ClientTrace in the order
// they are called.
type traceLog struct {
	mu     sync.Mutex
	events []string
	fields []string
	state  tls.ConnectionState
	header textproto.MIMEHeader
}

func (l *traceLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == 0 || l.events[len(l.events)-1] != e {
		l.events = append(l.events, e)
	}
}

func (l *traceLog) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		ConnectStart:      func(string, string) { l.add("ConnectStart") },
		ConnectDone:       func(string, string, error) { l.add("ConnectDone") },
		TLSHandshakeStart: func() { l.add("TLSHandshakeStart") },
		TLSHandshakeDone: func(s tls.ConnectionState, err error) {
			l.state = s
			l.add("TLSHandshakeDone")
		},
		WroteHeaderField: func(k string, v []string) {
			l.fields = append(l.fields, k+": "+strings.Join(v, ","))
			l.add("WroteHeaderField")
		},
		WroteHeaders:         func() { l.add("WroteHeaders") },
		WroteRequest:         func(httptrace.WroteRequestInfo) { l.add("WroteRequest") },
		GotFirstResponseByte: func() { l.add("GotFirstResponseByte") },
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			if code == 101 {
				l.header = h
			}
			l.add("Got1xxResponse")
			return nil
		},
	}
}

// TestConnectTrace: Connect calls the hooks of the ClientTrace in its
// context in the order of the connection's steps, with the header lines
// as written, the TLS state and the 101 response's header.
func TestConnectTrace(t *testing.T) {
	ca := testcert.NewCA(t, "ws trace test CA")
	url := tlsEcho(t, ca.Issue(t, testcert.Options{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
	var l traceLog
	ctx := httptrace.WithClientTrace(testCtx(t), l.trace())
	c, err := Connect(ctx, url+"/path?q=1", TLSConfig(&tls.Config{RootCAs: ca.Pool}), Header("X-Test", "yes"), Protocols("p1"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := []string{"ConnectStart", "ConnectDone", "TLSHandshakeStart", "TLSHandshakeDone", "WroteHeaderField", "WroteHeaders", "WroteRequest", "GotFirstResponseByte", "Got1xxResponse"}
	if !slices.Equal(l.events, want) {
		t.Errorf("hooks called:\n%q\nwant\n%q", l.events, want)
	}
	host := strings.TrimPrefix(url, "wss://")
	wantFields := []string{"Host: " + host, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: p1", "X-Test: yes"}
	for _, f := range wantFields {
		if !slices.Contains(l.fields, f) {
			t.Errorf("header fields written %q: no %q", l.fields, f)
		}
	}
	if l.fields[0] != "Host: "+host {
		t.Errorf("first field %q, want the Host", l.fields[0])
	}
	if !l.state.HandshakeComplete || len(l.state.PeerCertificates) == 0 || l.state.NegotiatedProtocol != "http/1.1" {
		t.Errorf("TLS state: complete %v, %d certificates, ALPN %q", l.state.HandshakeComplete, len(l.state.PeerCertificates), l.state.NegotiatedProtocol)
	}
	if l.header.Get("Upgrade") != "websocket" || l.header.Get("Sec-Websocket-Accept") == "" {
		t.Errorf("101 header %v", l.header)
	}
}
