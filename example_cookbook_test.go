package ws_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/hackney-go/ws"
)

// tokenServer echoes for clients that send "Authorization: Bearer
// token", and refuses the others with 401, as ws serve --token does.
func tokenServer(token string) (url string, stop func()) {
	s := newHTTPServer().start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "a bearer token is needed", http.StatusUnauthorized)
			return
		}
		conn, err := ws.Accept(w, r)
		if err != nil {
			return
		}
		defer conn.Close()
		echo(conn, r)
	}), false)
	return s.url(), s.stop
}

// The README's cookbook: connect with a bearer token; a wrong one is
// refused with 401, which *ws.HTTPError reports.
func Example_bearerToken() {
	url, stop := tokenServer("s3cret")
	defer stop()
	ctx := context.Background()

	for _, token := range []string{"s3cret", "guess"} {
		conn, err := ws.Connect(ctx, url, ws.Header("Authorization", "Bearer "+token))
		var refused *ws.HTTPError
		if errors.As(err, &refused) && refused.StatusCode == http.StatusUnauthorized {
			fmt.Printf("%s: refused, %s\n", token, refused.Status)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: connected\n", token)
		conn.Close()
	}
	// Output:
	// s3cret: connected
	// guess: refused, Unauthorized
}

type subscribe struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
}

// The README's cookbook: send and read JSON, with encoding/json on the
// payloads.
func Example_readJSON() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	msg, _ := json.Marshal(subscribe{Type: "subscribe", Channel: "prices"})
	if err := conn.Send(ws.Text(msg)); err != nil {
		fmt.Println(err)
		return
	}
	f, err := conn.Recv()
	if err != nil {
		fmt.Println(err)
		return
	}
	var reply subscribe
	err = json.Unmarshal(f.Payload, &reply)
	fmt.Printf("%+v %v\n", reply, err)
	// Output: {Type:subscribe Channel:prices} <nil>
}

// The README's cookbook: stream a file as one binary message, never held
// whole; the echo comes back as one message.
func Example_streamFile() {
	url, stop := echoServer()
	defer stop()
	conn, err := ws.Connect(context.Background(), url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	dir, _ := os.MkdirTemp("", "ws-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "photo.jpg")
	os.WriteFile(path, make([]byte, 300<<10), 0o600)

	file, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer file.Close()
	// Read and sent in fragments, as fast as the server takes them: the file
	// is never held whole.
	err = conn.SendFrom(ws.BinaryFrame, file)
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := conn.Recv()
	fmt.Println(f.Kind, len(f.Payload), err)
	// Output: binary 307200 <nil>
}
