package interop

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testcert"
)

// TestUnixSocket connects to each peer serving on a Unix socket, by a
// ws+unix:// URL (Node's syntax) and by the UnixSocket option, over
// plain and TLS, and checks a compressed echo of 1 MiB.
func TestUnixSocket(t *testing.T) {
	t.Parallel()
	ca := testcert.NewCA(t, "ws unix test CA")
	cert, key := testcert.WritePEM(t, ca.Issue(t, testcert.Options{DNS: []string{"localhost"}}))
	for _, spec := range []peerSpec{node, python} {
		for _, secure := range []bool{false, true} {
			name := spec.name + "/ws"
			if secure {
				name = spec.name + "/wss"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				// A socket's path is short (108 bytes): not under t.TempDir.
				dir, err := os.MkdirTemp("", "ws-unix-")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(dir) })
				path := filepath.Join(dir, "peer.sock")
				args := []string{"--unix", path}
				scheme := "ws"
				if secure {
					args = append(args, "--cert", cert, "--key", key)
					scheme = "wss"
				}
				p, line := launchPeer(t, spec, args)
				if line != path {
					t.Fatalf("peer %s printed %q, want its socket %s", spec.name, line, path)
				}
				query := "?deflate=default"
				if spec.name == "python" {
					query = "" // permessage-deflate is python-websockets' default
				}
				opts := []ws.Option{ws.Compression(ws.Deflate{}), ws.TLSConfig(&tls.Config{RootCAs: ca.Pool})}
				for _, via := range []struct {
					name string
					url  string
					opts []ws.Option
				}{
					{"url", scheme + "+unix://" + path + ":/echo" + query, nil},
					{"option", scheme + "://localhost/echo" + query, []ws.Option{ws.UnixSocket(path)}},
				} {
					t.Run(via.name, func(t *testing.T) {
						id := newID()
						url := via.url + "&id=" + id
						if query == "" {
							url = via.url + "?id=" + id
						}
						ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
						defer cancel()
						c, err := ws.Connect(ctx, url, append(opts, via.opts...)...)
						if err != nil {
							t.Fatalf("Connect(%s): %v", url, err)
						}
						defer c.Close()
						if _, ok := c.Compression(); !ok {
							t.Fatal("permessage-deflate was not negotiated")
						}
						if _, ok := c.RemoteAddr().(*net.UnixAddr); !ok {
							t.Fatalf("remote address %v is not a Unix socket's", c.RemoteAddr())
						}
						m := message(ws.TextFrame, proxyEchoSize)
						send(t, c, m)
						checkFrame(t, recv(t, c), m)
						if err := c.Close(); err != nil {
							t.Fatalf("Close: %v", err)
						}
						if r := p.waitReport(t, id); r.Code != 1000 {
							t.Fatalf("peer saw %+v, want close 1000", r)
						}
					})
				}
			})
		}
	}
}
