package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// loadRoots reads the CA certificates of a PEM file given with flag. Like
// curl's --cacert, they replace the system's roots.
func loadRoots(flag, path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", flag, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s %s: no PEM certificate in it", flag, path)
	}
	return pool, nil
}

// tlsConfig builds the TLS configuration of --cacert, --cert, --key and
// --insecure; nil when none is given, for Go's defaults.
func (c *connectConfig) tlsConfig() (*tls.Config, error) {
	if c.cacert == "" && c.cert == "" && c.key == "" && !c.insecure {
		return nil, nil
	}
	conf := &tls.Config{InsecureSkipVerify: c.insecure}
	if c.cacert != "" {
		pool, err := loadRoots("--cacert", c.cacert)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	if c.key != "" && c.cert == "" {
		return nil, errors.New("--key goes with --cert")
	}
	if c.cert != "" {
		key := c.key
		if key == "" {
			key = c.cert // one PEM file holding both
		}
		pair, err := tls.LoadX509KeyPair(c.cert, key)
		if err != nil {
			return nil, fmt.Errorf("--cert/--key: %v", err)
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	return conf, nil
}
