package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// The server-side workloads (issue 15) measure the libraries as servers:
// each runs an echo server in a process of its own, started afresh for
// every measurement, and the one driver (driver.go) runs a client
// workload against it. The figures per message and per connection are
// the server process's, read by the driver through a control connection
// around the measured round; rates and round trips are the driver's.

// serverEnv carries a serverSpec to a server process.
const serverEnv = "WSBENCH_SERVER"

type serverSpec struct {
	Lib   string
	Addrs int // listens on 127.0.0.1 to 127.0.0.Addrs
	// Detached: under net/http, each connection is served in a goroutine
	// of its own and the handler returns.
	Detached bool
}

// serverAddrs is the first line a server process prints: where it
// serves WebSocket, and its control address.
type serverAddrs struct {
	WS      []string
	Control string
}

// echoServer is a library measured as a server: an echo of every
// message, with its type, whole.
type echoServer struct {
	// upgrade, for a library used under net/http, takes the request and
	// returns the echo of its connection, nil if it refused it.
	upgrade func(w http.ResponseWriter, r *http.Request) (echo func())
	// serve, for a library with a server of its own, serves lns until
	// the process ends; it returns once serving has started.
	serve func(lns []net.Listener)
}

var echoServers = map[string]echoServer{
	"ws":      {upgrade: wsEcho},
	"gorilla": {upgrade: gorillaEcho},
	"coder":   {upgrade: coderEcho},
	"gobwas":  {serve: serveGobwas},
	"gws":     {serve: serveGws},
}

// serverWorkloads are client workloads measured from the server's side.
// S6-detached is S6 with the net/http servers (ws, gorilla, coder)
// returning from the handler, each connection served by a goroutine of
// its own: net/http keeps its buffers for a connection as long as its
// handler runs.
var serverWorkloads = []struct {
	name, from string
	side       side
}{
	{"S1", "W1", serverSide}, {"S2", "W2", serverSide}, {"S3", "W3", serverSide},
	{"S4-1MiB", "W4-1MiB", serverSide}, {"S4-16MiB", "W4-16MiB", serverSide},
	{"S5", "W5", serverSide}, {"S6", "W6", serverSide}, {"S6-detached", "W6", serverSideDetached}, {"S7", "W7", serverSide},
}

func init() {
	for _, s := range serverWorkloads {
		w, _ := lookupWorkload(s.from)
		w.Name, w.Title, w.side = s.name, "server: "+w.Title, s.side
		if s.side == serverSideDetached {
			w.Title += ", handler returned (net/http servers)"
		}
		workloads = append(workloads, w)
	}
}

// driverLibrary dials every server of a server-side workload.
var driverLibrary = library{name: "driver", dial: dialDriver}

func serverEnvSet() bool { return os.Getenv(serverEnv) != "" }

// serverMain runs the echo server of the library $WSBENCH_SERVER names,
// prints its serverAddrs as JSON, answers the control connection and
// serves until its standard input ends.
func serverMain() int {
	var s serverSpec
	if err := json.Unmarshal([]byte(os.Getenv(serverEnv)), &s); err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 2
	}
	e, ok := echoServers[s.Lib]
	if !ok {
		fmt.Fprintln(os.Stderr, "bench server: no server for", s.Lib)
		return 2
	}
	var addrs serverAddrs
	var lns []net.Listener
	for i := 1; i <= max(1, s.Addrs); i++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench server:", err)
			return 1
		}
		lns = append(lns, ln)
		addrs.WS = append(addrs.WS, ln.Addr().String())
	}
	ctl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	addrs.Control = ctl.Addr().String()
	m, err := newMeter()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		return 1
	}
	go control(ctl, m)
	if e.upgrade != nil {
		serveHTTP(lns, e.upgrade, s.Detached)
	} else {
		e.serve(lns)
	}
	if err := json.NewEncoder(os.Stdout).Encode(addrs); err != nil {
		return 1
	}
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// remoteUsage is a usage as the control connection carries it; the
// wall clock stays the driver's.
type remoteUsage struct {
	Mallocs, AllocBytes, CPU, Reads, Writes, RChar, WChar, RSS, HeapAndStack uint64
	Goroutines                                                               int
}

// control answers each line of the driver with the server's usage:
// "begin", "end" or "settled", meter's readings of the same names.
func control(ln net.Listener, m *meter) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		sc := bufio.NewScanner(nc)
		enc := json.NewEncoder(nc)
		for sc.Scan() {
			var u usage
			switch sc.Text() {
			case "begin":
				u, err = m.begin()
			case "end":
				u, err = m.end()
			default:
				u, err = m.settled()
			}
			if err != nil {
				break
			}
			enc.Encode(remoteUsage{u.mallocs, u.allocBytes, uint64(u.cpu), u.reads, u.writes, u.rchar, u.wchar, u.rss, u.heapAndStack, u.goroutines})
		}
		nc.Close()
	}
}

// remoteMeter reads the server's usage through its control connection.
type remoteMeter struct {
	nc  net.Conn
	dec *json.Decoder
}

func dialRemote(addr string) (*remoteMeter, error) {
	nc, err := net.DialTimeout("tcp", addr, driverTimeout)
	if err != nil {
		return nil, err
	}
	return &remoteMeter{nc: nc, dec: json.NewDecoder(nc)}, nil
}

// read asks the server for a reading and waits for it.
func (r *remoteMeter) read(what string) (usage, error) {
	r.nc.SetDeadline(time.Now().Add(time.Minute)) // a full collection of a big heap takes a while
	if _, err := io.WriteString(r.nc, what+"\n"); err != nil {
		return usage{}, err
	}
	var x remoteUsage
	if err := r.dec.Decode(&x); err != nil {
		return usage{}, fmt.Errorf("server usage: %w", err)
	}
	return usage{mallocs: x.Mallocs, allocBytes: x.AllocBytes, cpu: time.Duration(x.CPU), reads: x.Reads, writes: x.Writes,
		rchar: x.RChar, wchar: x.WChar, rss: x.RSS, heapAndStack: x.HeapAndStack, goroutines: x.Goroutines}, nil
}

// serveHTTP serves upgrade's echoes on every listener with net/http's
// defaults, as gorilla, coder and ws are used: in the handler, or
// detached in a goroutine of its own.
func serveHTTP(lns []net.Listener, upgrade func(http.ResponseWriter, *http.Request) func(), detached bool) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := upgrade(w, r)
		switch {
		case echo == nil:
		case detached:
			go echo()
		default:
			echo()
		}
	})
	for _, ln := range lns {
		go (&http.Server{Handler: h}).Serve(ln)
	}
}
