package h2_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
)

// TestFallback: HTTP2Prefer falls back to HTTP/1.1 when the server's TLS
// handshake chooses no h2, or its SETTINGS do not enable the extended
// CONNECT (the Go peer started without GODEBUG=http2xconnect=1);
// HTTP2Require fails with *HTTP2Error.
func TestFallback(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h2     bool
		reason string
	}{
		{"no h2 in ALPN", false, "ALPN"},
		{"no extended CONNECT", true, "SETTINGS_ENABLE_CONNECT_PROTOCOL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var url string
			var conf *tls.Config
			if tc.h2 {
				p := startPeer(t, false, 0, false)
				url, conf = p.base+"/echo", p.tls
			} else {
				srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					serve(w, r, nil, echoConn)
				}))
				srv.EnableHTTP2 = false
				srv.StartTLS()
				defer srv.Close()
				conf = srv.Client().Transport.(*http.Transport).TLSClientConfig
				url = "wss" + strings.TrimPrefix(srv.URL, "https") + "/"
			}
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			for range 2 { // the second Connect meets the remembered refusal
				c, err := ws.Connect(ctx, url, ws.HTTP2(ws.HTTP2Prefer), ws.TLSConfig(conf), ws.RecvTimeout(testTimeout))
				if err != nil {
					t.Fatal(err)
				}
				if c.Proto() != "HTTP/1.1" {
					t.Fatalf("Proto() = %q after the fallback", c.Proto())
				}
				echo(t, c, ws.Text("over HTTP/1.1"))
				c.Close()
				_, err = ws.Connect(ctx, url, ws.HTTP2(ws.HTTP2Require), ws.TLSConfig(conf))
				var he *ws.HTTP2Error
				if !errors.As(err, &he) || !strings.Contains(he.Reason, tc.reason) {
					t.Fatalf("HTTP2Require: %v, want an HTTP2Error about %s", err, tc.reason)
				}
			}
		})
	}
}
