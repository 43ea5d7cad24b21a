package embedded

import (
	"crypto/subtle"
	"net/http"
	"sync"

	"github.com/hackney-go/ws/internal/proto"
)

// Echo returns a handler that sends every message back to its sender.
func (s *Server) Echo() http.Handler {
	return s.handle(service{
		kind:    "echo",
		message: func(c *client, f proto.Frame) { c.write(f.Op, f.Payload) },
	})
}

// Chat returns a handler for one chat room: every message a client sends
// goes to every client in the room, the sender included. A client is in
// the room by the time the server logs it as connected.
func (s *Server) Chat() http.Handler {
	var mu sync.Mutex
	room := map[*client]struct{}{}
	return s.handle(service{
		kind: "chat",
		join: func(c *client) {
			mu.Lock()
			room[c] = struct{}{}
			mu.Unlock()
		},
		leave: func(c *client) {
			mu.Lock()
			delete(room, c)
			mu.Unlock()
		},
		message: func(_ *client, f proto.Frame) {
			mu.Lock()
			members := make([]*client, 0, len(room))
			for m := range room {
				members = append(members, m)
			}
			mu.Unlock()
			for _, m := range members {
				m.write(f.Op, f.Payload)
			}
		},
	})
}

// RequireToken guards next: an upgrade request without the header
// "Authorization: Bearer <token>" is refused with 401 and a body saying
// what is missing.
func (s *Server) RequireToken(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			s.logf("%s refused %s: 401, no valid bearer token", r.RemoteAddr, r.URL.RequestURI())
			w.Header().Set("WWW-Authenticate", `Bearer realm="ws"`)
			http.Error(w, "missing or wrong bearer token: send the header \"Authorization: Bearer <token>\"", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
