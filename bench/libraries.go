package main

import (
	"errors"
	"net/http"
	"strings"
)

// conn is one client connection of a library under test, used the way
// the library's documentation recommends for speed. A conn sends
// messages of one kind, text or binary, fixed when it is dialed.
// batcher is a conn that can send many messages in one call.
type batcher interface {
	// sendBatch sends p n times.
	sendBatch(p []byte, n int) error
}

type conn interface {
	// send writes one message.
	send(p []byte) error
	// serve calls start once the connection is ready to deliver
	// messages to h, then passes each message received to h until h
	// returns false. p is valid only during the call: libraries that
	// reuse their buffers are not made to copy.
	serve(start func() error, h func(p []byte) bool) error
	// idle keeps the connection responsive while it waits for nothing:
	// a ping would be answered and a close noticed. Libraries without a
	// goroutine of their own need one reading the connection.
	idle()
	// close runs the library's closing handshake and releases the
	// connection.
	close() error
}

// dialSpec says what to connect to and what will be sent.
type dialSpec struct {
	addr string // host:port
	text bool   // text messages, else binary
	size int    // size of every message (the TCP baseline announces it)
	// compress: offer permessage-deflate the library's recommended way,
	// and fail unless the server accepted it.
	compress bool
}

func (d dialSpec) url() string { return "ws://" + d.addr + "/" }

type library struct {
	name string
	dial func(dialSpec) (conn, error)
	// batchOnly: a peer that batches the way ws's SendAll does, measured
	// only in the workloads that batch, so that ws's batch is compared
	// with batching and not only with its absence.
	batchOnly bool
	// idleOnly: a variant of ws measured only in the idle workloads.
	idleOnly bool
}

// runs reports whether l is measured in w.
func (l library) runs(w workload) bool {
	if w.server() {
		e, ok := echoServers[l.name]
		return ok && (w.side != serverSideDetached || e.upgrade != nil)
	}
	return !(w.compress && isBaseline(l.name)) && (!l.batchOnly || w.batch > 1) && (!l.idleOnly || w.kind == idle)
}

// baseline is the name of the raw TCP client, the floor of every figure;
// baselineBatch the same client batching.
const (
	baseline      = "tcp"
	baselineBatch = "tcp-batch"
)

// isBaseline reports whether lib is a raw TCP client, not a WebSocket
// library: not a peer, and served by the raw echo.
func isBaseline(lib string) bool { return lib == baseline || lib == baselineBatch }

// libraries are measured in this order in the first repetition, rotated
// by one in each next one. ws comes first: every ratio is ws's figure
// divided by another's.
var libraries = []library{
	{name: "ws", dial: dialWS},
	{name: "ws-recv", dial: dialWSRecv, idleOnly: true}, // lib_ws.go
	{name: "ws-h2", dial: dialWSH2},                     // lib_wsh2.go
	{name: "gorilla", dial: dialGorilla},
	{name: "coder", dial: dialCoder},
	{name: "gobwas", dial: dialGobwas},
	{name: "gws", dial: dialGws},
	{name: baseline, dial: dialTCP},
	{name: "gobwas-batch", dial: dialGobwasBatch, batchOnly: true},
	{name: baselineBatch, dial: dialTCPBatch, batchOnly: true},
}

// readLimit is given to the libraries whose default limit on a received
// message is below the benchmark's largest message (16 MiB).
const readLimit = 64 << 20

func lookupLibrary(name string) (library, bool) {
	for _, l := range libraries {
		if l.name == name {
			return l, true
		}
	}
	return library{}, false
}

// serveLoop is serve for the libraries read by calling them: messages are
// read in the goroutine that called serve.
func serveLoop(start func() error, h func([]byte) bool, recv func() ([]byte, error)) error {
	if start != nil {
		if err := start(); err != nil {
			return err
		}
	}
	for {
		p, err := recv()
		if err != nil {
			return err
		}
		if !h(p) {
			return nil
		}
	}
}

// errNoDeflate fails a dial that was to negotiate permessage-deflate and
// did not: a library that cannot is reported, not measured uncompressed.
var errNoDeflate = errors.New("permessage-deflate was not negotiated")

// deflateAccepted reports whether a handshake response accepted
// permessage-deflate, for the libraries that tell only through it.
func deflateAccepted(h http.Header) bool {
	for _, v := range h.Values("Sec-WebSocket-Extensions") {
		if strings.Contains(strings.ToLower(v), "permessage-deflate") {
			return true
		}
	}
	return false
}

// discard is the handler of an idle connection.
func discard([]byte) bool { return true }
