package ws

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Reconnect keeps a connection to url up, for as long as ctx lasts: it
// yields a connected Conn; when the loop body moves on, the Conn is
// closed if it is not already, and after a delay a new one comes. The
// delays grow after each failure and start again after a connection that
// lived at least the first delay's bound (Backoff); RFC 6455 section 7.2.3
// asks for both. Breaking out of the loop leaves the Conn to the caller,
// open.
//
// A failure that Reconnect retries is yielded as a *RetryError, which
// says when the next attempt comes: a failed Connect, or the end of a
// Conn that the peer or the network brought (not a Close of the body's).
// Any other error is yielded as it is, and ends the loop. By default
// these are retried: network errors (refused, reset, unreachable),
// timeouts, an early end of stream, HTTP 429, 500, 502, 503 and 504 (a
// Retry-After header lengthens the delay), and the close codes 1001, 1006
// (ErrKeepalive among them), 1011, 1012, 1013 and 1014; RetryIf replaces
// the rule. Cancelling ctx closes the Conn with 1001 (going away) and ends
// the loop within CloseTimeout.
//
// Nothing is queued or sent again across connections: what the
// application sends on a new Conn (a subscription, say) is its own to
// decide. A Send that returned nil handed its frame to the socket of a
// Conn that may have died since.
func Reconnect(ctx context.Context, url string, opts ...Option) iter.Seq2[*Conn, error] {
	return func(yield func(*Conn, error) bool) {
		cfg := newConfig(opts)
		retry := cfg.retryIf
		if retry == nil {
			retry = retryable
		}
		b := newBackoff(cfg.backoffFirst, cfg.backoffMax)
		for {
			c, err := Connect(ctx, url, opts...)
			if ctx.Err() != nil {
				if c != nil {
					c.CloseWith(CloseGoingAway, "")
				}
				return
			}
			var lived time.Duration
			if err == nil {
				start := time.Now()
				var more bool
				if more, err = serve(ctx, c, yield); !more {
					return
				}
				lived = time.Since(start)
				if err == nil { // the body closed the Conn, or moved on
					if !wait(ctx, b.next(lived, 0)) {
						return
					}
					continue
				}
			}
			if !retry(err) {
				yield(nil, err)
				return
			}
			delay := b.next(lived, retryAfter(err))
			if !yield(nil, &RetryError{Err: err, Delay: delay}) || !wait(ctx, delay) {
				return
			}
		}
	}
}

// serve yields c and closes it once the body moves on. It returns why c
// ended when the peer or the network ended it, nil when the body did;
// more is false once the loop must end (the body broke out, ctx ended).
func serve(ctx context.Context, c *Conn, yield func(*Conn, error) bool) (more bool, err error) {
	closed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(closed)
		c.CloseWith(CloseGoingAway, "")
	})
	more = yield(c, nil)
	if !stop() {
		<-closed
	}
	if !more {
		return false, nil // the Conn is the caller's
	}
	c.mu.Lock()
	ended, err := c.ended, c.err
	c.mu.Unlock()
	c.Close()
	if ctx.Err() != nil {
		return false, nil
	}
	if !ended || err == ErrClosed {
		return true, nil
	}
	return true, err
}

// wait sleeps for d, or until ctx ends (false).
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// RetryError is a failure that Reconnect retries: Err, with the delay
// before the next attempt.
type RetryError struct {
	Err   error
	Delay time.Duration
}

// Error describes the RetryError.
func (e *RetryError) Error() string {
	return fmt.Sprintf("%v (retrying in %v)", e.Err, e.Delay.Round(time.Millisecond))
}

// Unwrap returns Err.
func (e *RetryError) Unwrap() error { return e.Err }

// Backoff sets Reconnect's delays: the first after a failure is random in
// [0, first) (RFC 6455 section 7.2.3: clients that lost their server all
// at once must not come back at once); each next one is the last times
// 1.618, from 0.618 × first up to max, drawn at random in its upper half.
// A connection that lived at least first starts the series again. The
// default is first 5 s and max 90 s, as in python-websockets.
func Backoff(first, max time.Duration) Option {
	return func(c *config) { c.backoffFirst, c.backoffMax = first, max }
}

// RetryIf replaces the rule that says which errors Reconnect retries;
// see Reconnect for the default.
func RetryIf(retry func(error) bool) Option { return func(c *config) { c.retryIf = retry } }

// Backoff's defaults.
const (
	defaultBackoffFirst = 5 * time.Second
	defaultBackoffMax   = 90 * time.Second
	backoffFactor       = 1.618
)

// backoff draws Reconnect's delays.
type backoff struct {
	first, max time.Duration
	last       time.Duration // 0: the next delay is a first one
}

func newBackoff(first, max time.Duration) *backoff {
	if first <= 0 {
		first = defaultBackoffFirst
	}
	if max <= 0 {
		max = defaultBackoffMax
	}
	return &backoff{first: first, max: max}
}

// next returns the delay after a connection that lived so long (0 if it
// failed to connect), at least floor (a Retry-After).
func (b *backoff) next(lived, floor time.Duration) time.Duration {
	if lived >= b.first {
		b.last = 0
	}
	var d time.Duration
	if b.last == 0 {
		d = rand.N(b.first)
		b.last = time.Duration(float64(b.first) * (backoffFactor - 1))
	} else {
		b.last = min(time.Duration(float64(b.last)*backoffFactor), b.max)
		d = b.last/2 + rand.N(b.last/2+1)
	}
	return max(d, floor)
}

// retryable is Reconnect's default rule: failures that another attempt
// may not meet.
func retryable(err error) bool {
	var (
		ce  *CloseError
		he  *HTTPError
		ne  net.Error
		op  *net.OpError
		unk x509.UnknownAuthorityError
		hn  x509.HostnameError
		inv x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &ce):
		switch ce.Code {
		case CloseGoingAway, CloseAbnormal, CloseInternalError, CloseServiceRestart, CloseTryAgainLater, CloseBadGateway:
			return true
		}
		return false
	case errors.As(err, &he):
		switch he.StatusCode {
		case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	case errors.As(err, &unk), errors.As(err, &hn), errors.As(err, &inv):
		return false // a certificate does not mend itself
	case errors.Is(err, ErrTimeout), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &op), errors.As(err, &ne):
		return true
	}
	return false
}

// retryAfter is the delay a refusal's Retry-After header asks for
// (RFC 9110 section 10.2.3): seconds, or a date.
func retryAfter(err error) time.Duration {
	var he *HTTPError
	if !errors.As(err, &he) {
		return 0
	}
	v := he.Header.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
