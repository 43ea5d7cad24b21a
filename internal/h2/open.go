package h2

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
)

// Request is the extended CONNECT of RFC 8441 section 4 that opens a
// WebSocket: :method CONNECT, :protocol websocket, and the :scheme,
// :path and :authority of the URL.
type Request struct {
	Scheme    string // "https", or "http" for h2c
	Authority string
	Path      string // path and query
	Header    http.Header
}

// Open sends the request on the slot's connection and waits for the
// server's response headers until ctx ends; the stream then lives until
// Stream.Close, whatever ctx does. For a 2xx it returns the Stream; for
// another status, the response, whose body the caller reads and closes,
// then calls stop (once or more). A server whose SETTINGS do not enable the extended
// CONNECT fails it with ErrNoExtendedConnect.
func Open(ctx context.Context, s *Slot, r *Request) (resp *http.Response, st *Stream, stop func(), err error) {
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header[":protocol"] = []string{"websocket"}
	send := newSendPipe()
	// The stream's context outlives Open's: canceling a request's context
	// resets its stream. ctx's values (an httptrace.ClientTrace) stay.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	req := (&http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Scheme: r.Scheme, Host: r.Authority, Opaque: r.Path},
		Host:   r.Authority,
		Header: header,
		Body:   send,
	}).WithContext(sctx)
	// The request-target of an extended CONNECT is a path (RFC 8441
	// section 4): with Opaque set, the transport sends it as :path.
	unwatch := context.AfterFunc(ctx, cancel)
	resp, err = s.pc.cc.RoundTrip(req)
	if !unwatch() && err == nil {
		resp.Body.Close()
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		if isNoExtendedConnect(err) {
			err = ErrNoExtendedConnect
			s.Refuse(err)
		} else {
			s.Release()
		}
		return nil, nil, nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		s.opened()
		pc := s.pc
		s.pc = nil
		var once sync.Once
		return resp, nil, func() { once.Do(func() { resp.Body.Close(); cancel(); pc.release() }) }, nil
	}
	st = newStream(resp.Body, send, s.pc, cancel)
	s.opened()
	return resp, st, nil, nil
}

// isNoExtendedConnect recognizes the transport's error for a server
// that did not enable the extended CONNECT; it has no exported value.
func isNoExtendedConnect(err error) bool {
	return err != nil && errors.Unwrap(err) == nil && err.Error() == "net/http: extended connect not supported by peer"
}
