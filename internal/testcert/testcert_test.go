package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"testing"
	"time"
)

// TestIssueVerifies: a certificate verifies against its CA's pool for the
// names, addresses, usage and time it was issued for, and not otherwise.
func TestIssueVerifies(t *testing.T) {
	ca, stranger := NewCA(t, "test CA"), NewCA(t, "other CA")
	now := time.Now()
	server := leaf(t, ca.Issue(t, Options{DNS: []string{"a.example"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}))
	client := leaf(t, ca.Issue(t, Options{Client: true}))
	expired := leaf(t, ca.Issue(t, Options{NotBefore: now.Add(-2 * time.Hour), NotAfter: now.Add(-time.Hour)}))
	server2 := leaf(t, ca.Issue(t, Options{}))
	if server.SerialNumber.Cmp(server2.SerialNumber) == 0 {
		t.Error("two certificates of one CA share a serial number")
	}

	for _, tc := range []struct {
		name string
		cert *x509.Certificate
		opts x509.VerifyOptions
		ok   bool
	}{
		{"server by name", server, x509.VerifyOptions{Roots: ca.Pool, DNSName: "a.example"}, true},
		{"server by address", server, x509.VerifyOptions{Roots: ca.Pool, DNSName: "127.0.0.1"}, true},
		{"server, other name", server, x509.VerifyOptions{Roots: ca.Pool, DNSName: "b.example"}, false},
		{"server, other CA", server, x509.VerifyOptions{Roots: stranger.Pool}, false},
		{"server as client", server, x509.VerifyOptions{Roots: ca.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, false},
		{"client", client, x509.VerifyOptions{Roots: ca.Pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, true},
		{"client as server", client, x509.VerifyOptions{Roots: ca.Pool}, false},
		{"expired", expired, x509.VerifyOptions{Roots: ca.Pool}, false},
		{"expired, then", expired, x509.VerifyOptions{Roots: ca.Pool, CurrentTime: now.Add(-90 * time.Minute)}, true},
	} {
		if _, err := tc.cert.Verify(tc.opts); (err == nil) != tc.ok {
			t.Errorf("%s: Verify: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// TestWritePEM: the files load back as the same certificate (and
// LoadX509KeyPair checks the key matches it), and the CA's file as the CA.
func TestWritePEM(t *testing.T) {
	ca := NewCA(t, "test CA")
	pair := ca.Issue(t, Options{IPs: []net.IP{net.IPv6loopback}})
	certFile, keyFile := WritePEM(t, pair)
	loaded, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Leaf.Equal(leaf(t, pair)) {
		t.Error("the certificate file holds another certificate")
	}

	data, err := os.ReadFile(ca.WritePEM(t))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) || !pool.Equal(ca.Pool) {
		t.Error("the CA file does not hold the CA's certificate")
	}
}

func leaf(t *testing.T, pair tls.Certificate) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}
