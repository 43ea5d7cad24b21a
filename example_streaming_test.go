package ws_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/wsjson"
)

// Receiving a message as it arrives: the reader yields the payload as
// the fragments come, never holding the message whole.
func ExampleConn_RecvReader() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	conn.SendFrom(ws.TextFrame, strings.NewReader(strings.Repeat("line\n", 100000)))
	kind, r, err := conn.RecvReader()
	if err != nil {
		fmt.Println(err)
		return
	}
	lines := 0
	for sc := bufio.NewScanner(r); sc.Scan(); {
		lines++
	}
	fmt.Println(kind, lines)
	// Output: text 100000
}

// RecvReaderContext bounds the wait for the message and every Read of it
// by one context.
func ExampleConn_RecvReaderContext() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	conn.Send(ws.Binary([]byte{1, 2, 3}))
	ctx, cancel := context.WithTimeout(context.Background(), exampleTimeout)
	defer cancel()
	_, r, err := conn.RecvReaderContext(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := io.ReadAll(r)
	fmt.Println(b, err)
	// Output: [1 2 3] <nil>
}

// Writing a message as it is produced: each 64 KiB goes out as a
// fragment, and Close ends the message.
func ExampleConn_SendWriter() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	w, err := conn.SendWriter(ws.TextFrame)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		fmt.Fprintf(w, "row %d;", i)
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	f, _ := conn.Recv()
	fmt.Println(f.Text())
	// Output: row 0;row 1;row 2;
}

// NetConn makes a Conn a byte stream for code that speaks one: here each
// Write is a message, and Read reads the echoed messages as one stream.
func ExampleNetConn() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	nc := ws.NetConn(conn, ws.BinaryFrame)
	defer nc.Close()

	fmt.Fprint(nc, "hello, ")
	fmt.Fprint(nc, "stream")
	buf := make([]byte, len("hello, stream"))
	_, err = io.ReadFull(nc, buf)
	fmt.Println(string(buf), err)
	// Output: hello, stream <nil>
}

// JSON values, one per message.
func Example_wsjson() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	type order struct {
		ID    int
		Items []string
	}
	if err := wsjson.Send(conn, order{7, []string{"tea", "cake"}}); err != nil {
		fmt.Println(err)
		return
	}
	var got order
	err = wsjson.Recv(conn, &got)
	fmt.Println(got, err)
	// Output: {7 [tea cake]} <nil>
}
