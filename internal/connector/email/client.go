package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/httpclient"
)

// defaultTimeout bounds a whole SMTP session when ctx has no deadline.
const defaultTimeout = 2 * time.Minute

// errAllRejected marks a message every recipient of which was refused.
var errAllRejected = errors.New("every recipient was rejected")

// session is one SMTP connection, from the greeting to QUIT.
type session struct {
	cfg  *config
	conn net.Conn
	smtp *smtp.Client
	stop func() bool
}

// dial connects (with TLS from the start when secure), greets the server, upgrades with
// STARTTLS when offered and authenticates when hasAuth. ctx's cancellation closes the
// connection, and its deadline bounds every read and write.
func dial(ctx context.Context, cfg *config, hc *httpclient.Client) (*session, error) {
	tlsCfg, err := cfg.tlsClientConfig()
	if err != nil {
		return nil, err
	}
	// The connector's client carries the egress policy (allowed hosts, private and metadata
	// addresses); SMTP obeys it like HTTP does.
	dialContext := (&net.Dialer{}).DialContext
	if hc != nil {
		dialContext = hc.DialContext
	}
	conn, err := dialContext(ctx, "tcp", cfg.address())
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.address(), err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	_ = conn.SetDeadline(deadline)
	if cfg.Secure {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("starting TLS with %s: %w", cfg.address(), err)
		}
		conn = tc
	}
	s := &session{cfg: cfg, conn: conn, stop: context.AfterFunc(ctx, func() { _ = conn.Close() })}
	if err := s.start(tlsCfg); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// start greets the server, upgrades to TLS and authenticates.
func (s *session) start(tlsCfg *tls.Config) error {
	c, err := smtp.NewClient(s.conn, s.cfg.Host)
	if err != nil {
		return wrapReply("reading the greeting of "+s.cfg.address(), err)
	}
	s.smtp = c
	if err := c.Hello(localName()); err != nil {
		return wrapReply("greeting "+s.cfg.address(), err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.cfg.Secure {
		if err := c.StartTLS(tlsCfg); err != nil {
			return wrapReply("starting TLS with "+s.cfg.address(), err)
		}
	}
	if !s.cfg.hasAuth() {
		return nil
	}
	auth, err := s.auth()
	if err != nil {
		return err
	}
	if err := c.Auth(auth); err != nil {
		return wrapReply("authenticating to "+s.cfg.address()+" as "+s.cfg.user, err)
	}
	return nil
}

// auth picks PLAIN, else LOGIN, among the mechanisms the server offers.
func (s *session) auth() (smtp.Auth, error) {
	ok, mechs := s.smtp.Extension("AUTH")
	if !ok {
		return nil, fmt.Errorf("%w: %s offers no authentication (over this connection); set hasAuth false if it needs none",
			errConfig, s.cfg.address())
	}
	list := strings.Fields(strings.ToUpper(mechs))
	switch {
	case slices.Contains(list, "PLAIN"):
		return smtp.PlainAuth("", s.cfg.user, s.cfg.pass, s.cfg.Host), nil
	case slices.Contains(list, "LOGIN"):
		return &loginAuth{user: s.cfg.user, pass: s.cfg.pass, host: s.cfg.Host}, nil
	}
	return nil, fmt.Errorf("%w: %s offers AUTH %s; Errand speaks PLAIN and LOGIN", errConfig, s.cfg.address(), mechs)
}

// delivery is the outcome of one message.
type delivery struct {
	accepted, rejected []string
	rejections         []error
	response           string
}

// send runs MAIL, one RCPT per recipient (a refused recipient is noted, not fatal) and DATA.
func (s *session) send(from *mail.Address, rcpts []*mail.Address, data []byte) (*delivery, error) {
	if err := s.smtp.Mail(from.Address); err != nil {
		return nil, wrapReply("sending MAIL FROM:<"+from.Address+">", err)
	}
	d := &delivery{accepted: []string{}, rejected: []string{}}
	for _, r := range rcpts {
		if err := s.smtp.Rcpt(r.Address); err != nil {
			var te *textproto.Error
			if !errors.As(err, &te) {
				return nil, fmt.Errorf("sending RCPT TO:<%s>: %w", r.Address, err)
			}
			d.rejected = append(d.rejected, r.Address)
			d.rejections = append(d.rejections, wrapReply("RCPT TO:<"+r.Address+">", err))
			continue
		}
		d.accepted = append(d.accepted, r.Address)
	}
	if len(d.accepted) == 0 {
		return d, fmt.Errorf("%w: %w", errAllRejected, errors.Join(d.rejections...))
	}
	response, err := s.data(data)
	if err != nil {
		return nil, err
	}
	d.response = response
	return d, nil
}

// data sends DATA and the message, and returns the server's final answer ("250 2.0.0 Ok:
// queued as ..."), which net/smtp's Data does not expose.
func (s *session) data(msg []byte) (string, error) {
	text := s.smtp.Text
	id, err := text.Cmd("DATA")
	if err != nil {
		return "", wrapReply("sending DATA", err)
	}
	text.StartResponse(id)
	_, _, err = text.ReadResponse(354)
	text.EndResponse(id)
	if err != nil {
		return "", wrapReply("sending DATA", err)
	}
	w := text.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return "", fmt.Errorf("writing the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("writing the message: %w", err)
	}
	code, answer, err := text.ReadResponse(250)
	if err != nil {
		return "", wrapReply("ending the message", err)
	}
	return fmt.Sprintf("%d %s", code, strings.ReplaceAll(answer, "\n", " ")), nil
}

// quit ends the session politely and closes it.
func (s *session) quit() error {
	defer s.close()
	if err := s.smtp.Quit(); err != nil {
		return wrapReply("sending QUIT", err)
	}
	return nil
}

// close closes the connection.
func (s *session) close() {
	s.stop()
	_ = s.conn.Close()
}

// localName is the name given in EHLO: this host's name, or localhost.
func localName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}

// loginAuth is the LOGIN mechanism (username and password in base64 answers), which some
// servers offer without PLAIN. Like net/smtp's PLAIN it refuses an unencrypted connection
// to anything but localhost.
type loginAuth struct {
	user, pass, host string
}

// Start begins LOGIN after checking the connection.
func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	local := server.Name == "localhost" || server.Name == "127.0.0.1" || server.Name == "::1"
	if !server.TLS && !local {
		return "", nil, errors.New("refusing to send the password over an unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

// Next answers the server's "Username:" and "Password:" prompts.
func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:", "user name", "username":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN prompt %q", fromServer)
}

// replyError is a server's refusal, worded as the server wrote it ("550 5.1.1 ...").
type replyError struct {
	op    string
	reply *textproto.Error
}

// Error names the operation and quotes the server's answer.
func (e *replyError) Error() string { return fmt.Sprintf("%s: %d %s", e.op, e.reply.Code, e.reply.Msg) }

// Unwrap returns the server's answer, for errors.As.
func (e *replyError) Unwrap() error { return e.reply }

// wrapReply names the operation that failed, keeping a server answer readable.
func wrapReply(op string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &replyError{op: op, reply: te}
	}
	return fmt.Errorf("%s: %w", op, err)
}
