package ws

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hackney-go/ws/internal/deflate"
	"github.com/hackney-go/ws/internal/netpoll"
	"github.com/hackney-go/ws/internal/proto"
)

var errInvalidMode = errors.New("ws: invalid mode")

// Conn is a WebSocket connection, a client's from Connect or a server's
// from Accept: both behave alike but where RFC 6455 makes the roles differ
// (masking, section 5.1; who closes the TCP connection, section 7.1.1).
// Send, Recv, SetActive and Close may be called from any goroutines at
// once.
//
// In passive mode a Conn has no goroutine of its own: Recv reads the
// socket, answering the pings it finds on the way, so that a message goes
// from the socket to the caller without a hand-off between goroutines.
// Once an active mode is set, a goroutine reads and delivers Events; it
// ends when the connection does. On Linux, for a TCP or Unix socket, it
// also returns while the connection is silent (after a second), and the
// package's one epoll poller starts it again when bytes arrive: an idle
// Conn in an active mode holds no goroutine.
type Conn struct {
	// The rules of the read side, which read.go, recv.go, pump.go, end.go and
	// close.go follow:
	//
	//   - The read token (readTok) is the right to read the socket and to use
	//     the parse state. One of these holds it: a Recv in passive mode, the
	//     pump in an active mode, CloseWith, or, while nobody else reads, the
	//     keepalive or a Ping (a probe, keepalive.go), which reads as far as
	//     the next message and keeps it for the next consumer (held). Only
	//     its holder reads.
	//   - Who may end the Conn: the token's holder (end), on a failed read, a
	//     breach of the protocol, the peer's close frame or the keepalive's
	//     ping left unanswered (every holder's read deadline is at most the
	//     time its answer is due: arm), and finish, after taking the token.
	//     A send cut short mid-frame does not end it: it closes the socket
	//     (dropAfterCut), and the next holder's read ends it. Ending never waits: the socket is let go in the
	//     background (hangUp) once the close frame owed is out, and the last
	//     Event is the pump's to deliver. After the end nobody reads.
	//   - A caller's deadline, its context's end, a mode change or Close only
	//     interrupt a read (errInterrupted); they never end the Conn. Whoever
	//     interrupts changes the state under mu first, then moves the read
	//     deadline (interrupt); the holder sets its own deadline, then looks
	//     at the state (arm, stop), so no interruption is missed.
	//   - A RecvReader's reader (msgRd) owns the message it reads until
	//     its end: it takes the token for each Read, and between Reads
	//     nobody else reads but a Recv or the pump, which abandon it and
	//     drop the rest of its message; a probe leaves it alone (streaming).
	//   - The pump, where the poller serves the socket (netpoll), never
	//     waits for the socket nor for a SetActive: its goroutine returns
	//     (park), in an active mode keeping the token, and wakePump starts
	//     another on the poller's report and on what would interrupt a
	//     holder waiting: Close, the keepalive's ping overdue, a send cut
	//     short; in passive mode on a SetActive, the end or Close.
	//   - The reader never waits on the writer: pongs and the close frame it
	//     owes are posted (writer.reply) and written by whoever writes next.
	//   - Every wait has a bound. A Recv waits for the token and reads until
	//     its deadline, its context's end, a mode change, the end or Close.
	//     The pump waits for a SetActive while passive, for the token until
	//     the end or Close, and for a consumer to take an Event until a mode
	//     change or Close (the close frame a breach owes goes at CloseTimeout
	//     at the latest). A probe waits for the token and reads until the
	//     keepalive's due time or its Ping's context ends, a mode change, the
	//     end or Close. CloseWith waits at most CloseTimeout. finish waits
	//     for the pump, which returns once closing is closed, for the token,
	//     which the holder gives up at its next read (interrupted), for done,
	//     which hangUp's write deadline bounds by CloseTimeout, for the
	//     writer's goroutines, whose socket is closed by then, and for a
	//     keepalive tick, which returns once closing is closed. The writer
	//     says what bounds its own waits.

	nc          net.Conn
	cfg         connConfig
	subprotocol string
	resp        *proto.Response // the 101 response; its headers are parsed when asked

	w writer

	// permessage-deflate, when negotiated.
	params   *deflate.Params
	inflater *deflate.Decompressor

	// readTok is the read token. Its holder owns the fields up to held.
	readTok   chan struct{}
	rd        proto.Reader
	rbuf      []byte
	rpool     *[]byte // rbuf's pool entry, nil when rbuf is not from the pool
	rpos      int     // rbuf[rpos:rend] is read and not yet parsed
	rend      int
	small     [smallRead]byte
	smallFull bool // the last read filled small
	// Who holds the token, the read deadline it wants, set before its
	// first read (armed), and for a Recv, its context.
	holder   holder
	deadline time.Time
	armed    bool
	ctx      context.Context
	// held is a message the pump read but could not deliver because the
	// mode turned passive, or that the keepalive or a Ping read while
	// nobody else did: the next Recv or Event is it. holding is also read
	// by the keepalive, without the token.
	held    proto.Frame
	holding atomic.Bool
	// msgRd is the RecvReader's reader whose message is unfinished, nil
	// once it ends or is abandoned; streaming says the same for the
	// keepalive, which reads it without the token.
	msgRd     *msgReader
	streaming atomic.Bool
	// pumpOwed is the close frame a breach calls for when the pump ended
	// the connection: it sends it after the last Event (lastEvent). Only
	// the pump touches it.
	pumpOwed []byte
	// poll is the socket's registration with the poller, made by the
	// pump's first tenure; noPoll says the poller cannot serve it (TLS,
	// HTTP/2, another system); parkAt is when the pump parks if the socket
	// stays silent. The token's holder owns them.
	poll   *netpoll.Handle
	noPoll bool
	parkAt time.Time

	events chan Event
	kick   chan struct{} // wakes the pump when the mode changes; made with the pump, under mu

	// The keepalive (keepalive.go), nil without PingInterval; lastIn is
	// when bytes last arrived, since born, tracked only with it.
	ka     *keepalive
	born   time.Time
	lastIn atomic.Int64

	mu      sync.Mutex // guards the fields below
	mode    Mode
	gen     uint64 // counts SetActive calls, so a new grant is never lost
	pumping bool   // the pump has been started
	parked  uint8  // the pump's goroutine returned until wakePump starts another (park)
	closed  bool   // Close was called
	ended   bool   // the connection is over; err says why
	err     error
	// unpassive is closed when SetActive leaves Passive, to wake the Recvs
	// waiting; nil until one waits.
	unpassive chan struct{}
	// fault is why the connection was dropped from outside the read
	// side (a send cut short mid-frame): the reader's error wraps it.
	fault error
	// offering says the pump offers an Event nobody has taken yet; kept
	// for the keepalive only.
	offering bool
	// The Ping calls waiting for their pong, the payloads' counter, the
	// last round trip, and the signal (made by the first Ping) that what
	// held a Ping back from reading is gone.
	pings   []*pingWait
	pingSeq uint64
	latency time.Duration
	resume  chan struct{}

	closing   chan struct{} // closed when Close starts
	finishing atomic.Bool   // Close is done with the handshake
	endedCh   chan struct{} // closed once err is set
	// The socket is closed (socketClosed); done, made when first waited
	// for (closedSocket), says so to the waiters.
	sockClosed bool
	done       chan struct{}
	pumpWG     sync.WaitGroup // the pump
	bg         sync.WaitGroup // hangUp's goroutine
	closeOnce  sync.Once
}

