package conformance

import (
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/proto"
)

// DeflateAnswer is how a server started with ServeDeflate answers the
// client's offer of permessage-deflate (RFC 7692).
type DeflateAnswer struct {
	// Header is the value of the response's Sec-WebSocket-Extensions
	// header, written as it is, broken or not; "" for no such header.
	Header string
	// Params are the parameters the server then uses, which the case
	// derives from Header by the RFC's rules: the server compresses with
	// Params.Server and decompresses with Params.Client. Nil when Header
	// agrees to no compression: a client frame with RSV1 is then a
	// violation.
	Params *deflate.Params
}

// Deflate is the script's end of one connection of ServeDeflate or
// DialDeflate: the handshake's extension headers, and the compression
// state of what the script sends, which its Send steps use in the order
// they run.
type Deflate struct {
	// Offer holds the values of the client's Sec-WebSocket-Extensions
	// request headers, set before the first step runs: what the code
	// under test offered (ServeDeflate), or what the script did
	// (DialDeflate).
	Offer []string
	// Answer holds the values of the server's Sec-WebSocket-Extensions
	// response headers: the script's (ServeDeflate), or what the code
	// under test answered (DialDeflate).
	Answer []string

	params *deflate.Params
	// send and recv are the settings the script compresses and
	// decompresses with: the server's and the client's, or the other way
	// round when the script plays the client.
	send, recv deflate.Settings
	// The script compresses and decompresses with the standard library,
	// an implementation the code under test never uses, at the full
	// window; with a smaller one, which the standard library cannot keep
	// to or enforce, with internal/deflate.
	std  *flate.Writer
	out  bytes.Buffer
	comp *deflate.Compressor
	dec  *deflate.Decompressor
	// dict is the window the standard library's decoder starts from: the
	// last 32 KiB of the peer's messages, under context takeover.
	dict []byte
}

// ServeDeflate is Serve for permessage-deflate: the server answers the
// opening handshake with answer, then runs the steps that script returns
// for the connection. It decompresses the client's compressed messages
// before the steps see them, keeping the headers of their frames as sent
// (RSV1 included), and ends its reading of the connection with an error,
// which the steps waiting for the client see, at a frame that breaks RFC
// 7692 section 6.1 or a message that does not decompress within
// answer.Params.
func ServeDeflate(timeout time.Duration, answer DeflateAnswer, script func(*Deflate) []Step) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, done: make(chan struct{})}
	go s.serveOne(func(nc net.Conn) error { return runDeflate(nc, timeout, answer, script) })
	return s, nil
}

// runDeflate is runScript with permessage-deflate.
func runDeflate(nc net.Conn, timeout time.Duration, answer DeflateAnswer, script func(*Deflate) []Step) error {
	defer nc.Close()
	br := bufio.NewReader(nc)
	d := &Deflate{params: answer.Params}
	if err := d.handshake(nc, br, timeout, answer.Header); err != nil {
		return err
	}
	return d.run(newSession(nc, br, timeout, AsServer), script)
}

// run sets up the compression of the params agreed for s's role and runs
// the script.
func (d *Deflate) run(s *Session, script func(*Deflate) []Step) error {
	if p := d.params; p != nil {
		d.send, d.recv = p.Server, p.Client
		if s.role == AsClient {
			d.send, d.recv = p.Client, p.Server
		}
		if d.send.WindowBits == deflate.MaxWindowBits {
			d.std, _ = flate.NewWriter(&d.out, flate.DefaultCompression)
		} else {
			d.comp = deflate.NewCompressor(d.send)
		}
		if d.recv.WindowBits != deflate.MaxWindowBits {
			d.dec = deflate.NewDecompressor(d.recv, maxReceive)
		}
	}
	defer func() {
		if d.comp != nil {
			d.comp.Release()
		}
		if d.dec != nil {
			d.dec.Release()
		}
	}()
	// The session's reader ends before run returns, and with it the use
	// of d.dec.
	return runSession(s, d.read, script(d))
}

