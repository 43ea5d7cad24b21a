package ws_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/hackney-go/ws"
)

// The guide's quick start: connect, send a text message, receive its echo,
// close.
func Example() {
	url, stop := echoServer()
	defer stop()

	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := conn.Send(ws.Text("Hello!")); err != nil {
		fmt.Println(err)
		return
	}
	f, err := conn.Recv()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f)
	conn.Close()
	// Output: text "Hello!"
}

// A simple connection, with the defaults of every option.
func ExampleConnect() {
	url, stop := echoServer()
	defer stop()

	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Printf("connected, subprotocol %q\n", conn.Subprotocol())
	// Output: connected, subprotocol ""
}

// A connection with options. The server speaks graphql-ws and first
// tells each client the Authorization header it received.
func ExampleConnect_options() {
	url, stop := whoAmIServer("graphql-ws")
	defer stop()

	conn, err := ws.Connect(context.Background(), url,
		ws.ConnectTimeout(5*time.Second),
		ws.RecvTimeout(30*time.Second),
		ws.Header("Authorization", "Bearer token"),
		ws.Protocols("graphql-ws"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Println("subprotocol:", conn.Subprotocol())
	f, err := conn.Recv()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("server saw", f.Text())
	// Output:
	// subprotocol: graphql-ws
	// server saw Authorization: Bearer token
}

// Every option of the guide's table, over wss://. The values given are
// the defaults, except where a comment says otherwise.
func ExampleOption() {
	url, certs, stop := tlsEchoServer(ws.Protocols("graphql-ws"))
	defer stop()

	conn, err := ws.Connect(context.Background(), url,
		ws.ConnectTimeout(8*time.Second),           // connect_timeout: TCP, TLS and upgrade together
		ws.RecvTimeout(0),                          // recv_timeout: 0 waits for ever
		ws.Header("Authorization", "Bearer token"), // headers: none by default
		ws.Protocols("graphql-ws"),                 // protocols: none by default
		ws.ActiveMode(ws.Active),                   // active: ws.Passive by default
		ws.TLSConfig(&tls.Config{RootCAs: certs}),  // ssl_options: the system's roots by default
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	if err := conn.Send(ws.Text("over TLS")); err != nil {
		fmt.Println(err)
		return
	}
	ev := <-conn.Events()
	fmt.Println(conn.Subprotocol(), ev.Frame)
	// Output: graphql-ws text "over TLS"
}
