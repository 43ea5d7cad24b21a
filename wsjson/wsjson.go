// Package wsjson sends and receives JSON values as WebSocket messages
// over a ws.Conn, one value per message, without holding a message twice:
// Recv decodes a message as it arrives (ws.Conn.RecvReader) and Send
// encodes into a pooled buffer that the message is sent from.
package wsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hackney-go/ws"
)

// Send encodes v as JSON (encoding/json's Marshal rules) and sends it as
// one text message, bounded as Conn.Send is. A value that does not encode
// sends nothing.
func Send(c *ws.Conn, v any) error {
	b := buffers.Get().(*bytes.Buffer)
	defer put(b)
	b.Reset()
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return fmt.Errorf("wsjson: %w", err)
	}
	// Encode ends the value with a newline, which the message does not
	// need: the message is the value's frame.
	return c.Send(ws.Text(bytes.TrimSuffix(b.Bytes(), []byte("\n"))))
}

// buffers holds Send's encoding buffers; one that a large value grew past
// maxKept is left to the garbage collector.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxKept = 1 << 20

func put(b *bytes.Buffer) {
	if b.Cap() <= maxKept {
		buffers.Put(b)
	}
}

// Recv receives the next message, text or binary, in passive mode and
// decodes it as one JSON value into v (encoding/json's Unmarshal rules),
// as the message arrives, bounded as Conn.RecvReader is. A message that
// is not one JSON value, with nothing but white space after it, is an
// error and the Conn stays usable: its rest is dropped by the next Recv.
func Recv(c *ws.Conn, v any) error {
	_, r, err := c.RecvReader()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return fmt.Errorf("wsjson: the message ends before its JSON value: %w", err)
		}
		return fmt.Errorf("wsjson: %w", err)
	}
	// Nothing may follow the value; reading to the end also ends the
	// message for the Conn.
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("wsjson: data after the JSON value")
		}
		return fmt.Errorf("wsjson: after the JSON value: %w", err)
	}
	return nil
}
