package conformance

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// Dial plays the client against the code under test as a server: it
// connects to addr (host:port), performs the opening handshake (RFC 6455
// section 4.1) by hand, with the extra request headers, checks the 101,
// and runs script on the connection, masking what it writes (see Role).
// Each step waits at most timeout. It returns nil when every step
// passed, an error naming the step that failed otherwise.
func Dial(addr string, timeout time.Duration, header http.Header, script ...Step) error {
	return dial(addr, timeout, header, func(resp *http.Response) ([]Step, error) {
		if resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, fmt.Errorf("handshake: %s, want 101", resp.Status)
		}
		return script, nil
	})
}

// dial is Dial with the script chosen from the server's answer, which
// may be other than 101: then the script is run on what follows the
// answer (the end of the connection, say), or nil ends the connection
// there.
func dial(addr string, timeout time.Duration, header http.Header, script func(*http.Response) ([]Step, error)) error {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	resp, err := clientHandshake(nc, br, addr, timeout, header)
	if err != nil {
		return err
	}
	steps, err := script(resp)
	if err != nil || steps == nil {
		return err
	}
	return runSession(newSession(nc, br, timeout, AsClient), (*Session).read, steps)
}

// clientHandshake sends the opening handshake's request and reads the
// answer, checking a 101's handshake headers (section 4.1, the client's
// checks of the response). br keeps whatever the server sent behind it.
func clientHandshake(nc net.Conn, br *bufio.Reader, host string, timeout time.Duration, header http.Header) (*http.Response, error) {
	nc.SetDeadline(time.Now().Add(timeout))
	defer nc.SetDeadline(time.Time{})
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	var req strings.Builder
	fmt.Fprintf(&req, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", host, key)
	for name, values := range header {
		for _, v := range values {
			fmt.Fprintf(&req, "%s: %s\r\n", name, v)
		}
	}
	req.WriteString("\r\n")
	if _, err := nc.Write([]byte(req.String())); err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return resp, nil
	}
	switch {
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		return nil, fmt.Errorf("handshake: Upgrade %q", resp.Header.Get("Upgrade"))
	case !strings.EqualFold(resp.Header.Get("Connection"), "upgrade"):
		return nil, fmt.Errorf("handshake: Connection %q", resp.Header.Get("Connection"))
	case resp.Header.Get("Sec-WebSocket-Accept") != proto.AcceptKey(key):
		return nil, fmt.Errorf("handshake: Sec-WebSocket-Accept %q for key %q", resp.Header.Get("Sec-WebSocket-Accept"), key)
	}
	return resp, nil
}

// DialDeflate is Dial for permessage-deflate (RFC 7692): the request
// carries offers, the values of its Sec-WebSocket-Extensions headers, and
// once the server has switched protocols the script compresses by
// params.Client and decompresses by params.Server, which the case derives
// from the offers and the server's terms by the RFC's rules (nil for no
// compression: a frame with RSV1 is then a violation). The steps find
// the server's answer in d.Answer, to check it against params. It
// decompresses the server's compressed messages before the steps see
// them, and ends its reading at a frame that breaks RFC 7692 section 6.1
// or a message that does not decompress within params.
func DialDeflate(addr string, timeout time.Duration, offers []string, params *deflate.Params, script func(*Deflate) []Step) error {
	d := &Deflate{Offer: offers, params: params}
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	resp, err := clientHandshake(nc, br, addr, timeout, http.Header{"Sec-WebSocket-Extensions": offers})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Errorf("handshake: %s, want 101", resp.Status)
	}
	d.Answer = resp.Header.Values("Sec-WebSocket-Extensions")
	return d.run(newSession(nc, br, timeout, AsClient), script)
}
