package main

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
)

// The key every Sec-WebSocket-Accept is derived from (RFC 6455 section 1.3).
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

var errBadUpgrade = errors.New("not a WebSocket upgrade request")

// upgrade reads the client's opening handshake and answers it with 101
// (RFC 6455 section 4.2): no subprotocol, and no extension but
// permessage-deflate when the client offers it (RFC 7692). It returns the
// connection's deflater, nil when none was agreed: then every client
// speaks plain RFC 6455 frames.
func upgrade(br *bufio.Reader, w io.Writer) (*deflater, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(line, []byte("GET ")) {
		return nil, refuse(w)
	}
	var key []byte
	var isUpgrade, v13 bool
	var extensions []string
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return nil, refuse(w)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Key")):
			key = append([]byte(nil), value...)
		case bytes.EqualFold(name, []byte("Upgrade")):
			isUpgrade = bytes.EqualFold(value, []byte("websocket"))
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Version")):
			v13 = string(value) == "13"
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Extensions")):
			extensions = append(extensions, string(value))
		}
	}
	if len(key) == 0 || !isUpgrade || !v13 {
		return nil, refuse(w)
	}
	sum := sha1.Sum(append(key, acceptGUID...))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n"
	var d *deflater
	if ext, p := negotiate(extensions); ext != "" {
		d = &deflater{pmd: p}
		resp += "Sec-WebSocket-Extensions: " + ext + "\r\n"
	}
	_, err = io.WriteString(w, resp+"\r\n")
	return d, err
}

func refuse(w io.Writer) error {
	io.WriteString(w, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
	return errBadUpgrade
}
