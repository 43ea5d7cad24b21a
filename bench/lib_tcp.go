package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
)

// tcpConn is the floor: the same payload bytes over plain TCP, one write
// per message and reads from a 4 KiB bufio.Reader, against the raw echo,
// which reads and returns messages whole as the WebSocket echo does.
type tcpConn struct {
	nc  *net.TCPConn
	br  *bufio.Reader
	buf []byte
}

func dialTCP(d dialSpec) (conn, error) {
	nc, err := net.Dial("tcp", d.addr)
	if err != nil {
		return nil, err
	}
	var size [4]byte // the raw echo's only setup: the message size
	binary.BigEndian.PutUint32(size[:], uint32(d.size))
	if _, err := nc.Write(size[:]); err != nil {
		nc.Close()
		return nil, err
	}
	return &tcpConn{nc: nc.(*net.TCPConn), br: bufio.NewReaderSize(nc, 4<<10), buf: make([]byte, d.size)}, nil
}

func (c *tcpConn) send(p []byte) error {
	_, err := c.nc.Write(p)
	return err
}

func (c *tcpConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, func() ([]byte, error) {
		_, err := io.ReadFull(c.br, c.buf)
		return c.buf, err
	})
}

func (c *tcpConn) idle() { go c.serve(nil, discard) }

// close half-closes, waits for the server's end of the stream, then
// closes: TCP's own closing handshake.
func (c *tcpConn) close() error {
	defer c.nc.Close()
	if err := c.nc.CloseWrite(); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, c.br)
	return err
}

// tcpBatchConn is the floor batching: a batch of messages goes through a
// bufio.Writer that holds them all, flushed once, one write per batch.
// Measured in W2-batch only ("tcp-batch").
type tcpBatchConn struct {
	*tcpConn
	bw *bufio.Writer
}

func dialTCPBatch(d dialSpec) (conn, error) {
	c, err := dialTCP(d)
	if err != nil {
		return nil, err
	}
	t := c.(*tcpConn)
	return &tcpBatchConn{tcpConn: t, bw: bufio.NewWriterSize(t.nc, batchBuffer)}, nil
}

// sendBatch sends p n times in one write.
func (c *tcpBatchConn) sendBatch(p []byte, n int) error {
	for range n {
		if _, err := c.bw.Write(p); err != nil {
			return err
		}
	}
	return c.bw.Flush()
}