// connConfig is what a Conn keeps of its options once it is open: the
// rest of config served the handshake, and an idle Conn's memory is
// mostly its own (BenchmarkIdleActive).
type connConfig struct {
	recvTimeout, sendTimeout, closeTimeout time.Duration
	events                                 chan Event // DeliverTo's, nil for the Conn's own
	fragment                               int
	maxMessage                             int64
	deflate                                *Deflate
	hideControl                            bool
	server                                 bool // the Conn is a server's (set by Accept, not an option)
}

func newConn(nc net.Conn, cfg *config, buffered []byte) *Conn {
	c := &Conn{
		nc:      nc,
		cfg:     cfg.connConfig,
		readTok: make(chan struct{}, 1),
		rd:      proto.Reader{MaxFrame: cfg.maxFrame, MaxMessage: cfg.maxMessage, Server: cfg.server},
		rbuf:    buffered,
		rend:    len(buffered),
		events:  cfg.events,
		mode:    cfg.mode,
		closing: make(chan struct{}),
		endedCh: make(chan struct{}),
	}
	c.readTok <- struct{}{}
	if c.events == nil {
		c.events = make(chan Event)
	}
	c.w.nc = nc
	c.w.server = cfg.server
	_, c.w.tls = nc.(*tls.Conn)
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		c.w.vectored = true
	}
	c.w.cond.L = &c.w.mu
	c.startKeepalive(cfg.pingInterval, cfg.pingTimeout)
	return c
}

// Subprotocol returns the subprotocol the server chose (Accept: that it
// chose), "" if none.
func (c *Conn) Subprotocol() string { return c.subprotocol }

// ResponseHeader returns the headers of the server's 101 response (for a
// Conn from Accept, those of the 101 it sent), in a new map on each call.
func (c *Conn) ResponseHeader() http.Header { return c.resp.Header() }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the peer's network address.
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

// socketClosed records that the socket is closed, once, and wakes whoever
// waits for it.
func (c *Conn) socketClosed() {
	c.mu.Lock()
	c.sockClosed = true
	if c.done != nil {
		close(c.done)
	}
	c.mu.Unlock()
}

// closedSocket returns a channel that is closed once the socket is: made
// only when waited for, as most Conns are never waited for that way.
func (c *Conn) closedSocket() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.sockClosed {
			close(c.done)
		}
	}
	return c.done
}
