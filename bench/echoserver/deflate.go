package main

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"strconv"
	"strings"
)

// window is the largest LZ77 window of permessage-deflate (RFC 7692
// section 7.1.2): compress/flate always uses it, so the server declines
// an offer that asks it to compress with a smaller one.
const window = 1 << 15

// syncTail ends a message compressed with a sync flush; the sender strips
// it and the receiver appends it again (RFC 7692 sections 7.2.1, 7.2.2).
// readTail appends to it a final empty stored block, so that a flate
// reader ends at the end of the message with io.EOF instead of waiting
// for more blocks.
var (
	syncTail = []byte{0, 0, 0xff, 0xff}
	readTail = []byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff}
)

// pmd is what the server agreed to in the handshake.
type pmd struct {
	// serverNoContext: every echo is compressed on its own, as the client
	// asked with server_no_context_takeover.
	serverNoContext bool
	// clientNoContext: the client said, with client_no_context_takeover,
	// that it compresses every message on its own, so that no window of
	// its messages is kept here.
	clientNoContext bool
}

// negotiate picks the first permessage-deflate offer among the values of
// Sec-WebSocket-Extensions it can accept (RFC 7692 section 5) and returns
// the response's extension value, or "" to decline them all. It keeps
// context takeover both ways unless the client asks otherwise, agrees to
// whatever no_context_takeover the client offers (gorilla requires its
// own offer echoed), and answers client_max_window_bits with nothing:
// the client may then use the full window, which its inflater here has.
func negotiate(values []string) (string, pmd) {
	for _, v := range values {
		for offer := range strings.SplitSeq(v, ",") {
			if resp, p, ok := acceptOffer(offer); ok {
				return resp, p
			}
		}
	}
	return "", pmd{}
}

func acceptOffer(offer string) (string, pmd, bool) {
	params := strings.Split(offer, ";")
	if !strings.EqualFold(strings.TrimSpace(params[0]), "permessage-deflate") {
		return "", pmd{}, false
	}
	var p pmd
	resp := "permessage-deflate"
	seen := map[string]bool{}
	for _, param := range params[1:] {
		name, value, hasValue := strings.Cut(strings.TrimSpace(param), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.Trim(strings.TrimSpace(value), `"`)
		if seen[name] {
			return "", pmd{}, false // section 7: a parameter at most once
		}
		seen[name] = true
		switch name {
		case "server_no_context_takeover":
			p.serverNoContext = true
			resp += "; server_no_context_takeover"
		case "client_no_context_takeover":
			p.clientNoContext = true
			resp += "; client_no_context_takeover"
		case "server_max_window_bits":
			if value != "15" {
				return "", pmd{}, false // compress/flate cannot shrink its window
			}
			resp += "; server_max_window_bits=15"
		case "client_max_window_bits":
			if bits, err := strconv.Atoi(value); hasValue && (err != nil || bits < 8 || bits > 15) {
				return "", pmd{}, false
			}
		default:
			return "", pmd{}, false
		}
	}
	return resp, p, true
}

// deflater compresses the echoes and inflates the client's messages of
// one connection. Its compressor, kept between messages for context
// takeover, is made at the first message: it weighs about 1 MB.
type deflater struct {
	pmd
	fw   *flate.Writer
	out  sink // headroom for the frame header, then the compressed echo
	fr   io.ReadCloser
	src  bytes.Reader
	zin  []byte // a compressed message with readTail
	in   []byte // the message inflated
	dict []byte // the last window bytes the client sent, for context takeover
}

type sink struct{ b []byte }

func (s *sink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

var errInflate = errors.New("bad compressed message")

// inflate returns the message the client compressed into z. The flate
// reader is reset for each message, with the client's last window as its
// dictionary unless the client takes no context over: resuming the
// stream itself would need the next message's bytes before the reader
// returns this one's.
func (d *deflater) inflate(z []byte) ([]byte, error) {
	d.zin = append(append(d.zin[:0], z...), readTail...)
	d.src.Reset(d.zin)
	var dict []byte
	if !d.clientNoContext {
		dict = d.dict
	}
	if d.fr == nil {
		d.fr = flate.NewReaderDict(&d.src, dict)
	} else if err := d.fr.(flate.Resetter).Reset(&d.src, dict); err != nil {
		return nil, err
	}
	d.in = d.in[:0]
	for {
		if len(d.in) == cap(d.in) {
			d.in = append(d.in, 0)[:len(d.in)]
		}
		n, err := d.fr.Read(d.in[len(d.in):cap(d.in)])
		d.in = d.in[:len(d.in)+n]
		if len(d.in) > maxMessage {
			return nil, errProtocol
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.Join(errInflate, err)
		}
	}
	if !d.clientNoContext {
		if len(d.in) >= window {
			d.dict = append(d.dict[:0], d.in[len(d.in)-window:]...)
		} else {
			d.dict = append(d.dict, d.in...)
			if drop := len(d.dict) - window; drop > 0 {
				d.dict = append(d.dict[:0], d.dict[drop:]...)
			}
		}
	}
	return d.in, nil
}

// frame compresses p into one final frame with RSV1 set (RFC 7692
// section 6) and returns it, ready to write.
func (d *deflater) frame(opcode byte, p []byte) ([]byte, error) {
	d.out.b = append(d.out.b[:0], make([]byte, headroom)...)
	if d.fw == nil {
		d.fw, _ = flate.NewWriter(&d.out, flate.BestSpeed) // no error at a valid level
	} else if d.serverNoContext {
		d.fw.Reset(&d.out)
	}
	if _, err := d.fw.Write(p); err != nil {
		return nil, err
	}
	if err := d.fw.Flush(); err != nil {
		return nil, err
	}
	z, ok := bytes.CutSuffix(d.out.b, syncTail)
	if !ok {
		return nil, errors.New("flush did not end with a sync marker")
	}
	start := putHeader(z[:headroom], opcode, len(z)-headroom)
	z[start] |= 0x40 // RSV1: compressed
	return z[start:], nil
}
