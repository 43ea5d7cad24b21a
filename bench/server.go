package main

import (
	"bufio"
	"io"
	"net"

	gobwas "github.com/gobwas/ws"
)

// The server every client is measured against: one neutral
// implementation (gobwas/ws's low-level API over a buffered reader) so
// that the figures differ only by client.

// serve accepts connections on ln and runs mode on each: "echo" echoes
// messages, "blast" writes burst over and over, "sink" reads count
// messages and then answers with one byte.
type serverMode struct {
	name  string
	burst []byte
	count int
}

func serve(ln net.Listener, m serverMode) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			if _, err := gobwas.Upgrade(nc); err != nil {
				return
			}
			br := bufio.NewReaderSize(nc, 64<<10)
			switch m.name {
			case "echo":
				echo(br, nc)
			case "blast":
				for {
					if _, err := nc.Write(m.burst); err != nil {
						return
					}
				}
			case "sink":
				var buf []byte
				for {
					for range m.count {
						_, p, err := readFrame(br, buf)
						if err != nil {
							return
						}
						buf = p
					}
					if gobwas.WriteFrame(nc, gobwas.NewBinaryFrame([]byte{1})) != nil {
						return
					}
				}
			}
		}()
	}
}

// readFrame reads one client frame into buf and unmasks it.
func readFrame(r io.Reader, buf []byte) (gobwas.Header, []byte, error) {
	h, err := gobwas.ReadHeader(r)
	if err != nil {
		return h, nil, err
	}
	if int64(cap(buf)) < h.Length {
		buf = make([]byte, h.Length)
	}
	buf = buf[:h.Length]
	if _, err := io.ReadFull(r, buf); err != nil {
		return h, nil, err
	}
	if h.Masked {
		gobwas.Cipher(buf, h.Mask, 0)
	}
	return h, buf, nil
}

func echo(br *bufio.Reader, nc net.Conn) {
	var buf []byte
	for {
		h, p, err := readFrame(br, buf)
		if err != nil {
			return
		}
		buf = p
		switch h.OpCode {
		case gobwas.OpClose:
			gobwas.WriteFrame(nc, gobwas.NewCloseFrame(p))
			return
		case gobwas.OpPing:
			h.OpCode = gobwas.OpPong
		case gobwas.OpPong:
			continue
		}
		h.Masked = false
		if gobwas.WriteHeader(nc, h) != nil {
			return
		}
		if _, err := nc.Write(p); err != nil {
			return
		}
	}
}
