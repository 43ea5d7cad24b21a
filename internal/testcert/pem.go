package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// WritePEM writes the CA's certificate as a PEM file in a directory of
// the test's own and returns its path, for programs that take a trust
// root as a file.
func (ca *CA) WritePEM(tb testing.TB) (certFile string) {
	tb.Helper()
	certFile = filepath.Join(tb.TempDir(), "ca.pem")
	writeFile(tb, certFile, pemBlocks("CERTIFICATE", ca.Cert.Raw))
	return certFile
}

// WritePEM writes pair's certificate chain and its key (PKCS #8) as PEM
// files in a directory of the test's own and returns their paths, for
// programs that load a certificate from files.
func WritePEM(tb testing.TB, pair tls.Certificate) (certFile, keyFile string) {
	tb.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(pair.PrivateKey)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(tb, certFile, pemBlocks("CERTIFICATE", pair.Certificate...))
	writeFile(tb, keyFile, pemBlocks("PRIVATE KEY", keyDER))
	return certFile, keyFile
}

func pemBlocks(typ string, ders ...[]byte) []byte {
	var out []byte
	for _, der := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})...)
	}
	return out
}

func writeFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}
