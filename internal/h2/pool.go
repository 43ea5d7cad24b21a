package h2

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// refusedFor is how long the pool remembers that an origin does not carry
// WebSockets over HTTP/2 (no h2 in ALPN, or no
// SETTINGS_ENABLE_CONNECT_PROTOCOL), so that each Connect does not try
// again before falling back.
const refusedFor = 5 * time.Minute

// Pool holds the HTTP/2 connections that Conns share: per key (an origin
// and the way it is reached), the connections with room for a stream,
// the server's SETTINGS_MAX_CONCURRENT_STREAMS honoured by the transport's
// reservations. A connection closes when its last stream does, so no idle
// connection outlives the Conns that used it.
//
// While one caller dials a key's new connection, the others wait for its
// first stream's answer (the server's SETTINGS came before it): they then
// share the connection, with the limit of streams the server set, rather
// than each dial one under the initial limit.
type Pool struct {
	t *http2.Transport

	mu      sync.Mutex
	conns   map[string][]*poolConn
	dialing map[string]chan struct{} // closed when the key's dial is over
	refused map[string]refusal
}

type refusal struct {
	err   error
	until time.Time
}

// NewPool returns an empty pool.
func NewPool() *Pool {
	return &Pool{
		t: &http2.Transport{
			// The Conn sees the stream's bytes as the server sent them.
			DisableCompression: true,
			// Needed for h2c with prior knowledge; TLS is the dialer's.
			AllowHTTP: true,
			// Bounds the transport's writes, and with them the waits on
			// its write lock (a stream's Close, a window update).
			WriteByteTimeout: 30 * time.Second,
		},
		conns:   map[string][]*poolConn{},
		dialing: map[string]chan struct{}{},
		refused: map[string]refusal{},
	}
}

// poolConn is one HTTP/2 connection and the count of the streams handed
// out on it (reserved or open), which p.mu guards.
type poolConn struct {
	p       *Pool
	key     string
	cc      *http2.ClientConn
	nc      net.Conn
	streams int
	shared  bool // to be listed once its first stream opens
	listed  bool // in p.conns: other Conns may share it
}

// Slot is the right to open one stream: on a shared connection, or on
// a new one the caller must dial (Dial).
type Slot struct {
	p    *Pool
	key  string
	pc   *poolConn // nil when the caller leads a dial
	lead bool
}

// Acquire returns a slot for a stream to key: on a listed connection with
// room, or, when none has room and nobody is dialing, the lead of a new
// dial (then Dial, then Open, and the key's other callers wait for
// Open's outcome). While another caller dials, it waits until that
// dial's outcome or ctx's end. It fails with the cached refusal when the
// origin was found not to carry WebSockets over HTTP/2 within
// refusedFor.
func (p *Pool) Acquire(ctx context.Context, key string) (*Slot, error) {
	for {
		p.mu.Lock()
		if r, ok := p.refused[key]; ok {
			if time.Now().Before(r.until) {
				p.mu.Unlock()
				return nil, r.err
			}
			delete(p.refused, key)
		}
		if pc := p.reserveLocked(key); pc != nil {
			p.mu.Unlock()
			return &Slot{p: p, key: key, pc: pc}, nil
		}
		wait, ok := p.dialing[key]
		if !ok {
			p.dialing[key] = make(chan struct{})
			p.mu.Unlock()
			return &Slot{p: p, key: key, lead: true}, nil
		}
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// reserveLocked reserves a stream on a listed connection of key, and
// unlists the connections that take no more (GOAWAY, closed): their
// streams go on, and the last to close closes them.
func (p *Pool) reserveLocked(key string) *poolConn {
	list := p.conns[key]
	for i := 0; i < len(list); {
		pc := list[i]
		if pc.cc.ReserveNewRequest() {
			pc.streams++
			return pc
		}
		if st := pc.cc.State(); st.Closed || st.Closing {
			pc.listed = false
			list = append(list[:i], list[i+1:]...)
			p.conns[key] = list
			continue
		}
		i++
	}
	if len(list) == 0 {
		delete(p.conns, key)
	}
	return nil
}

// Lead reports whether the slot's caller must dial a new connection.
func (s *Slot) Lead() bool { return s.lead }

// Dial makes an HTTP/2 connection of nc, which the lead dialed (and
// ran TLS on, with h2 agreed): the slot's stream goes on it. Shared
// connections are listed once their first stream opens; with shared
// false the connection serves this stream alone.
func (s *Slot) Dial(nc net.Conn, shared bool) error {
	cc, err := s.p.t.NewClientConn(&frameCapConn{Conn: nc})
	if err != nil {
		nc.Close()
		return err
	}
	cc.ReserveNewRequest() // a new connection has room for one
	s.pc = &poolConn{p: s.p, key: s.key, cc: cc, nc: nc, streams: 1, shared: shared}
	return nil
}

// Refuse ends the lead's dial with the origin's refusal, remembered for
// refusedFor, and lets the slot go.
func (s *Slot) Refuse(err error) {
	s.p.mu.Lock()
	s.p.refused[s.key] = refusal{err: err, until: time.Now().Add(refusedFor)}
	s.p.mu.Unlock()
	s.Release()
}

// Release gives the slot back when no stream was opened on it (the
// dial or the handshake failed). The lead's waiters then try again.
func (s *Slot) Release() {
	if s.pc != nil {
		s.pc.release()
		s.pc = nil
	}
	s.endDial()
}

// opened lists the lead's new shared connection, now that its first
// stream is open (the server's SETTINGS were read), and wakes the
// waiters.
func (s *Slot) opened() {
	if !s.lead {
		return
	}
	p := s.p
	p.mu.Lock()
	if s.pc.shared && !s.pc.listed {
		s.pc.listed = true
		p.conns[s.key] = append(p.conns[s.key], s.pc)
	}
	p.mu.Unlock()
	s.endDial()
}

func (s *Slot) endDial() {
	if !s.lead {
		return
	}
	s.lead = false
	p := s.p
	p.mu.Lock()
	if ch, ok := p.dialing[s.key]; ok {
		close(ch)
		delete(p.dialing, s.key)
	}
	p.mu.Unlock()
}

// release counts a stream out, and closes the connection with its last
// stream.
func (pc *poolConn) release() {
	p := pc.p
	p.mu.Lock()
	pc.streams--
	last := pc.streams == 0
	if last && pc.listed {
		list := p.conns[pc.key]
		for i, c := range list {
			if c == pc {
				p.conns[pc.key] = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(p.conns[pc.key]) == 0 {
			delete(p.conns, pc.key)
		}
	}
	p.mu.Unlock()
	if last {
		// A PING answered first means the server has read every frame
		// we sent (it reads them in order), the last stream's data and
		// its end among them. Closed at once, the connection could lose
		// them: the server writing meanwhile gets a TCP reset, and Go's
		// server then drops the connection with what it had not read.
		ctx, cancel := context.WithTimeout(context.Background(), endStreamWait)
		pc.cc.Ping(ctx)
		cancel()
		pc.cc.Close()
	}
}

// ErrNoExtendedConnect is the refusal of a server whose SETTINGS do not
// enable the extended CONNECT (RFC 8441 section 3).
var ErrNoExtendedConnect = errors.New("server's SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 section 3)")
