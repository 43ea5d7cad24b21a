package ws_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/hackney-go/ws"
)

// The guide's error handling: a refusal is a *ws.HTTPError, a timeout
// matches ws.ErrTimeout, anything else is some other error. Each call of
// connect below meets one of the cases.
func ExampleConnect_errors() {
	ok, stopOK := echoServer()
	defer stopOK()
	refusing, stopRefusing := refusingServer(http.StatusUnauthorized, "missing token")
	defer stopRefusing()
	silent, stopSilent := silentServer()
	defer stopSilent()

	connect := func(url string, opts ...ws.Option) {
		conn, err := ws.Connect(context.Background(), url, opts...)
		var refused *ws.HTTPError
		switch {
		case err == nil:
			fmt.Println("connected")
			conn.Close()
		case errors.As(err, &refused) && refused.StatusCode == http.StatusUnauthorized:
			fmt.Println("unauthorized")
		case errors.Is(err, ws.ErrTimeout):
			fmt.Println("timeout")
		default:
			fmt.Println("error:", err)
		}
	}
	connect(ok)
	connect(refusing)
	connect(silent, ws.ConnectTimeout(300*time.Millisecond))
	connect("http://127.0.0.1/socket")
	// Output:
	// connected
	// unauthorized
	// timeout
	// error: ws: bad URL "http://127.0.0.1/socket": scheme http is not ws or wss
}

// A server that refuses the upgrade: the error carries the status, the
// response's headers and the start of its body.
func ExampleHTTPError() {
	url, stop := refusingServer(http.StatusUnauthorized, "missing token")
	defer stop()

	_, err := ws.Connect(context.Background(), url)
	var refused *ws.HTTPError
	if errors.As(err, &refused) {
		fmt.Println(refused.StatusCode, refused.Status)
		fmt.Printf("%q\n", refused.Body)
		fmt.Println(refused.Header.Get("Content-Type"))
	}
	// Output:
	// 401 Unauthorized
	// "missing token\n"
	// text/plain; charset=utf-8
}

// ConnectTimeout bounds the whole of Connect. This server accepts the TCP
// connection and never answers the upgrade request.
func ExampleConnectTimeout() {
	url, stop := silentServer()
	defer stop()

	_, err := ws.Connect(context.Background(), url, ws.ConnectTimeout(300*time.Millisecond))
	fmt.Println(errors.Is(err, ws.ErrTimeout))
	var ne net.Error
	fmt.Println(errors.As(err, &ne) && ne.Timeout())
	// Output:
	// true
	// true
}

// The handshake is checked strictly: this server chooses a subprotocol
// the client did not offer.
func ExampleHandshakeError() {
	url, stop := wrongProtocolServer()
	defer stop()

	_, err := ws.Connect(context.Background(), url, ws.Protocols("graphql-ws"))
	var bad *ws.HandshakeError
	if errors.As(err, &bad) {
		fmt.Println(errors.Is(err, ws.ErrUnofferedProtocol), bad.Header, bad.Value)
	}
	// Output: true Sec-WebSocket-Protocol chat
}

// A message over the limit is refused before its payload is buffered; the
// Conn closes with 1009 (message too big).
func ExampleMaxMessageSize() {
	url, stop := scriptServer(binary(make([]byte, 2048)))
	defer stop()
	conn, err := ws.Connect(context.Background(), url, ws.MaxMessageSize(1024))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	_, err = conn.Recv()
	var tooBig *ws.MessageTooBigError
	if errors.As(err, &tooBig) {
		fmt.Println(tooBig.Size, tooBig.Limit)
	}
	// Output: 2048 1024
}
