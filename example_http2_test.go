package ws_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	ws "github.com/hackney-go/ws"
)

// A WebSocket on a stream of an HTTP/2 connection (RFC 8441), both ends:
// ws.Accept takes the extended CONNECT, which Go's HTTP/2 server offers
// in a process started with GODEBUG=http2xconnect=1 (this example's test
// binary is), and HTTP2Require makes Connect open the WebSocket that way
// or fail.
func ExampleHTTP2() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, ws.RecvTimeout(exampleTimeout))
		if err != nil {
			return
		}
		// Over HTTP/2 the handler's return ends the stream: not before
		// the Conn is closed.
		defer c.Close()
		if f, err := c.Recv(); err == nil {
			c.Send(f)
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	trust := srv.Client().Transport.(*http.Transport).TLSClientConfig

	ctx, cancel := context.WithTimeout(context.Background(), exampleTimeout)
	defer cancel()
	url := "wss" + strings.TrimPrefix(srv.URL, "https")
	conn, err := ws.Connect(ctx, url, ws.HTTP2(ws.HTTP2Require), ws.TLSConfig(trust), ws.RecvTimeout(exampleTimeout))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Println(conn.Proto())
	conn.Send(ws.Text("over a stream"))
	if f, err := conn.Recv(); err == nil {
		fmt.Println(f.Text())
	}
	// Output:
	// HTTP/2.0
	// over a stream
}
