package httpcall

import (
	"time"

	"github.com/errand-dev/errand/internal/httpclient"
)

// Request builds the client request to url. maxBodyBytes is the caller's cap on the answer
// (0: the client's default), lowered to fetcher.max_content_length when that is smaller;
// stepTimeout is the step's own timeout, already on ctx: the timeout is with.timeout, else
// the step's deadline on ctx, else the client's default.
func (p *Params) Request(url string, maxBodyBytes int64, stepTimeout time.Duration) *httpclient.Request {
	req := &httpclient.Request{
		Method:             p.Method,
		URL:                url,
		Header:             p.Header,
		Body:               p.Body,
		Timeout:            p.Timeout,
		MaxBodyBytes:       maxBodyBytes,
		NoRedirects:        !p.Fetcher.FollowRedirects || p.Fetcher.MaxRedirects == 0,
		MaxRedirects:       max(p.Fetcher.MaxRedirects, 0),
		InsecureSkipVerify: p.Fetcher.SkipSSLVerification,
		DisableKeepAlive:   !p.Fetcher.KeepAlive,
	}
	if req.Timeout == 0 && stepTimeout > 0 {
		req.Timeout = -1 // the step's deadline on ctx governs
	}
	if n := p.Fetcher.MaxContentLength; n > 0 && (req.MaxBodyBytes <= 0 || n < req.MaxBodyBytes) {
		req.MaxBodyBytes = n
		req.BodyLimitHint = "fetcher.max_content_length"
	}
	return req
}
