package main

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
	"github.com/hackney-go/ws/internal/testcert"
)

// loopback is the address the test servers' certificates are for.
var loopback = []net.IP{net.IPv4(127, 0, 0, 1)}

// startTLSEcho runs an echo server over TLS with conf (nil: httptest's
// self-signed certificate) and returns its wss:// URL.
func startTLSEcho(t *testing.T, conf *tls.Config) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := ws.Accept(w, r, ws.RecvTimeout(testTimeout))
		if err != nil {
			return
		}
		defer c.Close()
		echo(c)
	}))
	srv.TLS = conf
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss" + strings.TrimPrefix(srv.URL, "https") + "/"
}

func TestTLSWithTestCA(t *testing.T) {
	ca := testcert.NewCA(t, "ws test CA")
	pair := ca.Issue(t, testcert.Options{IPs: loopback})
	url := startTLSEcho(t, &tls.Config{Certificates: []tls.Certificate{pair}})

	r := runWS(t, "", "--cacert", ca.WritePEM(t), "-x", "over TLS", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "over TLS\n" {
		t.Fatalf("%v", r)
	}

	r = runWS(t, "", "-x", "unverified", url)
	wantExit(t, r, exitConnect)
	if !strings.Contains(r.stderr, "certificate") || !strings.Contains(r.stderr, "--cacert") {
		t.Fatalf("no explanation and hint: %v", r)
	}
}

func TestTLSInsecureSelfSigned(t *testing.T) {
	url := startTLSEcho(t, nil)
	r := runWS(t, "", "--insecure", "-x", "trust me", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "trust me\n" {
		t.Fatalf("%v", r)
	}
	wantExit(t, runWS(t, "", "-x", "no", url), exitConnect)
}

func TestTLSClientCertificate(t *testing.T) {
	ca := testcert.NewCA(t, "ws test CA")
	caFile := ca.WritePEM(t)
	certFile, keyFile := testcert.WritePEM(t, ca.Issue(t, testcert.Options{Client: true}))
	url := startTLSEcho(t, &tls.Config{
		Certificates: []tls.Certificate{ca.Issue(t, testcert.Options{IPs: loopback})},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool,
	})

	r := runWS(t, "", "--cacert", caFile, "--cert", certFile, "--key", keyFile, "-x", "it's me", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "it's me\n" {
		t.Fatalf("%v", r)
	}

	wantExit(t, runWS(t, "", "--cacert", caFile, "-x", "who?", url), exitConnect)
}
