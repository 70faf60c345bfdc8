package email

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// message is one email to send.
type message struct {
	from        *mail.Address
	to, cc, bcc []*mail.Address
	replyTo     []*mail.Address
	subject     string
	text, html  string
	date        time.Time
	id          string // "<...@domain>"
}

// newMessageID returns a unique Message-ID in the sender's domain.
func newMessageID(from *mail.Address) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	domain := "errand.local"
	if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" {
		domain = d
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// recipients are the envelope recipients: To, Cc and Bcc (Bcc never appears in a header).
func (m *message) recipients() []*mail.Address {
	out := append(append(append([]*mail.Address{}, m.to...), m.cc...), m.bcc...)
	return out
}

// bytes renders the message (RFC 5322, MIME): text only, or multipart/alternative with the
// text and the HTML, each quoted-printable in UTF-8; a non-ASCII subject is RFC 2047-encoded.
func (m *message) bytes() ([]byte, error) {
	var buf bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&buf, "%s: %s\r\n", name, value) }
	header("From", m.from.String())
	header("To", joinAddresses(m.to))
	if len(m.cc) > 0 {
		header("Cc", joinAddresses(m.cc))
	}
	if len(m.replyTo) > 0 {
		header("Reply-To", joinAddresses(m.replyTo))
	}
	header("Subject", mime.QEncoding.Encode("utf-8", m.subject))
	header("Date", m.date.Format(time.RFC1123Z))
	header("Message-ID", m.id)
	header("MIME-Version", "1.0")
	if m.html == "" {
		header("Content-Type", "text/plain; charset=UTF-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		if err := writeQP(&buf, m.text); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	mw := multipart.NewWriter(&buf)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	buf.WriteString("\r\n")
	for _, part := range []struct{ kind, body string }{{"text/plain", m.text}, {"text/html", m.html}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.kind + "; charset=UTF-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("writing the %s part: %w", part.kind, err)
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("closing the multipart body: %w", err)
	}
	return buf.Bytes(), nil
}

// writeQP writes s quoted-printable with CRLF line breaks.
func writeQP(w interface{ Write([]byte) (int, error) }, s string) error {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return fmt.Errorf("encoding the body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("encoding the body: %w", err)
	}
	return nil
}

// joinAddresses formats addresses for a header (names RFC 2047-encoded as needed).
func joinAddresses(list []*mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}
