package embedded

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"

	ws "github.com/hackney-go/ws"
)

// Echo returns a handler that sends every message back to its sender.
func (s *Server) Echo() http.Handler {
	return s.handle(service{
		kind: "echo",
		serve: func(c *client) string {
			return serveMessages(c, func(c *client, f ws.Frame) error { return c.send(f) })
		},
	})
}

// Chat returns a handler for one chat room: every message a client sends
// goes to every client in the room, the sender included. A client is in
// the room by the time the server logs it as connected. A member that
// does not take a message within writeTimeout is dropped (closed with
// 1008) rather than allowed to hold the room up again.
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
		serve: func(c *client) string {
			return serveMessages(c, func(_ *client, f ws.Frame) error {
				mu.Lock()
				members := make([]*client, 0, len(room))
				for m := range room {
					members = append(members, m)
				}
				mu.Unlock()
				for _, m := range members {
					// A member whose connection ended is the concern of
					// its own handler; the sender's end is the sender's.
					if err := m.send(f); m == c && err != nil && !errors.Is(err, ws.ErrTimeout) {
						return err
					}
				}
				return nil
			})
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

// Static serves the files of dir (http.FileServer) and hands the
// requests that ask for a WebSocket upgrade to next, so that a page
// served from dir can open a WebSocket to the server that served it.
func Static(dir string, next http.Handler) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasToken(r.Header, "Connection", "upgrade") && hasToken(r.Header, "Upgrade", "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// hasToken reports whether a comma-separated header holds token, without
// regard to case (RFC 9110 section 5.6.1).
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
