package wsjson_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/wsjson"
)

// A server that answers each JSON request with a JSON reply, and a
// client that asks it.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r)
		if err != nil {
			return
		}
		defer c.Close()
		var req struct{ A, B int }
		for wsjson.Recv(c, &req) == nil {
			wsjson.Send(c, map[string]int{"sum": req.A + req.B})
		}
	}))
	defer srv.Close()

	conn, err := ws.Connect(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	wsjson.Send(conn, struct{ A, B int }{2, 3})
	var reply map[string]int
	err = wsjson.Recv(conn, &reply)
	fmt.Println(reply["sum"], err)
	// Output: 5 <nil>
}
