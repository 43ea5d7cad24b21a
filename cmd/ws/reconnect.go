package main

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	ws "github.com/hackney-go/ws"
)

// runReconnect is runConnect with --reconnect: a session per connection
// of ws.Reconnect, the -x and --file messages sent again on each, stdin's
// lines going to whichever connection is up. A connection that the server
// or the network ended is followed by a line on stderr (a "reconnect"
// event with --json) and, after the delay, a new one; one that ws ended
// (--count, --wait, --until, Ctrl-C) ends the command, as do failures that
// retrying cannot mend.
func (c *connectConfig) runReconnect(ctx context.Context, url string, opts []ws.Option, st style, interrupts <-chan struct{}) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rc := newInterruptRouter(interrupts, cancel)
	defer rc.stop()
	if c.reconnectDelay > 0 {
		opts = append(opts, ws.Backoff(c.reconnectDelay, backoffCap*c.reconnectDelay))
	}
	in := c.newInput(nil)
	var out printer
	var last outcome
	var lastSession *session
	received := new(atomic.Int64) // --count counts across connections
	for conn, err := range ws.Reconnect(ctx, url, opts...) {
		var retry *ws.RetryError
		switch {
		case errors.As(err, &retry):
			st.notef(os.Stderr, "%s; reconnecting in %v", lostReason(url, retry.Err, c.connectTimeout), retry.Delay.Round(time.Millisecond))
			if jp, ok := out.(*jsonPrinter); ok {
				jp.reconnecting(retry.Err, retry.Delay)
			}
			continue
		case err != nil && last.lost != nil && err == last.lost:
			return c.report(last, lastSession, st, false) // retrying cannot mend it
		case err != nil:
			code, lines := connectFailure(url, err, c.connectTimeout)
			printLines(os.Stderr, st, lines)
			return code
		}
		s := c.newSession(conn, st, rc.session(), nil)
		s.received = received
		if out == nil {
			out = s.out // one printer for every connection
		}
		s.out = out
		s.out.opened(openInfo{url: url, subprotocol: conn.Subprotocol(), header: conn.ResponseHeader()})
		last, lastSession = s.run(in), s
		rc.between()
		if last.lost == nil {
			return c.report(last, s, st, false)
		}
	}
	st.errorf(os.Stderr, "interrupted while reconnecting to %s", url)
	return exitInterrupted
}

// backoffCap is how many times the first delay's bound the delays may
// grow to: 90 s for the default 5 s, as in python-websockets.
const backoffCap = 18

// lostReason says in a line why a connection was lost or not made.
func lostReason(url string, err error, connectTimeout time.Duration) string {
	var ce *ws.CloseError
	switch {
	case errors.Is(err, ws.ErrKeepalive):
		return "the server stopped answering pings"
	case errors.As(err, &ce) && ce.Code == ws.CloseAbnormal:
		return "the connection was lost: " + trimWS(err)
	case errors.As(err, &ce):
		return "the server closed the connection: " + closeDescription(ce.Code, ce.Reason)
	}
	_, lines := connectFailure(url, err, connectTimeout)
	return lines[0]
}

// interruptRouter gives Ctrl-C to the session in progress, which closes
// its connection with 1000; between sessions, while ws.Reconnect waits or
// connects, Ctrl-C stops it (cancel).
type interruptRouter struct {
	mu      sync.Mutex
	current chan struct{} // the session's; nil between sessions
	quit    chan struct{}
	wg      sync.WaitGroup
}

func newInterruptRouter(interrupts <-chan struct{}, cancel func()) *interruptRouter {
	r := &interruptRouter{quit: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			select {
			case <-interrupts:
			case <-r.quit:
				return
			}
			r.mu.Lock()
			if r.current != nil {
				select {
				case r.current <- struct{}{}:
				default:
				}
			} else {
				cancel()
			}
			r.mu.Unlock()
		}
	}()
	return r
}

// session returns the interrupts of a session starting.
func (r *interruptRouter) session() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.current = make(chan struct{}, 4)
	return r.current
}

// between says the session is over.
func (r *interruptRouter) between() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.current = nil
}

func (r *interruptRouter) stop() {
	close(r.quit)
	r.wg.Wait()
}
