package email_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/connector/email"
	"github.com/errand-dev/errand/internal/httpclient"
)

func connectorFor(t *testing.T, s *smtpServer, extra map[string]any) *connector.Connector {
	t.Helper()
	host, port, err := net.SplitHostPort(s.addr)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	config := map[string]any{"from": "Errand Alerts <alerts@example.com>", "host": host, "port": p,
		"secure": s.implicit, "hasAuth": s.user != "", "tls": map[string]any{"ca": s.cert.pem}}
	for k, v := range extra {
		config[k] = v
	}
	return &connector.Connector{ID: "e-1", TypeID: email.TypeID, Config: config,
		Secrets: map[string]any{"user": "errand@example.com", "password": "app-pass"}}
}

func send(t *testing.T, conn *connector.Connector, params map[string]any) connector.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return email.Type().Actions[""].Run(ctx, &connector.Call{Connector: conn, Params: params, HTTP: httpclient.New(httpclient.Options{})})
}

// TestSendOverSTARTTLS sends through a server that offers STARTTLS and AUTH PLAIN, refuses
// one recipient, and checks the exchange, the DATA bytes and the output.
func TestSendOverSTARTTLS(t *testing.T) {
	s := startSMTP(t, &smtpServer{user: "errand@example.com", password: "app-pass", reject: map[string]int{"ghost@example.com": 550}})
	res := send(t, connectorFor(t, s, nil), map[string]any{
		"to":          []any{"Ana Pérez <ana@example.com>", "ghost@example.com"},
		"cc":          []any{"soc@example.com"},
		"bcc":         []any{"audit@example.com"},
		"subject":     "Alerte: hôte isolé",
		"message":     "Host web-1 was isolated.\n.hidden line\nBye",
		"messageHTML": "<p>Host <b>web-1</b> was isolated.</p>",
	})
	require.Equal(t, connector.StatusOK, res.Status, "%s: %s", res.Message, res.ServiceMessage)
	out := res.Data.(map[string]any)
	require.Equal(t, []string{"ana@example.com", "soc@example.com", "audit@example.com"}, out["accepted"])
	require.Equal(t, []string{"ghost@example.com"}, out["rejected"])
	require.Equal(t, []string{}, out["pending"])
	require.Equal(t, "250 2.0.0 Ok: queued as 4F2A1C3B9D", out["response"])

	cmds := s.commands()
	require.Equal(t, "STARTTLS", cmds[1])
	require.True(t, strings.HasPrefix(cmds[2], "EHLO "), "EHLO again after STARTTLS")
	require.Equal(t, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00errand@example.com\x00app-pass")), cmds[3])
	require.Equal(t, []string{"MAIL FROM:<alerts@example.com> BODY=8BITMIME", "RCPT TO:<ana@example.com>", "RCPT TO:<ghost@example.com>",
		"RCPT TO:<soc@example.com>", "RCPT TO:<audit@example.com>", "DATA", "QUIT"}, cmds[4:])

	data := s.messages()
	require.Len(t, data, 1)
	require.Contains(t, data[0], "\r\n..hidden line", "a line starting with a dot is dot-stuffed")
	msg, err := mail.ReadMessage(strings.NewReader(strings.ReplaceAll(data[0], "\r\n..", "\r\n.")))
	require.NoError(t, err)
	h := msg.Header
	require.Equal(t, `"Errand Alerts" <alerts@example.com>`, h.Get("From"))
	require.Equal(t, `=?utf-8?q?Ana_P=C3=A9rez?= <ana@example.com>, <ghost@example.com>`, h.Get("To"))
	require.Equal(t, "<soc@example.com>", h.Get("Cc"))
	require.Empty(t, h.Get("Bcc"))
	require.NotContains(t, data[0], "audit@example.com", "Bcc is envelope only")
	require.Equal(t, "=?utf-8?q?Alerte:_h=C3=B4te_isol=C3=A9?=", h.Get("Subject"))
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Alerte: hôte isolé", subject)
	_, err = h.Date()
	require.NoError(t, err)
	require.Equal(t, out["messageId"], h.Get("Message-ID"))
	require.Regexp(t, `^<[0-9a-f]{32}@example\.com>$`, h.Get("Message-ID"))
	require.Equal(t, "1.0", h.Get("MIME-Version"))

	mediaType, mp, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	parts := multipart.NewReader(msg.Body, mp["boundary"])
	want := []struct{ kind, body string }{
		{"text/plain; charset=UTF-8", "Host web-1 was isolated.\r\n.hidden line\r\nBye"},
		{"text/html; charset=UTF-8", "<p>Host <b>web-1</b> was isolated.</p>"},
	}
	for _, w := range want {
		p, err := parts.NextRawPart()
		require.NoError(t, err)
		require.Equal(t, w.kind, p.Header.Get("Content-Type"))
		require.Equal(t, "quoted-printable", p.Header.Get("Content-Transfer-Encoding"))
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		require.NoError(t, err)
		require.Equal(t, w.body, string(body))
	}
}

func TestSendTextOnlyOverImplicitTLSWithLogin(t *testing.T) {
	s := startSMTP(t, &smtpServer{implicit: true, loginOnly: true, user: "errand@example.com", password: "app-pass"})
	res := send(t, connectorFor(t, s, nil), map[string]any{"to": "ops@example.com", "subject": "plain", "message": "hello"})
	require.Equal(t, connector.StatusOK, res.Status, "%s: %s", res.Message, res.ServiceMessage)
	cmds := s.commands()
	require.NotContains(t, cmds, "STARTTLS")
	require.Equal(t, "AUTH LOGIN", cmds[1])
	require.Equal(t, base64.StdEncoding.EncodeToString([]byte("errand@example.com")), cmds[2])
	require.Equal(t, base64.StdEncoding.EncodeToString([]byte("app-pass")), cmds[3])
	msg, err := mail.ReadMessage(strings.NewReader(s.messages()[0]))
	require.NoError(t, err)
	require.Equal(t, "text/plain; charset=UTF-8", msg.Header.Get("Content-Type"))
	require.Equal(t, "plain", msg.Header.Get("Subject"))
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	require.Equal(t, "hello\r\n", string(body), "DATA ends with a line break")
}

func TestSendWithoutAuth(t *testing.T) {
	s := startSMTP(t, &smtpServer{noTLS: true})
	res := send(t, connectorFor(t, s, map[string]any{"hasAuth": false}), map[string]any{"to": []any{"a@example.com"}, "subject": "s", "message": "m"})
	require.Equal(t, connector.StatusOK, res.Status, "%s: %s", res.Message, res.ServiceMessage)
	for _, c := range s.commands() {
		require.False(t, strings.HasPrefix(c, "AUTH"), c)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name    string
		server  *smtpServer
		extra   map[string]any
		params  map[string]any
		retry   bool
		source  string
		service string
	}{
		{"every recipient refused", &smtpServer{reject: map[string]int{"a@example.com": 550, "b@example.com": 550}}, nil,
			map[string]any{"to": []any{"a@example.com", "b@example.com"}, "subject": "s", "message": "m"},
			false, connector.SourceUser, "every recipient was rejected: RCPT TO:<a@example.com>: 550 5.1.1 <a@example.com>: Recipient address rejected"},
		{"greylisted", &smtpServer{reject: map[string]int{"a@example.com": 450}}, nil,
			map[string]any{"to": []any{"a@example.com"}, "subject": "s", "message": "m"},
			true, connector.SourceFramework, "RCPT TO:<a@example.com>: 450 4.2.0 <a@example.com>"},
		{"wrong password", &smtpServer{user: "errand@example.com", password: "other"}, nil,
			map[string]any{"to": []any{"a@example.com"}, "subject": "s", "message": "m"},
			false, connector.SourceUser, "as errand@example.com: 535 5.7.8 Error: authentication failed"},
		{"untrusted certificate", &smtpServer{}, map[string]any{"tls": map[string]any{}},
			map[string]any{"to": []any{"a@example.com"}, "subject": "s", "message": "m"},
			false, connector.SourceUser, "set tls.ca"},
		{"bad recipient", &smtpServer{}, nil, map[string]any{"to": []any{"not an address"}, "subject": "s", "message": "m"},
			false, connector.SourceUser, ""},
		{"no subject", &smtpServer{}, nil, map[string]any{"to": []any{"a@example.com"}, "message": "m"},
			false, connector.SourceUser, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSMTP(t, tt.server)
			res := send(t, connectorFor(t, s, tt.extra), tt.params)
			require.Equal(t, connector.StatusError, res.Status)
			require.Equal(t, tt.retry, res.Retry)
			require.Equal(t, tt.source, res.ErrorSource)
			require.Contains(t, res.ServiceMessage, tt.service)
			require.Empty(t, s.messages(), "no message is delivered")
		})
	}
}

