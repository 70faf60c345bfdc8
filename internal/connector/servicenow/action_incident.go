package servicenow

import (
	"context"
	"net/http"
	"net/url"

	"github.com/errand-dev/errand/internal/connector"
)

// Incident states and the values closeIncident writes, as Kibana's connector does.
const (
	stateResolved = "6"
	stateClosed   = "7"
	closeCode     = "Closed/Resolved by Caller"
	closeNotes    = "Closed by Caller"
)

// runGetIncident serves `servicenow.getIncident` ({externalId}): the incident record.
func runGetIncident(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error getting servicenow incident"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	r := &reader{m: call.Params}
	id := r.str("externalId", true)
	if r.err != nil {
		return failure(summary, r.err)
	}
	var rec map[string]any
	if err := c.do(ctx, http.MethodGet, tablePath+"/"+url.PathEscape(id), nil, &rec); err != nil {
		return failure(summary, err)
	}
	return connector.OK(rec)
}

// runCloseIncident serves `servicenow.closeIncident` ({incident: {externalId?,
// correlation_id?}}): it finds the incident (by sys_id, else the newest with that
// correlation id) and sets it closed (state 7) with a close code and notes. An incident that
// cannot be found gives an empty output and a warning, and one already resolved or closed is
// left as it is, as in Kibana.
func runCloseIncident(ctx context.Context, call *connector.Call) connector.Result {
	const summary = "error closing servicenow incident"
	c, err := newClient(call)
	if err != nil {
		return failure(summary, err)
	}
	r := &reader{m: call.Params}
	ir := &reader{m: r.obj("incident"), prefix: "incident."}
	externalID, correlationID := ir.str("externalId", false), ir.str("correlation_id", false)
	if externalID == "" && correlationID == "" {
		ir.fail("externalId", "or incident.correlation_id is required")
	}
	if err := firstErr(r.err, ir.err); err != nil {
		return failure(summary, err)
	}
	rec, found, err := c.find(ctx, externalID, correlationID)
	if err != nil {
		return failure(summary, err)
	}
	if !found {
		if call.Log != nil {
			call.Log.Warn("no servicenow incident to close", "externalId", externalID, "correlation_id", correlationID)
		}
		return connector.OK(nil)
	}
	if rec.State != stateResolved && rec.State != stateClosed {
		body := map[string]any{"state": stateClosed, "close_code": closeCode, "close_notes": closeNotes}
		if err := c.do(ctx, http.MethodPatch, tablePath+"/"+url.PathEscape(rec.SysID), body, &rec); err != nil {
			return failure(summary, err)
		}
	}
	return connector.OK(c.pushed(rec))
}

// find reads the incident by sys_id, or the newest one with the correlation id; found is
// false when there is none (a 404 for a sys_id).
func (c *client) find(ctx context.Context, sysID, correlationID string) (record, bool, error) {
	if sysID != "" {
		var rec record
		err := c.do(ctx, http.MethodGet, tablePath+"/"+url.PathEscape(sysID), nil, &rec)
		if isNotFound(err) {
			return record{}, false, nil
		}
		return rec, err == nil, err
	}
	q := url.Values{"sysparm_query": {"ORDERBYDESCsys_created_on^correlation_id=" + correlationID}, "sysparm_limit": {"1"}}
	var recs []record
	if err := c.do(ctx, http.MethodGet, tablePath+"?"+q.Encode(), nil, &recs); err != nil {
		return record{}, false, err
	}
	if len(recs) == 0 {
		return record{}, false, nil
	}
	return recs[0], true, nil
}