// handshake answers the client's opening handshake with 101 and the
// extension header, keeping the client's offer. The request's other
// headers are the plain server's to check.
func (d *Deflate) handshake(nc net.Conn, br *bufio.Reader, timeout time.Duration, extensions string) error {
	nc.SetDeadline(time.Now().Add(timeout))
	defer nc.SetDeadline(time.Time{})
	r, err := http.ReadRequest(br)
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	d.Offer = r.Header.Values("Sec-WebSocket-Extensions")
	if extensions != "" {
		d.Answer = []string{extensions}
	}
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + proto.AcceptKey(r.Header.Get("Sec-WebSocket-Key")) + "\r\n"
	if extensions != "" {
		resp += "Sec-WebSocket-Extensions: " + extensions + "\r\n"
	}
	_, err = io.WriteString(nc, resp+"\r\n")
	return err
}

// rsv1 is RSV1 in a Frame's or Header's Rsv: the "Per-Message Compressed"
// bit (RFC 7692 section 6).
const rsv1 = 4

// Compressed is a message a Send step compresses and writes.
type Compressed struct {
	Op      proto.Opcode
	Payload []byte
	// FrameSize, unless zero, cuts the compressed payload into frames of
	// that many bytes, the last shorter or as long.
	FrameSize int
	// Between are frames written after the first frame of a message in
	// several: control frames, or whatever a case wants there.
	Between []Frame
	// WriteSize, unless zero, cuts the bytes on the wire into writes of
	// that many bytes.
	WriteSize int
}

// Send compresses m.Payload as the next compressed message of the
// connection (RFC 7692 section 7.2.1) and writes it as m says, RSV1 set
// on its first frame. Its window is the one the server agreed to, taken
// over from the messages before unless the server agreed to
// server_no_context_takeover.
func (d *Deflate) Send(m Compressed) Step {
	return Step{fmt.Sprintf("send %v of %d bytes compressed", m.Op, len(m.Payload)), func(s *Session) error {
		if d.params == nil {
			return fmt.Errorf("no compression was agreed")
		}
		z := d.compress(m.Payload)
		frames := []Frame{Msg(m.Op, z)}
		if m.FrameSize > 0 {
			frames = FragmentsOf(m.Op, z, m.FrameSize)
		}
		frames[0].Rsv = rsv1
		if len(frames) > 1 {
			frames = append(append(frames[:1:1], m.Between...), frames[1:]...)
		}
		b := Wire(frames...)
		if m.WriteSize <= 0 {
			return s.Write(b)
		}
		return Chunked(b, m.WriteSize, 0).Run(s)
	}}
}

// compress returns the payload of a compressed message: the DEFLATE data
// flushed to a byte boundary without its final 00 00 ff ff.
func (d *Deflate) compress(p []byte) []byte {
	if d.comp != nil {
		return d.comp.Append(nil, p, true)
	}
	if d.send.NoContextTakeover {
		d.std.Reset(&d.out)
	}
	d.std.Write(p)
	d.std.Flush()
	z := bytes.Clone(d.out.Bytes())
	d.out.Reset()
	return z[:len(z)-4]
}

// ExpectDeflated is ExpectMessage that also checks whether the client
// sent the message compressed, with RSV1 on its first frame.
func ExpectDeflated(op proto.Opcode, payload []byte, compressed bool) Step {
	return Step{fmt.Sprintf("expect %v of %d bytes, compressed: %t", op, len(payload), compressed), func(s *Session) error {
		r, err := s.take(classData)
		if err != nil {
			return err
		}
		if err := same(r, op, payload); err != nil {
			return err
		}
		if got := r.Headers[0].Rsv&rsv1 != 0; got != compressed {
			return fmt.Errorf("the message came with RSV1 %t, want %t", got, compressed)
		}
		return nil
	}}
}

// read parses the client's frames until the connection ends, as
// Session.read does, decompressing compressed messages.
func (d *Deflate) read(s *Session) {
	defer close(s.readerDone)
	err := d.parse(s)
	if err != errQuit {
		s.emit(Received{Err: err})
	}
}

