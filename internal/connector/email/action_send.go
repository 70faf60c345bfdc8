package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/connector"
)

// sendSummary is the Result message of a failed send.
const sendSummary = "error sending email"

// errBadParam marks an invalid step parameter.
var errBadParam = errors.New("invalid parameter")

// runSend serves the `email` step: it sends one message to to, cc and bcc and outputs
// {messageId, accepted, rejected, pending, response}. Refused recipients are listed in
// rejected; the step fails only when every recipient is refused.
func runSend(ctx context.Context, call *connector.Call) connector.Result {
	cfg, err := parseConfig(call.Connector.Config, call.Connector.Secrets)
	if err != nil {
		return failure(call, err)
	}
	msg, err := readMessage(cfg, call.Params)
	if err != nil {
		return failure(call, err)
	}
	data, err := msg.bytes()
	if err != nil {
		return failure(call, err)
	}
	s, err := dial(ctx, cfg, call.HTTP)
	if err != nil {
		return failure(call, err)
	}
	d, err := s.send(msg.from, msg.recipients(), data)
	if err != nil {
		s.close()
		return failure(call, err)
	}
	_ = s.quit() // the message is accepted; a failed QUIT changes nothing
	return connector.OK(map[string]any{"messageId": msg.id, "accepted": d.accepted, "rejected": d.rejected,
		"pending": []string{}, "response": d.response})
}

// readMessage reads the step's params: to (required), cc, bcc, replyTo, subject and
// message (required), messageHTML.
func readMessage(cfg *config, params map[string]any) (*message, error) {
	m := &message{from: cfg.from, date: time.Now()}
	var err error
	lists := []struct {
		key  string
		dest *[]*mail.Address
	}{{"to", &m.to}, {"cc", &m.cc}, {"bcc", &m.bcc}, {"replyTo", &m.replyTo}}
	for _, l := range lists {
		if *l.dest, err = addresses(l.key, params[l.key]); err != nil {
			return nil, err
		}
	}
	if len(m.to) == 0 {
		return nil, fmt.Errorf("%w: to needs at least one address", errBadParam)
	}
	for key, dest := range map[string]*string{"subject": &m.subject, "message": &m.text, "messageHTML": &m.html} {
		s, ok := params[key].(string)
		if !ok && params[key] != nil {
			return nil, fmt.Errorf("%w: %s must be a string", errBadParam, key)
		}
		*dest = s
	}
	if m.subject == "" || m.text == "" {
		return nil, fmt.Errorf("%w: subject and message are required", errBadParam)
	}
	m.subject = strings.Join(strings.Fields(m.subject), " ") // no line break may reach the header
	m.id = newMessageID(cfg.from)
	return m, nil
}

// addresses parses a list of addresses (or one address as a string).
func addresses(key string, v any) ([]*mail.Address, error) {
	var items []any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		items = []any{x}
	case []any:
		items = x
	case []string:
		for _, s := range x {
			items = append(items, s)
		}
	default:
		return nil, fmt.Errorf("%w: %s must be a list of email addresses", errBadParam, key)
	}
	out := make([]*mail.Address, 0, len(items))
	for _, item := range items {
		s, _ := item.(string)
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %q is not an email address", errBadParam, key, s)
		}
		out = append(out, a)
	}
	return out, nil
}

// failure classifies an error: bad params and config, 5xx answers, authentication and
// certificate failures are permanent and the user's to fix; 4xx answers and network
// failures may pass on a retry.
func failure(call *connector.Call, err error) connector.Result {
	msg := err.Error()
	if call.HTTP != nil {
		msg = call.HTTP.Redact(msg)
	}
	r := connector.Result{Status: connector.StatusError, Message: sendSummary, ServiceMessage: msg,
		ErrorSource: connector.SourceFramework, Retry: true}
	var te *textproto.Error
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, errBadParam) || errors.Is(err, errConfig):
		return connector.UserError(sendSummary + ": " + msg)
	case errors.Is(err, errAllRejected):
		r.Retry = transient(err)
	case errors.As(err, &te):
		r.Retry = te.Code >= 400 && te.Code < 500
	case errors.As(err, &certErr) || errors.As(err, &hostErr):
		r.Retry = false
		r.ServiceMessage += " (set tls.ca to the server's CA, or tls.insecureSkipVerify)"
	}
	if !r.Retry {
		r.ErrorSource = connector.SourceUser
	}
	return r
}

// transient reports whether any recipient was refused with a 4xx (try again later) code.
func transient(err error) bool {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return false
	}
	for _, e := range joined.Unwrap() {
		var te *textproto.Error
		if errors.As(e, &te) && te.Code >= 400 && te.Code < 500 {
			return true
		}
		if transient(e) {
			return true
		}
	}
	return false
}
