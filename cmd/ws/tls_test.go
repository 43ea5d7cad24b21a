package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/server"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	pemPath string
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ws test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	writePEM(t, path, "CERTIFICATE", der)
	return &testCA{cert: cert, key: key, pemPath: path}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// issue makes a certificate signed by the CA, for a server at 127.0.0.1
// or for a client, and writes it and its key as PEM files.
func (ca *testCA) issue(t *testing.T, client bool) (pair tls.Certificate, certPath, keyPath string) {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "ws test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, keyPath, "PRIVATE KEY", keyDER)
	pair, err = tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	return pair, certPath, keyPath
}

// startTLSEcho runs an echo server over TLS with conf (nil: httptest's
// self-signed certificate) and returns its wss:// URL.
func startTLSEcho(t *testing.T, conf *tls.Config) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(server.Handler(server.Options{}, func(c *server.Conn) {
		c.NetConn().SetDeadline(time.Now().Add(testTimeout))
		server.Echo(c)
	}))
	srv.TLS = conf
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss" + strings.TrimPrefix(srv.URL, "https") + "/"
}

func TestTLSWithTestCA(t *testing.T) {
	ca := newTestCA(t)
	pair, _, _ := ca.issue(t, false)
	url := startTLSEcho(t, &tls.Config{Certificates: []tls.Certificate{pair}})

	r := runWS(t, "", "--cacert", ca.pemPath, "-x", "over TLS", "--count", "1", "--wait", "20s", url)
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
	ca := newTestCA(t)
	serverPair, _, _ := ca.issue(t, false)
	_, certPath, keyPath := ca.issue(t, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	url := startTLSEcho(t, &tls.Config{
		Certificates: []tls.Certificate{serverPair},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	})

	r := runWS(t, "", "--cacert", ca.pemPath, "--cert", certPath, "--key", keyPath, "-x", "it's me", "--count", "1", "--wait", "20s", url)
	wantExit(t, r, exitOK)
	if r.stdout != "it's me\n" {
		t.Fatalf("%v", r)
	}

	wantExit(t, runWS(t, "", "--cacert", ca.pemPath, "-x", "who?", url), exitConnect)
}
