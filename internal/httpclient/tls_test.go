package httpclient_test

import (
	"context"
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
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/httpclient"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Errand Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a certificate for cn (and the DNS names) signed by the CA, as PEM and as a
// tls.Certificate.
func (ca *testCA) issue(t *testing.T, cn string, usage x509.ExtKeyUsage, dnsNames ...string) (certPEM, keyPEM []byte, pair tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     dnsNames,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	pair, err = tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return certPEM, keyPEM, pair
}

// serveTLS starts an HTTPS server with cfg (nil: httptest's own self-signed certificate)
// that answers with the common name of the client certificate, if any.
func serveTLS(t *testing.T, cfg *tls.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) > 0 {
			_, _ = io.WriteString(w, "client "+r.TLS.PeerCertificates[0].Subject.CommonName)
			return
		}
		_, _ = io.WriteString(w, "anonymous")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if cfg != nil {
		srv.TLS = cfg
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestDoTLSVerificationModes(t *testing.T) {
	ca := newTestCA(t)
	_, _, serverCert := ca.issue(t, "api.example", x509.ExtKeyUsageServerAuth, "api.example")
	byCA := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12})
	selfSigned := serveTLS(t, nil)
	dns := fakeDNS{"api.example": {"127.0.0.1"}, "other.example": {"127.0.0.1"}}
	tests := []struct {
		name   string
		srv    *httptest.Server
		host   string
		tls    *httpclient.TLSOptions
		wantOK bool
	}{
		{"full with the CA", byCA, "api.example", &httpclient.TLSOptions{CAPEM: ca.pem}, true},
		{"full, default mode spelled out", byCA, "api.example", &httpclient.TLSOptions{VerificationMode: httpclient.VerifyFull, CAPEM: ca.pem}, true},
		{"full without the CA", byCA, "api.example", nil, false},
		{"full, wrong host", byCA, "other.example", &httpclient.TLSOptions{CAPEM: ca.pem}, false},
		{"full, wrong host, server name set", byCA, "other.example", &httpclient.TLSOptions{CAPEM: ca.pem, ServerName: "api.example"}, true},
		{"certificate, wrong host", byCA, "other.example", &httpclient.TLSOptions{VerificationMode: httpclient.VerifyCertificate, CAPEM: ca.pem}, true},
		{"certificate without the CA", byCA, "api.example", &httpclient.TLSOptions{VerificationMode: httpclient.VerifyCertificate}, false},
		{"certificate, self-signed", selfSigned, "other.example", &httpclient.TLSOptions{VerificationMode: httpclient.VerifyCertificate, CAPEM: ca.pem}, false},
		{"full, self-signed", selfSigned, "other.example", &httpclient.TLSOptions{CAPEM: ca.pem}, false},
		{"none, self-signed", selfSigned, "other.example", &httpclient.TLSOptions{VerificationMode: httpclient.VerifyNone}, true},
		{"none, wrong CA", byCA, "other.example", &httpclient.TLSOptions{VerificationMode: httpclient.VerifyNone}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(httpclient.Options{TLS: tt.tls, LookupIP: dns.lookup})
			resp, err := c.Do(context.Background(), &httpclient.Request{URL: at(t, tt.srv.URL, tt.host)})
			if tt.wantOK {
				require.NoError(t, err)
				require.Equal(t, "anonymous", string(resp.Body))
				return
			}
			require.ErrorIs(t, err, httpclient.ErrNetwork)
			var herr *httpclient.Error
			require.ErrorAs(t, err, &herr)
			require.False(t, herr.Retryable, "a bad certificate stays bad")
			require.ErrorContains(t, err, "to accept it")
		})
	}
}

func TestDoTLSClientCertificate(t *testing.T) {
	ca := newTestCA(t)
	_, _, serverCert := ca.issue(t, "api.example", x509.ExtKeyUsageServerAuth, "api.example")
	clientCertPEM, clientKeyPEM, _ := ca.issue(t, "errand-client", x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := serveTLS(t, &tls.Config{
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	})
	url := at(t, srv.URL, "api.example")
	dns := fakeDNS{"api.example": {"127.0.0.1"}}

	c := newClient(httpclient.Options{LookupIP: dns.lookup, TLS: &httpclient.TLSOptions{CAPEM: ca.pem}})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: url})
	require.ErrorIs(t, err, httpclient.ErrNetwork, "the server requires a client certificate")

	c = newClient(httpclient.Options{LookupIP: dns.lookup, TLS: &httpclient.TLSOptions{
		CAPEM: ca.pem, ClientCertPEM: clientCertPEM, ClientKeyPEM: clientKeyPEM,
	}})
	resp, err := c.Do(context.Background(), &httpclient.Request{URL: url})
	require.NoError(t, err)
	require.Equal(t, "client errand-client", string(resp.Body))
}

func TestDoRequestInsecureSkipVerifyOverridesConnectorTLS(t *testing.T) {
	srv := serveTLS(t, nil)
	c := newClient(httpclient.Options{TLS: &httpclient.TLSOptions{CAPEM: newTestCA(t).pem}})
	_, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL})
	require.ErrorIs(t, err, httpclient.ErrNetwork)
	resp, err := c.Do(context.Background(), &httpclient.Request{URL: srv.URL, InsecureSkipVerify: true})
	require.NoError(t, err)
	require.Equal(t, 200, resp.Status)
}
