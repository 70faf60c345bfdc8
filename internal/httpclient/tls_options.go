package httpclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// VerificationMode is how much of a server's certificate is verified, with Kibana's names
// (xpack.actions.ssl.verificationMode and a connector's verificationMode).
type VerificationMode string

// The verification modes.
const (
	// VerifyFull verifies the certificate chain and that the certificate names the host.
	VerifyFull VerificationMode = "full"
	// VerifyCertificate verifies the certificate chain but not the host name: for servers
	// reached by an address or alias their certificate does not name.
	VerifyCertificate VerificationMode = "certificate"
	// VerifyNone verifies nothing (self-signed test servers); the connection is still
	// encrypted but not authenticated.
	VerifyNone VerificationMode = "none"
)

// TLSOptions are a connector's TLS settings. The zero value verifies fully against the
// system's roots.
type TLSOptions struct {
	// VerificationMode defaults to VerifyFull.
	VerificationMode VerificationMode
	// CAPEM holds the PEM certificates of the authorities to trust. When set they replace
	// the system roots (as Kibana's certificateAuthoritiesData and curl's --cacert do), so a
	// connector pinned to an internal CA trusts nothing else.
	CAPEM []byte
	// ClientCertPEM and ClientKeyPEM are the client certificate (with its chain) and its
	// private key, for servers that require mutual TLS. Both or neither.
	ClientCertPEM []byte
	ClientKeyPEM  []byte
	// ServerName, when set, is sent as SNI and verified instead of the URL's host name
	// (it also applies to the TLS connection to an https proxy).
	ServerName string
}

// tlsConfig builds the client TLS configuration of o (nil o: full verification, system roots).
func (o *TLSOptions) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o == nil {
		return cfg, nil
	}
	cfg.ServerName = o.ServerName
	if len(o.CAPEM) > 0 {
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(o.CAPEM) {
			return nil, fmt.Errorf("reading the TLS CA: %w", errNoPEMCertificate)
		}
	}
	if len(o.ClientCertPEM) > 0 || len(o.ClientKeyPEM) > 0 {
		cert, err := tls.X509KeyPair(o.ClientCertPEM, o.ClientKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("reading the TLS client certificate and key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	switch o.VerificationMode {
	case "", VerifyFull:
	case VerifyCertificate:
		cfg.InsecureSkipVerify = true //nolint:gosec // the chain is verified by VerifyConnection.
		cfg.VerifyConnection = verifyChainOnly(cfg.RootCAs)
	case VerifyNone:
		cfg.InsecureSkipVerify = true //nolint:gosec // the connector's explicit choice.
	default:
		return nil, fmt.Errorf("%w %q (use full, certificate or none)", errVerificationMode, o.VerificationMode)
	}
	return cfg, nil
}

// verifyChainOnly returns a VerifyConnection callback that verifies the server's chain
// against roots (nil: the system roots) without checking the host name.
func verifyChainOnly(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the server sent no certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, cert := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(cert)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
}
