package api

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// WorkflowDTO is Kibana's WorkflowDetailDto. Definition is the parsed workflow, null when
// the workflow is not valid.
type WorkflowDTO struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	Enabled          bool      `json:"enabled"`
	CreatedAt        time.Time `json:"createdAt"`
	CreatedBy        string    `json:"createdBy"`
	LastUpdatedAt    time.Time `json:"lastUpdatedAt"`
	LastUpdatedBy    string    `json:"lastUpdatedBy"`
	Definition       any       `json:"definition"`
	YAML             string    `json:"yaml"`
	Valid            bool      `json:"valid"`
	Tags             []string  `json:"tags"`
	ValidationErrors []string  `json:"validationErrors,omitempty"`
}

// checked is a YAML document with its model and diagnostics.
type checked struct {
	wf    *workflow.Workflow
	diags []workflow.Diagnostic
}

// valid reports whether the document has no error diagnostic.
func (c checked) valid() bool { return c.wf != nil && !workflow.HasErrors(c.diags) }

// check parses and validates src as the engine would before running it (language rules,
// then the engine's compile checks).
func (s *server) check(src string) checked {
	wf, diags := workflow.Check([]byte(src), s.vopts)
	if wf != nil && !workflow.HasErrors(diags) && s.Engine != nil {
		_, cd := s.Engine.Compile(wf)
		diags = append(diags, cd...)
		workflow.SortDiagnostics(diags)
	}
	if diags == nil {
		diags = []workflow.Diagnostic{}
	}
	return checked{wf: wf, diags: diags}
}

// errorMessages lists the error diagnostics as "line:col message" strings
// (Kibana's validationErrors).
func errorMessages(diags []workflow.Diagnostic) []string {
	out := []string{}
	for _, d := range diags {
		if d.Severity == workflow.SeverityError {
			out = append(out, fmt.Sprintf("%d:%d %s", d.Line, d.Col, d.Message))
		}
	}
	return out
}

// workflowDTO renders a stored workflow.
func (s *server) workflowDTO(w *store.Workflow) WorkflowDTO {
	dto := WorkflowDTO{ID: w.ID, Name: w.Name, Description: w.Description, Enabled: w.Enabled,
		CreatedAt: w.CreatedAt, CreatedBy: w.CreatedBy, LastUpdatedAt: w.UpdatedAt, LastUpdatedBy: w.UpdatedBy,
		YAML: w.YAML, Valid: w.Valid, Tags: w.Tags}
	if dto.Tags == nil {
		dto.Tags = []string{}
	}
	if w.Valid {
		if wf, _ := workflow.Parse([]byte(w.YAML)); wf != nil {
			dto.Definition = wf
		}
	}
	return dto
}

// workflowIDPattern is Kibana's human-readable id: letters, digits, '-', '_' and '.'.
var workflowIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$`)

// newWorkflow builds the record of a new workflow from YAML. YAML that does not parse is
// refused with its diagnostics; YAML that parses but does not validate is kept with
// Valid false (Kibana saves invalid drafts).
func (s *server) newWorkflow(ctx context.Context, id, src string) (*store.Workflow, checked, error) {
	if len(src) > maxYAML {
		return nil, checked{}, fmt.Errorf("%w: yaml is longer than %d characters", errBadRequest, maxYAML)
	}
	c := s.check(src)
	if c.wf == nil {
		return nil, c, &invalidYAMLError{msg: "the workflow YAML does not parse", diags: c.diags}
	}
	if id == "" {
		id = "workflow-" + uuid.NewString()
	} else if !workflowIDPattern.MatchString(id) {
		return nil, c, fmt.Errorf("%w: id %q must be letters, digits, '-', '_' or '.'", errBadRequest, id)
	}
	now, actor := time.Now().UTC(), actorOf(ctx)
	w := &store.Workflow{ID: id, YAML: src, Valid: c.valid(), CreatedAt: now, CreatedBy: actor, UpdatedAt: now, UpdatedBy: actor}
	applyModel(w, c.wf)
	return w, c, nil
}

// applyModel copies the YAML's name, description, enabled and tags into the record.
func applyModel(w *store.Workflow, wf *workflow.Workflow) {
	w.Name, w.Description, w.Enabled, w.Tags = wf.Name, wf.Description, wf.Enabled, wf.Tags
	if w.Tags == nil {
		w.Tags = []string{}
	}
}

// maxYAML is Kibana's limit on a workflow's YAML, in characters.
const maxYAML = 1 << 20
