package ws_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/hackney-go/ws"
)

// Offering permessage-deflate: messages of 64 bytes or more go out
// compressed, and what the server compresses comes back inflated.
func ExampleCompression() {
	s := startWS(false, echo, ws.Compression(ws.Deflate{})) // a server that accepts the offer
	defer s.stop()
	conn, err := ws.Connect(context.Background(), s.url(), ws.Compression(ws.Deflate{Threshold: 64}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	params, ok := conn.Compression()
	fmt.Println("negotiated:", ok, "server window bits:", params.ServerMaxWindowBits)
	conn.Send(ws.Text(strings.Repeat(`{"id":1,"name":"ws"},`, 100)))
	f, _ := conn.Recv()
	fmt.Println(len(f.Payload))
	// Output:
	// negotiated: true server window bits: 15
	// 2100
}
