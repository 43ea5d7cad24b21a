package ws

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hackney-go/ws/internal/testcert"
)

// tlsEcho serves echo over TLS on 127.0.0.1 with cert and returns the
// wss:// URL.
func tlsEcho(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(echoHandler())
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
	ca, stranger := testcert.NewCA(t, "ws fault test CA"), testcert.NewCA(t, "another CA")
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
			cert: ca.Issue(t, testcert.Options{DNS: []string{"other.example"}}),
			bad:  &tls.Config{RootCAs: ca.Pool},
			good: &tls.Config{RootCAs: ca.Pool, ServerName: "other.example"},
			reason: func(err error) bool {
				var he x509.HostnameError
				return errors.As(err, &he) && he.Host == "127.0.0.1"
			},
		},
		{
			name: "certificate of an untrusted CA",
			cert: ca.Issue(t, testcert.Options{IPs: loopback}),
			bad:  &tls.Config{RootCAs: stranger.Pool},
			good: &tls.Config{RootCAs: ca.Pool},
			reason: func(err error) bool {
				var ue x509.UnknownAuthorityError
				return errors.As(err, &ue)
			},
		},
		{
			name: "certificate of an untrusted CA, system roots",
			cert: ca.Issue(t, testcert.Options{IPs: loopback}),
			good: &tls.Config{RootCAs: ca.Pool},
			reason: func(err error) bool {
				var ue x509.UnknownAuthorityError
				return errors.As(err, &ue)
			},
		},
		{
			name: "expired certificate",
			cert: ca.Issue(t, testcert.Options{IPs: loopback, NotBefore: now.Add(-2 * time.Hour), NotAfter: now.Add(-time.Hour)}),
			bad:  &tls.Config{RootCAs: ca.Pool},
			good: &tls.Config{RootCAs: ca.Pool, Time: func() time.Time { return now.Add(-90 * time.Minute) }},
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
