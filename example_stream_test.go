package ws_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/hackney-go/ws"
)

// Streaming a message from an io.Reader: it goes out in fragments and is
// never held whole; the peer receives one message.
func ExampleConn_SendFrom() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	text := strings.Repeat("all work and no play ", 10000) // 210 KB
	if err := conn.SendFrom(ws.TextFrame, strings.NewReader(text)); err != nil {
		fmt.Println(err)
		return
	}

	f, err := conn.Recv()
	fmt.Println(f.Kind, len(f.Payload), f.Text() == text, err)
	// Output: text 210000 true <nil>
}
