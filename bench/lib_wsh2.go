package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/hackney-go/ws"
)

// ws-h2 is ws carrying each WebSocket on a stream of an HTTP/2 connection
// (RFC 8441, HTTP2Require over h2c with prior knowledge), measured as the
// library "ws-h2" so that its figures sit beside ws's on HTTP/1.1. The
// other libraries have no HTTP/2 client, and echoserver speaks HTTP/1.1
// only: the server of ws-h2 is h2server, Go's net/http with ws.Accept (Go's
// HTTP/2 server takes extended CONNECTs only in a process started with
// GODEBUG=http2xconnect=1), which the client process starts once, on
// another CPU than its own when it is pinned, and which ends with it.
// Figures are the client's, as for every library, but a round trip also
// holds the server's work, which differs from echoserver's. Conns share
// the HTTP/2 connections (up to 250 streams on each, Go's default), and a
// connection closes with its last Conn, so W7 (one Conn at a time) dials
// a connection for each.

// h2ServerEnv makes this program the h2 server.
const h2ServerEnv = "WSBENCH_H2SERVER"

func init() {
	if os.Getenv(h2ServerEnv) == "1" {
		os.Exit(h2ServerMain())
	}
}

// h2ServerMain serves h2c on 127.0.0.1, echoing every message of every
// WebSocket, prints its address, and exits when its standard input ends.
func h2ServerMain() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Protocols: protocols, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, ws.Compression(ws.Deflate{}))
		if err != nil {
			return
		}
		defer c.Close() // before the handler returns, as HTTP/2 needs
		var buf []byte
		for {
			f, err := c.RecvInto(buf)
			if err != nil || c.Send(f) != nil {
				return
			}
			buf = f.Payload[:0]
		}
	})}
	go srv.Serve(l)
	fmt.Println(l.Addr())
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// h2Server is the client process's h2 server, started on first use.
var h2Server = sync.OnceValues(startH2Server)

// h2Proc is the running h2 server. The pipe to its standard input is kept
// here so that it closes, and the server ends, when this process exits,
// not when a finalizer runs.
type h2Proc struct {
	addr  string
	stdin io.WriteCloser
}

func startH2Server() (*h2Proc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := command(context.Background(), otherCPU(), exe)
	cmd.Env = append(os.Environ(), h2ServerEnv+"=1", "GODEBUG=http2xconnect=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		return nil, fmt.Errorf("h2 server: %w", err)
	}
	return &h2Proc{addr: strings.TrimSpace(addr), stdin: stdin}, nil
}

// otherCPU returns a CPU for the h2 server when this process is pinned
// to one, as the orchestrator pins clients: the next one.
func otherCPU() string {
	if _, err := exec.LookPath("taskset"); err != nil {
		return ""
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(status)) {
		if list, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			var cpu int
			if _, err := fmt.Sscan(strings.TrimSpace(list), &cpu); err == nil && !strings.ContainsAny(list, ",-") {
				return fmt.Sprint(cpu + 1)
			}
		}
	}
	return ""
}

func dialWSH2(d dialSpec) (conn, error) {
	srv, err := h2Server()
	if err != nil {
		return nil, err
	}
	opts := []ws.Option{ws.HTTP2(ws.HTTP2Require)}
	if d.compress {
		opts = append(opts, ws.Compression(ws.Deflate{}))
	}
	c, err := ws.Connect(context.Background(), "ws://"+srv.addr+"/", opts...)
	if err != nil {
		return nil, err
	}
	if c.Proto() != "HTTP/2.0" {
		c.Close()
		return nil, errors.New("ws-h2: not carried by HTTP/2")
	}
	if _, ok := c.Compression(); d.compress && !ok {
		c.Close()
		return nil, errNoDeflate
	}
	return &wsConn{c: c, text: d.text}, nil
}
