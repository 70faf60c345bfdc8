package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
)

// readResponse reads the final response's body within the request's cap.
func (c *Client) readResponse(ctx context.Context, req *Request, h *hop, resp *http.Response, redirects int) (*Response, error) {
	defer func() { _ = resp.Body.Close() }()
	limit := c.opts.MaxBodyBytes
	if req.MaxBodyBytes > 0 {
		limit = req.MaxBodyBytes
	}
	if resp.ContentLength > limit {
		return nil, c.bodyTooLarge(req, resp, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, c.transportError(ctx, req, fmt.Errorf("reading response body: %w", err))
	}
	if int64(len(body)) > limit {
		return nil, c.bodyTooLarge(req, resp, limit)
	}
	return &Response{
		Status:     resp.StatusCode,
		StatusText: statusText(resp),
		Headers:    resp.Header,
		Body:       body,
		URL:        c.redact(h.url.String()),
		Redirects:  redirects,
	}, nil
}

// bodyTooLarge builds the ErrBodyTooLarge error, naming the cap and the setting that raises it.
func (c *Client) bodyTooLarge(req *Request, resp *http.Response, limit int64) *Error {
	hint := req.BodyLimitHint
	if hint == "" {
		hint = "max-step-size"
	}
	e := c.newError(ErrBodyTooLarge, req, nil,
		"response body of %s %s exceeds the %s size limit; configure '%s' to raise it",
		req.method(), req.URL, FormatBytes(limit), hint)
	e.Status, e.StatusText = resp.StatusCode, statusText(resp)
	return e
}

// transportError classifies a failure to get a response: cancellation, timeout (the
// request's own or ctx's deadline), refused connection, TLS verification, other network.
func (c *Client) transportError(ctx context.Context, req *Request, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	m, u := req.method(), req.URL
	cause := context.Cause(ctx)
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var e *Error
	var denied *AddressDeniedError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &denied):
		return c.addressDenied(req, denied)
	case cause == errOwnTimeout:
		e = c.newError(ErrTimeout, req, err, "%s %s timed out after %s", m, u, c.timeout(req))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		e = c.newError(ErrTimeout, req, err, "%s %s timed out: the deadline passed", m, u)
	case ctx.Err() != nil:
		e = c.newError(ErrCancelled, req, err, "%s %s was cancelled", m, u)
		return e
	case errors.Is(err, syscall.ECONNREFUSED):
		e = c.newError(ErrConnectionRefused, req, err, "%s %s: connection refused", m, u)
	case errors.As(err, &netErr) && netErr.Timeout():
		e = c.newError(ErrTimeout, req, err, "%s %s timed out: %v", m, u, err)
	case errors.As(err, &certErr) || errors.As(err, &unknownAuthority):
		return c.newError(ErrNetwork, req, err,
			"%s %s: %v (set %s to accept it)", m, u, err, c.opts.SettingNames.TLSVerification)
	default:
		e = c.newError(ErrNetwork, req, err, "%s %s: %v", m, u, err)
	}
	e.Retryable = true
	return e
}

// FormatBytes renders n the way max-step-size is written, in the largest binary unit that
// divides it exactly ("10mb", "512kb", "1536b"), so the figure is never rounded.
func FormatBytes(n int64) string {
	units := []string{"b", "kb", "mb", "gb", "tb"}
	i := 0
	for n > 0 && n%1024 == 0 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%d%s", n, units[i])
}
