package main

import (
	"strings"
	"unicode/utf8"
)

type kind int

const (
	pingPong  kind = iota // send a message, wait for its echo, again
	pipelined             // a writer and a reader on one connection at once
	idle                  // connections held open, doing nothing
	churn                 // connect, upgrade, close, again
)

type workload struct {
	Name  string // as -only takes it
	Title string
	kind  kind
	size  int  // payload of every message
	text  bool // text messages, else binary
	conns int  // connections at once, for pingPong
	warm  int  // operations per connection of a calibration round
	main  metric
	cols  []metric // the columns of its detailed table
	batch int      // for pipelined: messages per batch where a library can batch
	// compress: permessage-deflate negotiated, text messages of JSON
	compress bool
	// side: who the libraries are; on the server side the driver is the
	// client, and figures per message or connection are the server's
	// (serverside.go)
	side side
}

type side int

const (
	clientSide side = iota // the libraries dial the echo server
	serverSide             // the libraries serve, each connection in its handler
	// serverSideDetached: the libraries serve under net/http, each
	// connection in a goroutine of its own once the handler returned
	serverSideDetached
)

// server reports whether the libraries serve in w.
func (w workload) server() bool { return w.side != clientSide }

var (
	messageCols = []metric{mRate, mP50, mP99, mAllocs, mBytes, mCPU, mReads, mWrites}
	streamCols  = []metric{mRate, mAllocs, mBytes, mCPU, mReads, mWrites}
	bulkCols    = []metric{mMBps, mP50, mP99, mAllocs, mBytes, mCPU, mReads, mWrites}
	idleCols    = []metric{mRSS, mHeapStack, mGoroutines, mConnAllocs, mOpenSecs, mCloseSecs}
	churnCols   = []metric{mConnRate, mConnAllocs, mConnBytes, mConnCPU, mConnReads, mConnWrites}
	deflateCols = []metric{mCPU, mRate, mP50, mP99, mAllocs, mBytes, mWireOut, mWireIn}
)

// workloads are those of issue 5, in its order, W4 being two, one per
// size; then those of issue 6, with permessage-deflate.
var workloads = []workload{
	{"W1", "ping-pong, 16 B text, one connection", pingPong, 16, true, 1, 2000, mRate, messageCols, 0, false, clientSide},
	{"W2", "pipelined writer and reader, 64 B binary, one connection", pipelined, 64, false, 1, 20000, mRate, streamCols, 0, false, clientSide},
	{"W2-batch", "pipelined, 64 B binary, one connection, batches of 64 where the library can", pipelined, 64, false, 1, 20000, mRate, streamCols, 64, false, clientSide},
	{"W3", "pipelined writer and reader, 1 KiB UTF-8 text, one connection", pipelined, 1 << 10, true, 1, 10000, mRate, streamCols, 0, false, clientSide},
	{"W4-1MiB", "echo of 1 MiB binary messages", pingPong, 1 << 20, false, 1, 16, mMBps, bulkCols, 0, false, clientSide},
	{"W4-16MiB", "echo of 16 MiB binary messages", pingPong, 16 << 20, false, 1, 2, mMBps, bulkCols, 0, false, clientSide},
	{"W5", "ping-pong, 16 B text, 100 connections at once", pingPong, 16, true, 100, 40, mRate, messageCols, 0, false, clientSide},
	{"W6", "idle connections", idle, 16, false, 0, 0, mRSS, idleCols, 0, false, clientSide},
	{"W7", "connect, upgrade and close, one at a time", churn, 16, false, 1, 200, mConnRate, churnCols, 0, false, clientSide},
	{"Z1", "ping-pong, 1 KiB JSON text, compressed, one connection", pingPong, 1 << 10, true, 1, 2000, mCPU, deflateCols, 0, true, clientSide},
	{"Z2", "ping-pong, 64 KiB JSON text, compressed, one connection", pingPong, 64 << 10, true, 1, 100, mCPU, deflateCols, 0, true, clientSide},
	{"Z3", "idle compressed connections, after a 1 KiB JSON message each way", idle, 1 << 10, true, 0, 0, mRSS, idleCols, 0, true, clientSide},
}

func lookupWorkload(name string) (workload, bool) {
	for _, w := range workloads {
		if w.Name == name {
			return w, true
		}
	}
	return workload{}, false
}

// messages are what a ping-pong workload sends, in turn: one payload, or
// with compression distinct JSON documents, 128 KiB of them at least, so
// that no message is still in the 32 KiB window of context takeover when
// it is sent again, which would shrink it to a reference to itself.
func (w workload) messages() [][]byte {
	if !w.compress {
		return [][]byte{w.payload()}
	}
	return jsonDocuments(w.size, max(4, 128<<10/w.size))
}

// payload is the message a workload sends: for text, valid UTF-8 mixing
// characters of one to four bytes, so that a validating library works
// through every kind; with compression, the first JSON document.
func (w workload) payload() []byte {
	if w.compress {
		return jsonDocuments(w.size, 1)[0]
	}
	if !w.text {
		p := make([]byte, w.size)
		for i := range p {
			p[i] = byte(i * 7)
		}
		return p
	}
	const sample = "ws 0123456789 éàü ñ Grüße Ελληνικά Русский 日本語の文字 한국어 😀🚀 "
	var b strings.Builder
	for b.Len() < w.size {
		for _, r := range sample {
			if b.Len()+utf8.RuneLen(r) > w.size {
				r = 'x'
			}
			if b.Len() == w.size {
				break
			}
			b.WriteRune(r)
		}
	}
	return []byte(b.String())
}
