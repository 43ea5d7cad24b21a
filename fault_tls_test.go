package ws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/server"
)

// testCA is a certificate authority made for one test, so that the client
// verifies the server as it would any other, on loopback.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool // trusts this CA only
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key := newECKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue signs a server certificate for the given names and addresses,
// valid from notBefore to notAfter.
func (ca *testCA) issue(t *testing.T, dns []string, ips []net.IP, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key := newECKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "ws fault test server"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// tlsEcho serves echo over TLS on 127.0.0.1 with cert and returns the
// wss:// URL.
func tlsEcho(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(server.Handler(server.Options{}, func(c *server.Conn) { server.Echo(c) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// The handshakes the client refuses are the point, not news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss" + strings.TrimPrefix(srv.URL, "https")
}

// TestFaultTLSVerification: a certificate the client must not accept
// fails Connect with the verification error itself (errors.As finds the
// x509 error in a *tls.CertificateVerificationError), not a timeout;
// each time the same server with the right trust or name is accepted, so
// that the one fault is what fails.
func TestFaultTLSVerification(t *testing.T) {
	ca, stranger := newTestCA(t, "ws fault test CA"), newTestCA(t, "another CA")
	now := time.Now()
	loopback := []net.IP{net.IPv4(127, 0, 0, 1)}
	for _, tc := range []struct {
		name   string
		cert   tls.Certificate
		bad    *tls.Config // nil: Go's default, the system's roots
		good   *tls.Config
		reason func(error) bool
	}{
		{
			name: "wrong host name",
			cert: ca.issue(t, []string{"other.example"}, nil, now.Add(-time.Hour), now.Add(time.Hour)),
			bad:  &tls.Config{RootCAs: ca.pool},
			good: &tls.Config{RootCAs: ca.pool, ServerName: "other.example"},
			reason: func(err error) bool {
				var he x509.HostnameError
				return errors.As(err, &he) && he.Host == "127.0.0.1"
			},
		},
		{
			name: "certificate of an untrusted CA",
			cert: ca.issue(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour)),
			bad:  &tls.Config{RootCAs: stranger.pool},
			good: &tls.Config{RootCAs: ca.pool},
			reason: func(err error) bool {
				var ue x509.UnknownAuthorityError
				return errors.As(err, &ue)
			},
		},
		{
			name: "certificate of an untrusted CA, system roots",
			cert: ca.issue(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour)),
			good: &tls.Config{RootCAs: ca.pool},
			reason: func(err error) bool {
				var ue x509.UnknownAuthorityError
				return errors.As(err, &ue)
			},
		},
		{
			name: "expired certificate",
			cert: ca.issue(t, nil, loopback, now.Add(-2*time.Hour), now.Add(-time.Hour)),
			bad:  &tls.Config{RootCAs: ca.pool},
			good: &tls.Config{RootCAs: ca.pool, Time: func() time.Time { return now.Add(-90 * time.Minute) }},
			reason: func(err error) bool {
				var ie x509.CertificateInvalidError
				return errors.As(err, &ie) && ie.Reason == x509.Expired
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := tlsEcho(t, tc.cert)
			var opts []Option
			if tc.bad != nil {
				opts = append(opts, TLSConfig(tc.bad))
			}
			c, err := Connect(testCtx(t), url, opts...)
			if err == nil {
				c.Close()
				t.Fatal("Connect accepted the certificate")
			}
			var ve *tls.CertificateVerificationError
			if !errors.As(err, &ve) || !tc.reason(err) {
				t.Fatalf("Connect: %v (%T), want the x509 verification error", err, err)
			}
			if errors.Is(err, ErrTimeout) {
				t.Fatalf("a refused certificate is not a timeout: %v", err)
			}

			c = dial(t, url, TLSConfig(tc.good))
			if err := c.Send(Text("verified")); err != nil {
				t.Fatal(err)
			}
			if f := recvWithin(t, c); f.Text() != "verified" {
				t.Fatalf("echo over TLS: %v", f)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			waitDone(t, c)
		})
	}
}
