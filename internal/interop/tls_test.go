package interop

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/hackney-go/ws"
)

// testUntrustedCertificate connects to a wss:// peer without trusting the
// test CA, or under another name: verification must refuse the
// certificate, and Connect say so.
func testUntrustedCertificate(t *testing.T, p *peer, certs *certFiles) {
	c := &conns{peer: p}
	for _, tc := range []struct {
		name  string
		opts  []ws.Option
		check func(error) bool
	}{
		{"system-roots", nil, isUnknownAuthority},
		{"empty-config", []ws.Option{ws.TLSConfig(&tls.Config{})}, isUnknownAuthority},
		{"other-name", []ws.Option{ws.TLSConfig(&tls.Config{RootCAs: certs.roots, ServerName: "example.com"})}, isHostnameError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := c.connect(t, "/echo", tc.opts...)
			if err == nil {
				conn.Close()
				t.Fatal("Connect succeeded, want a certificate error")
			}
			var verr *tls.CertificateVerificationError
			if !errors.As(err, &verr) || !tc.check(err) {
				t.Fatalf("Connect: %v (%T), want a certificate verification error", err, err)
			}
		})
	}
}

func isUnknownAuthority(err error) bool {
	var e x509.UnknownAuthorityError
	return errors.As(err, &e)
}

func isHostnameError(err error) bool {
	var e x509.HostnameError
	return errors.As(err, &e)
}
