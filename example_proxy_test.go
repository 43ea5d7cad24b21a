package ws_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hackney-go/ws"
)

// A proxy that cannot be reached: the error is a *ws.ProxyError naming
// the proxy, its password redacted, with the cause under it. (The proxies
// themselves are tested against real tinyproxy, squid, microsocks and
// dante in internal/interop.)
func ExampleProxy() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()

	_, err := ws.Connect(context.Background(), "wss://example.com/socket",
		ws.Proxy("http://alice:s3cret@"+closed))
	var pe *ws.ProxyError
	if errors.As(err, &pe) {
		fmt.Println(pe.Proxy == "http://alice:xxxxx@"+closed, errors.Is(err, syscall.ECONNREFUSED))
	}
	// Output: true true
}

// ProxyFunc picks the proxy of each URL; nil means none.
func ExampleProxyFunc() {
	target, stop := echoServer()
	defer stop()

	pick := func(u *url.URL) (*url.URL, error) {
		if u.Hostname() == "127.0.0.1" {
			return nil, nil
		}
		return url.Parse("socks5h://proxy.corp:1080")
	}
	conn, err := ws.Connect(context.Background(), target, ws.ProxyFunc(pick))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	conn.Send(ws.Text("direct"))
	f, _ := conn.Recv()
	fmt.Println(f)
	// Output: text "direct"
}

// NetDial brings a transport of one's own: here a TCP dial that reports
// what it was asked for.
func ExampleNetDial() {
	target, stop := echoServer()
	defer stop()

	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		fmt.Println("dialing", network)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	conn, err := ws.Connect(context.Background(), target, ws.NetDial(dial))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	conn.Send(ws.Text("hi"))
	f, _ := conn.Recv()
	fmt.Println(f)
	// Output:
	// dialing tcp
	// text "hi"
}

// A server on a Unix socket, reached by a ws+unix:// URL (the socket's
// path, then after a colon the request's) or by the UnixSocket option.
func ExampleUnixSocket() {
	dir, _ := os.MkdirTemp("", "ws-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "echo.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := ws.Accept(w, r)
		if err != nil {
			return // Accept has answered with what was wrong
		}
		defer conn.Close()
		for { // echo every message until the client closes
			f, err := conn.Recv()
			if err != nil || conn.Send(f) != nil {
				return
			}
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	for _, c := range []struct {
		url  string
		opts []ws.Option
	}{
		{"ws+unix://" + path + ":/echo", nil},
		{"ws://localhost/echo", []ws.Option{ws.UnixSocket(path)}},
	} {
		conn, err := ws.Connect(context.Background(), c.url, c.opts...)
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Send(ws.Text("over " + conn.RemoteAddr().Network()))
		f, _ := conn.Recv()
		fmt.Println(f)
		conn.Close()
	}
	// Output:
	// text "over unix"
	// text "over unix"
}