func TestInsecureSkipVerify(t *testing.T) {
	s := startSMTP(t, &smtpServer{})
	conn := connectorFor(t, s, map[string]any{"tls": map[string]any{"insecureSkipVerify": true}})
	res := send(t, conn, map[string]any{"to": []any{"a@example.com"}, "subject": "s", "message": "m"})
	require.Equal(t, connector.StatusOK, res.Status, "%s: %s", res.Message, res.ServiceMessage)
}

func TestConnectionTest(t *testing.T) {
	s := startSMTP(t, &smtpServer{user: "errand@example.com", password: "app-pass"})
	require.NoError(t, email.Type().Test(context.Background(), &connector.Call{Connector: connectorFor(t, s, nil)}))
	cmds := s.commands()
	require.Equal(t, "STARTTLS", cmds[1])
	require.True(t, strings.HasPrefix(cmds[3], "AUTH PLAIN "))
	require.Equal(t, "QUIT", cmds[4])
	require.Empty(t, s.messages())

	bad := connectorFor(t, s, nil)
	bad.Secrets["password"] = "wrong"
	require.ErrorContains(t, email.Type().Test(context.Background(), &connector.Call{Connector: bad}), "535")
}

func TestValidateConfig(t *testing.T) {
	auth := map[string]any{"user": "u", "password": "p"}
	tests := []struct {
		name    string
		config  map[string]any
		secrets map[string]any
		wantErr string
	}{
		{"host and port", map[string]any{"from": "a@example.com", "host": "smtp.example.com", "port": 587}, auth, ""},
		{"gmail preset", map[string]any{"from": "a@example.com", "service": "gmail"}, auth, ""},
		{"no auth", map[string]any{"from": "a@example.com", "host": "relay", "hasAuth": false}, nil, ""},
		{"bad from", map[string]any{"from": "nobody", "host": "h"}, auth, "config.from"},
		{"no host", map[string]any{"from": "a@example.com"}, auth, "config.host is required"},
		{"unknown service", map[string]any{"from": "a@example.com", "service": "exchange_server"}, auth, "not supported"},
		{"auth without password", map[string]any{"from": "a@example.com", "host": "h"}, map[string]any{"user": "u"}, "needs secrets.user and secrets.password"},
		{"bad ca", map[string]any{"from": "a@example.com", "host": "h", "tls": map[string]any{"ca": "nope"}}, auth, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := email.Type().ValidateConfig(tt.config, tt.secrets)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

func TestSchemas(t *testing.T) {
	typ := email.Type()
	require.Equal(t, "email", typ.StepType(""))
	for name, raw := range map[string]json.RawMessage{"config": typ.ConfigSchema, "secrets": typ.SecretsSchema, "params": typ.Actions[""].ParamsSchema} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err, name)
		c := jsonschema.NewCompiler()
		require.NoError(t, c.AddResource(name, doc))
		s, err := c.Compile(name)
		require.NoError(t, err, name)
		if name == "params" {
			require.NoError(t, s.Validate(map[string]any{"to": []any{"a@example.com"}, "subject": "s", "message": "m"}))
			require.Error(t, s.Validate(map[string]any{"to": []any{"a@example.com"}, "subject": "s"}))
		}
	}
}
