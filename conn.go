package ws

import (
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/hackney-go/ws/internal/proto"
)

var errInvalidMode = errors.New("ws: invalid mode")

// Conn is a client WebSocket connection. Send, Recv, SetActive and Close
// may be called from any goroutines at once. Each Conn runs one goroutine
// of its own, which reads the socket, answers pings and delivers what it
// receives in the current Mode; it ends when the connection does.
type Conn struct {
	nc          net.Conn
	cfg         *config
	subprotocol string
	respHeader  http.Header

	w writer

	// Owned by the read loop.
	rd   proto.Reader
	rbuf []byte
	rpos int // rbuf[rpos:rend] is read and not yet parsed
	rend int

	// Delivery. recvCh is unbuffered so that a message nobody has taken
	// can still go to Events if the mode changes.
	recvCh chan Frame
	events chan Event
	kick   chan struct{} // wakes the read loop when the mode changes

	mu     sync.Mutex // guards the fields below
	mode   Mode
	gen    uint64 // counts SetActive calls, so a new grant is never lost
	closed bool   // Close was called
	ended  bool   // the connection is over; err says why
	err    error
	// unpassive is closed when SetActive leaves Passive, to wake the Recvs
	// waiting; nil until one waits.
	unpassive chan struct{}

	closing   chan struct{} // closed when Close starts
	endedCh   chan struct{} // closed once err is set and delivered
	done      chan struct{} // closed when the read loop has returned
	closeOnce sync.Once
}

func newConn(nc net.Conn, cfg *config, buffered []byte) *Conn {
	c := &Conn{
		nc:      nc,
		cfg:     cfg,
		rd:      proto.Reader{MaxFrame: cfg.maxFrame, MaxMessage: cfg.maxMessage},
		rbuf:    buffered,
		rend:    len(buffered),
		recvCh:  make(chan Frame),
		events:  cfg.events,
		kick:    make(chan struct{}, 1),
		mode:    cfg.mode,
		closing: make(chan struct{}),
		endedCh: make(chan struct{}),
		done:    make(chan struct{}),
	}
	if c.events == nil {
		c.events = make(chan Event)
	}
	c.w.nc = nc
	return c
}

// Subprotocol returns the subprotocol the server chose, "" if none.
func (c *Conn) Subprotocol() string { return c.subprotocol }

// ResponseHeader returns the headers of the server's 101 response.
func (c *Conn) ResponseHeader() http.Header { return c.respHeader }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the address of the server.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// stateErr returns the error for a call on a Conn that is closed or has
// ended, nil for one that is open. c.mu must be held.
func (c *Conn) stateErr() error {
	switch {
	case c.closed:
		return ErrClosed
	case c.ended:
		return c.err
	}
	return nil
}
