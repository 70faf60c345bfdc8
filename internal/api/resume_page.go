package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/store"
)

// resumeBodyLimit bounds the answer to a resume link.
const resumeBodyLimit = 1 << 20

// formField is one input of the resume form, from one property of the step's schema.
type formField struct {
	Name, Type, Description string // Type: boolean, integer, number, string or json
	Enum                    []string
	Required                bool
}

// stepRequest is what a waiting step asks for: its rendered message and schema fields.
type stepRequest struct {
	Message string
	Fields  []formField
}

// requestOf reads the message and schema of a waitForInput step record (its rendered
// `with`). Properties are listed by name; a step without a schema asks for approval.
func requestOf(rec *store.StepExecution) stepRequest {
	var with struct {
		Message any `json:"message"`
		Schema  struct {
			Properties map[string]struct {
				Type        any    `json:"type"`
				Description string `json:"description"`
				Enum        []any  `json:"enum"`
			} `json:"properties"`
			Required []string `json:"required"`
		} `json:"schema"`
	}
	_ = json.Unmarshal(rec.Input, &with)
	req := stepRequest{Message: fmt.Sprint(with.Message)}
	if with.Message == nil {
		req.Message = "Input is requested."
	}
	for name, p := range with.Schema.Properties {
		f := formField{Name: name, Type: "json", Description: p.Description, Required: slices.Contains(with.Schema.Required, name)}
		if t, ok := p.Type.(string); ok && slices.Contains([]string{"boolean", "integer", "number", "string"}, t) {
			f.Type = t
		}
		for _, v := range p.Enum {
			f.Enum = append(f.Enum, fmt.Sprint(v))
		}
		req.Fields = append(req.Fields, f)
	}
	slices.SortFunc(req.Fields, func(a, b formField) int { return strings.Compare(a.Name, b.Name) })
	if len(req.Fields) == 0 {
		req.Fields = []formField{{Name: "approved", Type: "boolean"}}
	}
	return req
}

// resumeForm answers GET on a resume link: the step's message and a form of its fields.
func (s *server) resumeForm(w http.ResponseWriter, r *http.Request) {
	c, rec, err := s.linkTarget(r)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	req := requestOf(rec)
	writePage(w, http.StatusOK, formPage, map[string]any{"Req": req, "Step": c.StepID,
		"Action": r.URL.Path + "?" + r.URL.RawQuery})
}

// resumeSubmit answers POST on a resume link: the input (a JSON object, or the form's
// fields converted by the schema's types) resumes the execution once.
func (s *server) resumeSubmit(w http.ResponseWriter, r *http.Request) {
	c, rec, err := s.linkTarget(r)
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	setResource(r.Context(), c.ExecutionID)
	input, err := readResumeInput(w, r, requestOf(rec))
	if err != nil {
		s.linkError(w, r, err)
		return
	}
	if !s.usedLinks.claim(c.Nonce, time.Unix(c.ExpiresAt, 0), time.Now()) {
		s.linkError(w, r, fmt.Errorf("%w: this link was already used", errLinkGone))
		return
	}
	if err := s.Engine.Resume(r.Context(), c.ExecutionID, input); err != nil {
		if !errors.Is(err, engine.ErrNotWaitingForInput) {
			s.usedLinks.release(c.Nonce)
		} else {
			err = fmt.Errorf("%w: this step was already answered (%w)", errLinkGone, err)
		}
		s.linkError(w, r, fmt.Errorf("resuming execution %q from a link: %w", c.ExecutionID, err))
		return
	}
	writePage(w, http.StatusOK, donePage, map[string]any{"Step": c.StepID})
}

// readResumeInput decodes the answer: a JSON object as it is, or form fields by type.
func readResumeInput(w http.ResponseWriter, r *http.Request, req stepRequest) (map[string]any, error) {
	r.Body = http.MaxBytesReader(w, r.Body, resumeBodyLimit)
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the answer: %w", errBadRequest, err)
		}
		var input map[string]any
		if err := json.Unmarshal(b, &input); err != nil || input == nil {
			return nil, fmt.Errorf("%w: the answer must be a JSON object", errBadRequest)
		}
		return input, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("%w: reading the form: %w", errBadRequest, err)
	}
	return formInput(r.PostForm, req)
}

// formInput converts posted form values with the types of the step's fields; values the
// schema does not name are kept as strings ("true" and "false" as booleans).
func formInput(form map[string][]string, req stepRequest) (map[string]any, error) {
	input := map[string]any{}
	for name, vals := range form {
		if len(vals) > 0 && !slices.ContainsFunc(req.Fields, func(f formField) bool { return f.Name == name }) {
			input[name] = vals[0]
			if b, err := strconv.ParseBool(vals[0]); err == nil && (vals[0] == "true" || vals[0] == "false") {
				input[name] = b
			}
		}
	}
	for _, f := range req.Fields {
		raw := strings.TrimSpace(firstValue(form[f.Name]))
		v, err := fieldValue(f, raw)
		if err != nil {
			return nil, fmt.Errorf("%w: field %s: %w", errBadRequest, f.Name, err)
		}
		if v == nil && f.Required {
			return nil, fmt.Errorf("%w: field %s is required", errBadRequest, f.Name)
		}
		if v != nil {
			input[f.Name] = v
		}
	}
	return input, nil
}

// fieldValue converts one form value (nil: no value).
func fieldValue(f formField, raw string) (any, error) {
	switch {
	case f.Type == "boolean":
		return raw == "true" || raw == "on", nil // an unchecked box sends nothing
	case raw == "":
		return nil, nil
	case f.Type == "integer":
		return strconv.ParseInt(raw, 10, 64)
	case f.Type == "number":
		return strconv.ParseFloat(raw, 64)
	case f.Type == "json":
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		return v, nil
	}
	if len(f.Enum) > 0 && !slices.Contains(f.Enum, raw) {
		return nil, fmt.Errorf("%q is not one of %s", raw, strings.Join(f.Enum, ", "))
	}
	return raw, nil
}

func firstValue(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[len(vals)-1] // a checkbox after its hidden "false" wins
}

// linkError answers a resume link's error as an HTML page with the problem's status.
func (s *server) linkError(w http.ResponseWriter, r *http.Request, err error) {
	p := problem(r.Context(), err)
	title := p.Title
	switch p.Status {
	case http.StatusUnauthorized:
		title = "This link is not valid"
	case http.StatusGone:
		title = "This link can no longer be used"
	}
	writePage(w, p.Status, errorPage, map[string]any{"Title": title, "Detail": p.Detail, "ErrorID": p.ErrorID})
}

// writePage renders a self-contained page: no scripts, no external assets, no referrer
// (the URL carries the token), never cached.
func writePage(w http.ResponseWriter, status int, t *template.Template, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}
