package email_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost, made for the test.
type testCert struct {
	pem  string
	pair tls.Certificate
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pair, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, err)
	return testCert{pem: string(certPEM), pair: pair}
}

// smtpServer is a small real SMTP server: EHLO, STARTTLS, AUTH PLAIN and LOGIN (only over
// TLS), MAIL, RCPT (refusing listed addresses with 550, or 450), DATA, RSET, QUIT.
type smtpServer struct {
	t         *testing.T
	cert      testCert
	implicit  bool // TLS from the start (port 465 style)
	noTLS     bool // no STARTTLS offered
	loginOnly bool // offers AUTH LOGIN only
	user      string
	password  string
	reject    map[string]int // address → RCPT answer code

	mu         sync.Mutex
	transcript []string // client commands, AUTH payloads included
	data       []string // raw DATA payloads, dot-stuffing kept, CRLF restored
	addr       string
}

func startSMTP(t *testing.T, s *smtpServer) *smtpServer {
	t.Helper()
	s.t = t
	s.cert = newTestCert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if s.implicit {
		ln = tls.NewListener(ln, s.tlsConfig())
	}
	s.addr = ln.Addr().String()
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) tlsConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{s.cert.pair}, MinVersion: tls.VersionTLS12}
}

func (s *smtpServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.transcript...)
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.data...)
}

func (s *smtpServer) record(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transcript = append(s.transcript, line)
}

// smtpConn is one client connection's state.
type smtpConn struct {
	conn   net.Conn
	r      *textproto.Reader
	w      *bufio.Writer
	tls    bool
	authed bool
}

func (c *smtpConn) reply(lines ...string) {
	for _, l := range lines {
		_, _ = c.w.WriteString(l + "\r\n")
	}
	_ = c.w.Flush()
}

func (c *smtpConn) reset(conn net.Conn) {
	c.conn = conn
	c.r = textproto.NewReader(bufio.NewReader(conn))
	c.w = bufio.NewWriter(conn)
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	c := &smtpConn{tls: s.implicit}
	c.reset(conn)
	c.reply("220 mail.test ESMTP ready")
	for {
		line, err := c.r.ReadLine()
		if err != nil {
			return
		}
		s.record(line)
		verb, arg, _ := strings.Cut(line, " ")
		if !s.handle(c, strings.ToUpper(verb), arg) {
			return
		}
	}
}

// handle answers one command; false ends the connection.
func (s *smtpServer) handle(c *smtpConn, verb, arg string) bool {
	switch verb {
	case "EHLO":
		lines := []string{"250-mail.test greets " + arg, "250-8BITMIME"}
		if !c.tls && !s.noTLS {
			lines = append(lines, "250-STARTTLS")
		}
		if c.tls || s.noTLS {
			lines = append(lines, map[bool]string{false: "250-AUTH PLAIN LOGIN", true: "250-AUTH LOGIN"}[s.loginOnly])
		}
		c.reply(append(lines, "250 SIZE 10240000")...)
	case "STARTTLS":
		c.reply("220 2.0.0 Ready to start TLS")
		tc := tls.Server(c.conn, s.tlsConfig())
		if tc.Handshake() != nil {
			return false
		}
		c.reset(tc)
		c.tls = true
	case "AUTH":
		s.auth(c, arg)
	case "MAIL":
		if !c.authed && s.user != "" {
			c.reply("530 5.7.0 Authentication required")
			return true
		}
		c.reply("250 2.1.0 Ok")
	case "RCPT":
		addr := strings.Trim(strings.TrimPrefix(strings.ToUpper(arg[:3])+arg[3:], "TO:"), "<>")
		switch s.reject[addr] {
		case 550:
			c.reply("550 5.1.1 <" + addr + ">: Recipient address rejected: User unknown in virtual mailbox table")
		case 450:
			c.reply("450 4.2.0 <" + addr + ">: Recipient address rejected: Greylisted, try again later")
		default:
			c.reply("250 2.1.5 Ok")
		}
	case "DATA":
		s.readData(c)
	case "RSET", "NOOP":
		c.reply("250 2.0.0 Ok")
	case "QUIT":
		c.reply("221 2.0.0 Bye")
		return false
	default:
		c.reply("502 5.5.2 Error: command not recognized")
	}
	return true
}

func (s *smtpServer) auth(c *smtpConn, arg string) {
	if !c.tls && !s.noTLS {
		c.reply("530 5.7.0 Must issue a STARTTLS command first")
		return
	}
	mech, initial, _ := strings.Cut(arg, " ")
	var user, pass string
	switch strings.ToUpper(mech) {
	case "PLAIN":
		raw, _ := base64.StdEncoding.DecodeString(initial)
		parts := strings.Split(string(raw), "\x00")
		if len(parts) == 3 {
			user, pass = parts[1], parts[2]
		}
	case "LOGIN":
		c.reply("334 " + base64.StdEncoding.EncodeToString([]byte("Username:")))
		u, _ := c.r.ReadLine()
		c.reply("334 " + base64.StdEncoding.EncodeToString([]byte("Password:")))
		p, _ := c.r.ReadLine()
		s.record(u)
		s.record(p)
		ub, _ := base64.StdEncoding.DecodeString(u)
		pb, _ := base64.StdEncoding.DecodeString(p)
		user, pass = string(ub), string(pb)
	}
	if user != s.user || pass != s.password {
		c.reply("535 5.7.8 Error: authentication failed: authentication failure")
		return
	}
	c.authed = true
	c.reply("235 2.7.0 Authentication successful")
}

func (s *smtpServer) readData(c *smtpConn) {
	c.reply("354 End data with <CR><LF>.<CR><LF>")
	var b strings.Builder
	for {
		line, err := c.r.ReadLine()
		if err != nil {
			return
		}
		if line == "." {
			break
		}
		b.WriteString(line + "\r\n")
	}
	s.mu.Lock()
	s.data = append(s.data, b.String())
	s.mu.Unlock()
	c.reply("250 2.0.0 Ok: queued as 4F2A1C3B9D")
}
