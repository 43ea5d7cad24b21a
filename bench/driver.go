package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// driverConn is the one client of the server-side workloads (S1 to S7),
// the same whichever server it drives: RFC 6455 over net with the
// standard library only, favouring none of the libraries under test.
//
// It keeps its own cost out of the server's way: a message it sends is
// framed and masked once, then the same bytes are written every time it
// is sent again (a masking key per connection rather than per frame:
// the server unmasks the same way whatever the key). It reads through a
// 64 KiB buffer, joins fragments, answers pings and keeps no goroutine
// for an idle connection (a server-side workload measures the server).
type driverConn struct {
	nc  net.Conn
	br  *bufio.Reader
	key [4]byte
	op  byte // opcode of the messages it sends

	mu    sync.Mutex // serializes writes: a pong may race a message
	frame []byte     // the last message sent, framed and masked
	sent  []byte     // the payload frame was built from

	buf []byte // the message being received
}

// Opcodes of RFC 6455 section 5.2.
const (
	opCont   = 0x0
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

// driverTimeout bounds the handshake and the closing handshake.
const driverTimeout = 10 * time.Second

// websocketGUID is the GUID of RFC 6455 section 1.3.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

func dialDriver(d dialSpec) (conn, error) {
	if d.compress {
		return nil, errors.New("the driver does not compress")
	}
	nc, err := net.DialTimeout("tcp", d.addr, driverTimeout)
	if err != nil {
		return nil, err
	}
	c := &driverConn{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), op: opBinary}
	if d.text {
		c.op = opText
	}
	if err := c.handshake(d.addr); err != nil {
		nc.Close()
		return nil, err
	}
	rand.Read(c.key[:])
	return c, nil
}

// handshake is the opening handshake of section 4.1.
func (c *driverConn) handshake(host string) error {
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	c.nc.SetDeadline(time.Now().Add(driverTimeout))
	defer c.nc.SetDeadline(time.Time{})
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c.nc, req); err != nil {
		return err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return err
	}
	sum := sha1.Sum([]byte(key + websocketGUID))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		return fmt.Errorf("handshake refused: %s", resp.Status)
	}
	return nil
}

// appendFrame appends a final frame of op with p, masked with key.
func appendFrame(b []byte, op byte, key [4]byte, p []byte) []byte {
	b = append(b, 0x80|op)
	switch n := len(p); {
	case n <= 125:
		b = append(b, 0x80|byte(n))
	case n <= 0xFFFF:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = append(b, key[:]...)
	start := len(b)
	b = append(b, p...)
	for i := range p {
		b[start+i] ^= key[i&3]
	}
	return b
}

func (c *driverConn) send(p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frame == nil || len(p) != len(c.sent) || len(p) > 0 && &p[0] != &c.sent[0] {
		c.frame = appendFrame(c.frame[:0], c.op, c.key, p)
		c.sent = p
	}
	_, err := c.nc.Write(c.frame)
	return err
}

func (c *driverConn) control(op byte, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.nc.Write(appendFrame(nil, op, c.key, p))
	return err
}

func (c *driverConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, c.recv)
}

// errServerClosed is the server's close frame, where a message was due.
var errServerClosed = errors.New("the server closed the connection")

// recv returns the next message, its fragments joined.
func (c *driverConn) recv() ([]byte, error) {
	c.buf = c.buf[:0]
	for {
		fin, op, n, err := c.header()
		if err != nil {
			return nil, err
		}
		if op >= opClose {
			p := make([]byte, n)
			if _, err := io.ReadFull(c.br, p); err != nil {
				return nil, err
			}
			switch op {
			case opPing:
				if err := c.control(opPong, p); err != nil {
					return nil, err
				}
			case opClose:
				return nil, errServerClosed
			}
			continue
		}
		start := len(c.buf)
		c.buf = slices.Grow(c.buf, n)[:start+n]
		if _, err := io.ReadFull(c.br, c.buf[start:]); err != nil {
			return nil, err
		}
		if fin {
			return c.buf, nil
		}
	}
}

// header reads a frame header: a server's frames are never masked
// (section 5.1).
func (c *driverConn) header() (fin bool, op byte, n int, err error) {
	var h [2]byte
	if _, err = io.ReadFull(c.br, h[:]); err != nil {
		return
	}
	fin, op, n = h[0]&0x80 != 0, h[0]&0x0F, int(h[1]&0x7F)
	if h[1]&0x80 != 0 {
		return fin, op, n, errors.New("masked frame from the server")
	}
	var ext [8]byte
	switch n {
	case 126:
		_, err = io.ReadFull(c.br, ext[:2])
		n = int(binary.BigEndian.Uint16(ext[:2]))
	case 127:
		_, err = io.ReadFull(c.br, ext[:])
		n = int(binary.BigEndian.Uint64(ext[:]))
	}
	return
}

// idle does nothing: the server of a server-side workload sends nothing
// unasked, and its memory, not the driver's, is measured.
func (c *driverConn) idle() {}

// close sends a close frame (1000), reads until the server's, then until
// the server closes TCP, which section 7.1.1 asks the server to do first.
func (c *driverConn) close() error {
	defer c.nc.Close()
	c.nc.SetDeadline(time.Now().Add(driverTimeout))
	if err := c.control(opClose, []byte{0x03, 0xE8}); err != nil {
		return err
	}
	for {
		if _, err := c.recv(); err == errServerClosed {
			break
		} else if err != nil {
			return err
		}
	}
	_, err := io.Copy(io.Discard, c.br)
	return err
}
