package interop

import (
	"crypto/x509"
	"net"
	"testing"

	"github.com/hackney-go/ws/internal/testcert"
)

// certFiles are the PEM files of a server certificate for 127.0.0.1 and
// its key, and the pool holding the test CA that signed it.
type certFiles struct {
	cert, key string
	roots     *x509.CertPool
}

// newCerts makes a CA for this test only and a server certificate it
// signs, so that the client verifies the peer as it would any server.
func newCerts(t *testing.T) *certFiles {
	t.Helper()
	ca := testcert.NewCA(t, "ws interop test CA")
	cert, key := testcert.WritePEM(t, ca.Issue(t, testcert.Options{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
	return &certFiles{cert: cert, key: key, roots: ca.Pool}
}
