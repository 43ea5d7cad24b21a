// Command echoserver is the server every client of the benchmark talks
// to. It is written with the standard library only, so that it favours
// none of the libraries under test: a WebSocket echo (RFC 6455) and, for
// the baseline, a raw TCP echo of fixed-size messages.
//
// It listens on 127.0.0.1 to 127.0.0.N (N set by -addrs), so that many
// client connections spread over many 4-tuples, prints one JSON line
// {"ws":[addresses],"raw":[addresses]} on stdout, and serves until its
// standard input is closed: the benchmark that started it closes it, or
// dies, and the server goes with it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
)

func main() {
	n := flag.Int("addrs", 8, "listen on 127.0.0.1 to 127.0.0.`N`")
	flag.Parse()
	var addrs struct{ WS, Raw []string }
	for i := 1; i <= *n; i++ {
		host := fmt.Sprintf("127.0.0.%d", i)
		for _, l := range []struct {
			list  *[]string
			serve func(net.Conn)
		}{{&addrs.WS, serveWebSocket}, {&addrs.Raw, serveRaw}} {
			ln, err := net.Listen("tcp", host+":0")
			if err != nil {
				log.Fatal(err)
			}
			*l.list = append(*l.list, ln.Addr().String())
			go accept(ln, l.serve)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(addrs); err != nil {
		log.Fatal(err)
	}
	io.Copy(io.Discard, os.Stdin)
}

func accept(ln net.Listener, serve func(net.Conn)) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(nc)
	}
}
