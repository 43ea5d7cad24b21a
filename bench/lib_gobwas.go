package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"net"

	"github.com/gobwas/httphead"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	"github.com/gobwas/ws/wsutil"
)

// gobwasConn uses gobwas/ws with wsutil's Reader and Writer, the
// allocation-free path of its README (the wsutil.ReadServerData and
// WriteClientMessage helpers allocate or copy every message): a
// wsutil.Writer buffers a frame and writes it in one call, a
// wsutil.Reader reads frames from a 4 KiB bufio.Reader (the size
// gorilla's and gws's buffers have) into a reused buffer, and control
// frames go to wsutil.ControlFrameHandler.
//
// Compression follows wsflate's README for wsutil: wsflate.DefaultParameters
// offered (no context takeover both ways, all wsflate's Reader and Writer
// do, being reset for every message), a wsflate.Reader and Writer over
// compress/flate, and wsflate.MessageState as the extension of the
// wsutil Reader and Writer, one for each so that reading and writing do
// not share it. The README's example compresses at level 9; here level 1,
// BestSpeed, the level of every other library.
type gobwasConn struct {
	nc  net.Conn
	r   *wsutil.Reader
	w   *wsutil.Writer
	ctl wsutil.FrameHandlerFunc
	buf bytes.Buffer
	// Compression, nil fr and fw without.
	fr                *wsflate.Reader
	fw                *wsflate.Writer
	inState, outState wsflate.MessageState
}

func dialGobwas(d dialSpec) (conn, error) {
	var dialer ws.Dialer
	if d.compress {
		dialer.Extensions = []httphead.Option{wsflate.DefaultParameters.Option()}
	}
	nc, br, hs, err := dialer.Dial(context.Background(), d.url())
	if err != nil {
		return nil, err
	}
	if d.compress && !gobwasDeflate(hs.Extensions) {
		nc.Close()
		return nil, errNoDeflate
	}
	src := io.Reader(br) // what the server sent after its response, and the rest
	if br == nil {
		src = bufio.NewReaderSize(nc, 4<<10)
	}
	op := ws.OpBinary
	if d.text {
		op = ws.OpText
	}
	ctl := wsutil.ControlFrameHandler(nc, ws.StateClientSide)
	c := &gobwasConn{
		nc:  nc,
		r:   &wsutil.Reader{Source: src, State: ws.StateClientSide, OnIntermediate: ctl},
		w:   wsutil.NewWriter(nc, ws.StateClientSide, op),
		ctl: ctl,
	}
	if d.compress {
		c.r.State |= ws.StateExtended
		c.r.Extensions = []wsutil.RecvExtension{&c.inState}
		c.w = wsutil.NewWriter(nc, ws.StateClientSide|ws.StateExtended, op)
		c.w.SetExtensions(&c.outState)
		c.outState.SetCompressed(true)
		c.fr = wsflate.NewReader(nil, func(r io.Reader) wsflate.Decompressor { return flate.NewReader(r) })
		c.fw = wsflate.NewWriter(nil, func(w io.Writer) wsflate.Compressor {
			f, _ := flate.NewWriter(w, flate.BestSpeed) // no error at a valid level
			return f
		})
	}
	return c, nil
}

// gobwasDeflate reports whether the server accepted the offer of
// wsflate.DefaultParameters.
func gobwasDeflate(accepted []httphead.Option) bool {
	for _, opt := range accepted {
		var p wsflate.Parameters
		if p.Parse(opt) == nil && p.ServerNoContextTakeover && p.ClientNoContextTakeover {
			return true
		}
	}
	return false
}

func (c *gobwasConn) send(p []byte) error {
	if c.fw == nil {
		if _, err := c.w.Write(p); err != nil {
			return err
		}
		return c.w.Flush()
	}
	c.fw.Reset(c.w)
	if _, err := c.fw.Write(p); err != nil {
		return err
	}
	if err := c.fw.Close(); err != nil {
		return err
	}
	return c.w.Flush()
}

func (c *gobwasConn) serve(start func() error, h func([]byte) bool) error {
	return serveLoop(start, h, c.recv)
}

func (c *gobwasConn) recv() ([]byte, error) {
	for {
		hdr, err := c.r.NextFrame()
		if err != nil {
			return nil, err
		}
		if hdr.OpCode.IsControl() {
			if err := c.ctl(hdr, c.r); err != nil {
				return nil, err
			}
			continue
		}
		c.buf.Reset()
		if c.fr != nil && c.inState.IsCompressed() {
			c.fr.Reset(c.r)
			_, err = c.buf.ReadFrom(c.fr)
		} else {
			_, err = c.buf.ReadFrom(c.r)
		}
		return c.buf.Bytes(), err
	}
}

func (c *gobwasConn) idle() { go c.serve(nil, discard) }

// close sends a close frame and reads until the server's.
func (c *gobwasConn) close() error {
	defer c.nc.Close()
	body := ws.NewCloseFrameBody(ws.StatusNormalClosure, "")
	if err := ws.WriteFrame(c.nc, ws.MaskFrameInPlace(ws.NewCloseFrame(body))); err != nil {
		return err
	}
	for {
		hdr, err := c.r.NextFrame()
		if err != nil {
			return err
		}
		if hdr.OpCode == ws.OpClose {
			return nil
		}
		if err := c.r.Discard(); err != nil {
			return err
		}
	}
}

// gobwasBatchConn is gobwasConn batching as ws's SendAll does: the frames
// of a batch go through a wsutil.Writer into a bufio.Writer that holds
// them all, flushed once, one write per batch. Measured in W2-batch only
// ("gobwas-batch"), so that ws's batch is compared with a peer's.
type gobwasBatchConn struct {
	*gobwasConn
	bw    *bufio.Writer
	frame *wsutil.Writer // writes each frame into bw
}

// batchBuffer holds a batch of 64 frames of up to 1 KiB.
const batchBuffer = 64 << 10

func dialGobwasBatch(d dialSpec) (conn, error) {
	c, err := dialGobwas(d)
	if err != nil {
		return nil, err
	}
	g := c.(*gobwasConn)
	op := ws.OpBinary
	if d.text {
		op = ws.OpText
	}
	bw := bufio.NewWriterSize(g.nc, batchBuffer)
	return &gobwasBatchConn{gobwasConn: g, bw: bw, frame: wsutil.NewWriter(bw, ws.StateClientSide, op)}, nil
}

// sendBatch sends p n times in one write.
func (c *gobwasBatchConn) sendBatch(p []byte, n int) error {
	for range n {
		if _, err := c.frame.Write(p); err != nil {
			return err
		}
		if err := c.frame.Flush(); err != nil {
			return err
		}
	}
	return c.bw.Flush()
}