// parse reads whole frames and checks them with a server's proto.Reader.
// What RFC 7692 changes in RFC 6455's rules it handles itself: RSV1 on the
// first frame of a compressed message is cleared, and a compressed text
// message is passed off as binary, before the Reader sees the frame, so
// that the Reader checks everything else (and does not take compressed
// bytes for UTF-8); the message's payload is then decompressed, and
// checked as UTF-8 if it is text.
func (d *Deflate) parse(s *Session) error {
	rd := proto.Reader{Server: s.role == AsServer, MaxFrame: maxReceive, MaxMessage: maxReceive}
	var (
		data       []proto.Header // the frames of the data message being read
		compressed bool
		op         proto.Opcode // the opcode of a compressed message
	)
	for {
		h, frame, err := readFrame(s.br)
		if err != nil {
			return err
		}
		if h.Rsv&rsv1 != 0 && d.params != nil {
			switch {
			case h.Op.IsControl():
				return &proto.Violation{Code: proto.CloseProtocolError, Reason: "RSV1 on a control frame"}
			case h.Op == proto.OpContinuation:
				return &proto.Violation{Code: proto.CloseProtocolError, Reason: "RSV1 on a continuation frame"}
			}
			frame[0] &^= rsv1 << 4
			if h.Op == proto.OpText {
				frame[0] = frame[0]&^0x0F | byte(proto.OpBinary)
			}
			compressed, op = true, h.Op
		}
		if !h.Op.IsControl() {
			data = append(data, h)
		}
		_, f, ok, err := rd.Next(frame)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if f.Op.IsControl() {
			err = s.emit(Received{Frame: f, Headers: []proto.Header{h}})
		} else {
			if compressed {
				if f, err = d.inflate(op, f.Payload); err != nil {
					return err
				}
			}
			err, data, compressed = s.emit(Received{Frame: f, Headers: data}), nil, false
		}
		if err != nil {
			return err
		}
	}
}

// inflate decompresses the payload of a compressed message of op.
func (d *Deflate) inflate(op proto.Opcode, z []byte) (proto.Frame, error) {
	var p []byte
	var err error
	if d.dec != nil {
		if err = d.dec.Write(z); err == nil {
			p, err = d.dec.Finish(nil)
		}
	} else {
		p, err = d.stdInflate(z)
	}
	if err != nil {
		return proto.Frame{}, err
	}
	if op == proto.OpText && !utf8.Valid(p) {
		return proto.Frame{}, &proto.Violation{Code: proto.CloseInvalidPayload, Reason: "invalid UTF-8 in a compressed text message"}
	}
	return proto.Frame{Op: op, Payload: p}, nil
}

// stdInflate decompresses a message with the standard library's decoder
// (RFC 7692 section 7.2.2), from the window of the messages before unless
// the client agreed to client_no_context_takeover.
func (d *Deflate) stdInflate(z []byte) ([]byte, error) {
	// After the 00 00 ff ff of section 7.2.2, an empty final block ends
	// the stream for the decoder.
	in := io.MultiReader(bytes.NewReader(z), bytes.NewReader([]byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}))
	p, err := io.ReadAll(io.LimitReader(flate.NewReaderDict(in, d.dict), maxReceive+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("permessage-deflate: the message does not decompress: %w", err)
	case len(p) > maxReceive:
		return nil, &proto.Violation{Code: proto.CloseMessageTooBig, Reason: "decompressed message over the server's limit"}
	}
	if !d.recv.NoContextTakeover {
		d.dict = append(d.dict, p...)
		if over := len(d.dict) - 1<<deflate.MaxWindowBits; over > 0 {
			d.dict = bytes.Clone(d.dict[over:])
		}
	}
	return p, nil
}

// readFrame reads one whole frame, header and payload, as it came.
func readFrame(br *bufio.Reader) (proto.Header, []byte, error) {
	for n := 2; ; n++ {
		b, err := br.Peek(n)
		if err != nil {
			return proto.Header{}, nil, err
		}
		h, hn, err := proto.ParseHeader(b)
		if err != nil {
			return h, nil, err
		}
		if hn == 0 {
			continue
		}
		if h.Length > maxReceive {
			return h, nil, &proto.Violation{Code: proto.CloseMessageTooBig, Reason: "frame over the server's limit"}
		}
		frame := make([]byte, hn+int(h.Length))
		_, err = io.ReadFull(br, frame)
		return h, frame, err
	}
}
