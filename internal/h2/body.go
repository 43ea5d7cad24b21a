package h2

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// readChunk is the size of what a body reader takes from the HTTP/2
// stream at a time: a DATA frame's default maximum would be 16 KiB, but
// every idle Conn holds one chunk.
const readChunk = 8 << 10

// bodyReader reads an HTTP/2 stream's incoming DATA frames (a body, the
// client's response or the server's request) for a net.Conn's Read,
// with a socket's deadline. A body's Read cannot be interrupted but by
// closing it for good, so a goroutine of its own reads it and hands over
// one chunk at a time, waiting for it to be taken before reading again:
// so flow-control credit goes back only for what the Conn took, and a
// Conn that does not read holds back its own stream alone.
//
// Its waits: a read waits for a chunk until the deadline (rdl) or the
// owner's close; the goroutine waits on the body, which close unblocks by
// closing it, and on a read to take its chunk, until the owner's close.
type bodyReader struct {
	body    io.ReadCloser
	closed  <-chan struct{} // the owner's: closed before close is called
	readErr func(error) error
	in      chan chunk
	more    chan struct{}
	ended   atomic.Bool // the peer's END_STREAM was read
	wg      sync.WaitGroup

	rmu    sync.Mutex // serializes read; guards cur and curErr
	cur    []byte
	curErr error
	rdl    deadline
}

type chunk struct {
	b   []byte
	err error
}

// start reads body until it ends or the owner closes; readErr maps the
// body's error to the one read reports.
func (b *bodyReader) start(body io.ReadCloser, closed <-chan struct{}, readErr func(error) error) {
	b.body, b.closed, b.readErr = body, closed, readErr
	b.in = make(chan chunk)
	b.more = make(chan struct{}, 1)
	b.wg.Add(1)
	go b.run()
}

func (b *bodyReader) run() {
	defer b.wg.Done()
	buf := make([]byte, readChunk)
	for {
		n, err := b.body.Read(buf)
		if errors.Is(err, io.EOF) {
			b.ended.Store(true)
		}
		select {
		case b.in <- chunk{buf[:n], err}:
		case <-b.closed:
			return
		}
		if err != nil {
			return
		}
		select {
		case <-b.more:
		case <-b.closed:
			return
		}
	}
}

// read reads the peer's data, as a socket's Read.
func (b *bodyReader) read(p []byte) (int, error) {
	b.rmu.Lock()
	defer b.rmu.Unlock()
	for {
		select {
		case <-b.closed:
			return 0, net.ErrClosed
		default:
		}
		if b.rdl.passed() {
			return 0, os.ErrDeadlineExceeded
		}
		if len(b.cur) > 0 || b.curErr != nil {
			n := copy(p, b.cur)
			b.cur = b.cur[n:]
			if len(b.cur) > 0 {
				return n, nil
			}
			if b.curErr != nil {
				return n, b.curErr
			}
			b.more <- struct{}{}
			return n, nil
		}
		select {
		case c := <-b.in:
			b.cur, b.curErr = c.b, b.readErr(c.err)
			if len(c.b) == 0 && c.err == nil {
				b.more <- struct{}{}
			}
		case <-b.rdl.done():
		case <-b.closed:
		}
	}
}

// drain reads and drops the peer's data until its stream ends, or d has
// passed; it leaves the read deadline set.
func (b *bodyReader) drain(d time.Duration) {
	b.rdl.set(time.Now().Add(d))
	var buf [512]byte
	for {
		if _, err := b.read(buf[:]); err != nil {
			return
		}
	}
}

// close closes the body, once the owner's closed is, and waits for the
// goroutine to return.
func (b *bodyReader) close() {
	b.body.Close()
	b.wg.Wait()
}
