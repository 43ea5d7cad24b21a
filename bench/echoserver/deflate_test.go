package main

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"testing"
)

func TestNegotiate(t *testing.T) {
	for _, c := range []struct {
		offers []string
		want   string
		p      pmd
	}{
		{[]string{"permessage-deflate"}, "permessage-deflate", pmd{}},
		{[]string{"permessage-deflate; client_max_window_bits"}, "permessage-deflate", pmd{}},
		{[]string{"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover", pmd{true, true}},
		{[]string{"permessage-deflate; client_no_context_takeover"}, "permessage-deflate; client_no_context_takeover", pmd{false, true}},
		{[]string{"permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=15"},
			"permessage-deflate; server_max_window_bits=15", pmd{}},
		{[]string{"x-webkit-deflate-frame", "permessage-deflate; client_max_window_bits=\"12\""}, "permessage-deflate", pmd{}},
		{[]string{"permessage-deflate; client_max_window_bits=16"}, "", pmd{}},
		{[]string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, "", pmd{}},
		{[]string{"permessage-deflate; mystery"}, "", pmd{}},
		{nil, "", pmd{}},
	} {
		got, p := negotiate(c.offers)
		if got != c.want || p != c.p {
			t.Errorf("negotiate(%q) = %q, %+v; want %q, %+v", c.offers, got, p, c.want, c.p)
		}
	}
}

// TestDeflater sends messages compressed by a client that keeps (or
// not) its context through the server's inflate, and checks the
// server's compressed echoes by inflating all of them as one stream, as
// a client with context takeover does.
func TestDeflater(t *testing.T) {
	for _, p := range []pmd{{}, {serverNoContext: true, clientNoContext: true}} {
		t.Run(fmt.Sprintf("%+v", p), func(t *testing.T) {
			d := &deflater{pmd: p}
			var wire bytes.Buffer
			client, _ := flate.NewWriter(&wire, flate.BestSpeed)
			var echoes, sent []byte
			for i := range 40 {
				msg := bytes.Repeat(fmt.Appendf(nil, `{"id":%d,"name":"record %d"},`, i, i%7), 1+i*37)
				sent = append(sent, msg...)
				if p.clientNoContext {
					client.Reset(&wire)
				}
				wire.Reset()
				client.Write(msg)
				client.Flush()
				z, ok := bytes.CutSuffix(wire.Bytes(), syncTail)
				if !ok {
					t.Fatal("client flush without a sync marker")
				}
				got, err := d.inflate(z)
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("message %d: inflated %d bytes (%v), sent %d", i, len(got), err, len(msg))
				}
				f, err := d.frame(opText, got)
				if err != nil {
					t.Fatal(err)
				}
				if f[0] != 0x80|0x40|opText {
					t.Fatalf("echo %d: first byte %#x, want FIN, RSV1 and text", i, f[0])
				}
				payload := f[2:]
				switch f[1] {
				case 126:
					payload = f[4:]
				case 127:
					payload = f[10:]
				}
				if len(payload) >= len(msg) && len(msg) > 100 {
					t.Errorf("echo %d: %d bytes compressed for %d", i, len(payload), len(msg))
				}
				if p.serverNoContext {
					// each echo is a stream of its own
					r := flate.NewReader(io.MultiReader(bytes.NewReader(payload), bytes.NewReader(readTail)))
					if b, err := io.ReadAll(r); err != nil || !bytes.Equal(b, msg) {
						t.Fatalf("echo %d alone: %d bytes (%v)", i, len(b), err)
					}
				}
				echoes = append(append(echoes, payload...), syncTail...)
			}
			if p.serverNoContext {
				return
			}
			all, err := io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(echoes), bytes.NewReader(readTail[4:]))))
			if err != nil || !bytes.Equal(all, sent) {
				t.Fatalf("echoes inflated as one stream: %d bytes (%v), sent %d", len(all), err, len(sent))
			}
		})
	}
}
