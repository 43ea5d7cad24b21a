package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// tlsConfig builds the TLS configuration of --cacert, --cert, --key and
// --insecure; nil when none is given, for Go's defaults.
func (c *connectConfig) tlsConfig() (*tls.Config, error) {
	if c.cacert == "" && c.cert == "" && c.key == "" && !c.insecure {
		return nil, nil
	}
	conf := &tls.Config{InsecureSkipVerify: c.insecure}
	if c.cacert != "" {
		pem, err := os.ReadFile(c.cacert)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s: no PEM certificate in it", c.cacert)
		}
		// Like curl's --cacert, the file replaces the system's roots.
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
