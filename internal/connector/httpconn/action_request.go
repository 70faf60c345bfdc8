package httpconn

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/errand-dev/errand/internal/connector"
	"github.com/errand-dev/errand/internal/httpclient"
	"github.com/errand-dev/errand/internal/httpclient/httpcall"
)

// requestSummary is the Result message of a failed request.
const requestSummary = "error calling the HTTP connector's API"

// requester sends one step's request through a connector.
type requester struct {
	call   *connector.Call
	tokens *TokenCache
	cfg    *config
	sec    *secrets
	// credentialHeaders are the headers carrying the connector's credentials; they are
	// dropped before a redirect to another origin.
	credentialHeaders []string
}

// runRequest is the action serving the `http` step with connector-id.
func runRequest(ctx context.Context, call *connector.Call, tokens *TokenCache) connector.Result {
	cfg, sec, err := parseConfig(call.Connector.Config, call.Connector.Secrets)
	if err != nil {
		return connector.UserError("invalid http connector: " + err.Error())
	}
	p, err := parseParams(call.Params)
	if err != nil {
		return connector.UserError(err.Error())
	}
	u, err := target(cfg.base, p)
	if err != nil {
		return connector.UserError(err.Error())
	}
	r := &requester{call: call, tokens: tokens, cfg: cfg, sec: sec}
	req := r.request(p, u)
	resp, err := r.send(ctx, req, p)
	if err != nil {
		return connector.FromHTTPError(requestSummary, err)
	}
	return connector.OK(httpcall.Output(resp))
}

// request builds the client request: the connector's headers under the step's.
func (r *requester) request(p *params, u string) *httpclient.Request {
	header := http.Header{}
	for name, value := range r.cfg.Headers {
		header.Set(name, value)
	}
	for name, value := range r.sec.SecretHeaders {
		header.Set(name, value)
		r.credentialHeaders = append(r.credentialHeaders, name)
	}
	for name, values := range p.Header {
		header[name] = values
	}
	req := p.Request(u, 0, r.call.Timeout) // redirects are followed hop by hop, by follow
	req.Header = header
	req.InsecureSkipVerify = req.InsecureSkipVerify || r.cfg.VerificationMode == "none"
	return req
}

// send adds the connector's auth (unless the step set that header itself), sends, and
// after a 401 with an OAuth2 token, fetches a fresh token and tries once more.
func (r *requester) send(ctx context.Context, req *httpclient.Request, p *params) (*httpclient.Response, error) {
	header, value, err := r.auth(ctx)
	if err != nil {
		return nil, err
	}
	ours := header != "" && req.Header.Get(header) == ""
	if ours {
		req.Header.Set(header, value)
		r.credentialHeaders = append(r.credentialHeaders, header)
	}
	resp, err := r.follow(ctx, req, p)
	if !ours || r.cfg.auth != authOAuth2 || resp == nil || resp.Status != http.StatusUnauthorized {
		return resp, err
	}
	r.tokens.Invalidate(r.call.Connector, value)
	if _, value, err = r.auth(ctx); err != nil {
		return nil, err
	}
	req.Header.Set(header, value)
	return r.follow(ctx, req, p)
}

// auth returns the header carrying the connector's credentials and its value.
func (r *requester) auth(ctx context.Context) (string, string, error) {
	switch r.cfg.auth {
	case authBasic:
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(r.sec.User, r.sec.Password)
		return "Authorization", req.Header.Get("Authorization"), nil
	case authBearer:
		return "Authorization", "Bearer " + r.sec.Token, nil
	case authAPIKey:
		return http.CanonicalHeaderKey(r.cfg.apiKeyHeader()), r.sec.APIKey, nil
	case authOAuth2:
		value, err := r.tokens.Authorization(ctx, r.call, r.cfg, r.sec)
		return "Authorization", value, err
	}
	return "", "", nil
}

// follow sends req and follows redirects on the connector's own origin itself, so that
// every credential header (API key and secret headers included, not only Authorization) is
// dropped before a hop to another origin; the rest of the chain is left to the client.
func (r *requester) follow(ctx context.Context, req *httpclient.Request, p *params) (*httpclient.Response, error) {
	maxRedirects := httpclient.DefaultMaxRedirects
	if p.Fetcher.MaxRedirects >= 0 {
		maxRedirects = p.Fetcher.MaxRedirects
	}
	hop := *req
	hop.NoRedirects = true
	for n := 0; ; n++ {
		resp, err := r.call.HTTP.Do(ctx, &hop)
		next, ok := redirectTarget(resp, err, &hop)
		if !ok || !p.Fetcher.FollowRedirects {
			return resp, err
		}
		if n >= maxRedirects {
			return resp, err
		}
		rewriteForRedirect(&hop, resp.Status, next)
		if origin(next) != origin(r.cfg.base) {
			hop.Header = hop.Header.Clone()
			for _, name := range r.credentialHeaders {
				hop.Header.Del(name)
			}
			hop.NoRedirects, hop.MaxRedirects = false, max(maxRedirects-n-1, 0)
			if hop.MaxRedirects == 0 {
				hop.NoRedirects = true
			}
			return r.call.HTTP.Do(ctx, &hop)
		}
	}
}

// redirectTarget returns where a 3xx answer points, resolved against the request's URL.
func redirectTarget(resp *httpclient.Response, err error, req *httpclient.Request) (*url.URL, bool) {
	if resp == nil || !errors.Is(err, httpclient.ErrStatus) {
		return nil, false
	}
	switch resp.Status {
	case 301, 302, 303, 307, 308:
	default:
		return nil, false
	}
	loc := resp.Headers.Get("Location")
	base, perr := url.Parse(req.URL)
	if loc == "" || perr != nil {
		return nil, false
	}
	next, perr := base.Parse(loc)
	if perr != nil || (next.Scheme != "http" && next.Scheme != "https") {
		return nil, false
	}
	return next, true
}

// rewriteForRedirect points req at next, turning it into a body-less GET as RFC 9110 §15.4
// says for 303 and, for POST, 301 and 302 (what the client does for later hops).
func rewriteForRedirect(req *httpclient.Request, status int, next *url.URL) {
	req.URL = next.String()
	if status == 303 || ((status == 301 || status == 302) && req.Method == http.MethodPost) {
		req.Method, req.Body = http.MethodGet, nil
		req.Header = req.Header.Clone()
		req.Header.Del("Content-Type")
	}
}
