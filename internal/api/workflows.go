package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/store"
)

// registerWorkflows adds the workflow CRUD routes (§8 rows 1-3, 22-26).
func (s *server) registerWorkflows(api huma.API) {
	huma.Register(api, op("listWorkflows", http.MethodGet, "/api/workflows", "List and search workflows"), s.listWorkflows)
	huma.Register(api, op("bulkCreateWorkflows", http.MethodPost, "/api/workflows", "Create workflows in bulk"), s.bulkCreate)
	huma.Register(api, op("bulkDeleteWorkflows", http.MethodDelete, "/api/workflows", "Delete workflows in bulk"), s.bulkDelete)
	huma.Register(api, op("createWorkflow", http.MethodPost, "/api/workflows/workflow", "Create a workflow"), s.createWorkflow)
	huma.Register(api, op("getWorkflow", http.MethodGet, "/api/workflows/workflow/{id}", "Get a workflow"), s.getWorkflow)
	huma.Register(api, op("updateWorkflow", http.MethodPut, "/api/workflows/workflow/{id}", "Update a workflow (partial)"), s.updateWorkflow)
	huma.Register(api, op("deleteWorkflow", http.MethodDelete, "/api/workflows/workflow/{id}", "Delete a workflow"), s.deleteWorkflow)
	huma.Register(api, op("cloneWorkflow", http.MethodPost, "/api/workflows/workflow/{id}/clone", "Clone a workflow"), s.cloneWorkflow)
}

// op describes an operation; every operation answers 200 unless it says otherwise.
func op(id, method, path, summary string) huma.Operation {
	return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, DefaultStatus: http.StatusOK,
		MaxBodyBytes: 8 << 20}
}

type listWorkflowsInput struct {
	Query     string   `query:"query" doc:"Substring of the name or description"`
	Size      int      `query:"size" minimum:"0" maximum:"10000" doc:"Page size (default 100)"`
	Page      int      `query:"page" minimum:"0" doc:"Page number from 1"`
	Enabled   []string `query:"enabled,explode" doc:"true or false (both: no filter)"`
	Tags      []string `query:"tags,explode"`
	CreatedBy []string `query:"createdBy,explode"`
}

// WorkflowListItem is one result of the workflow list.
type WorkflowListItem struct {
	WorkflowDTO
	History []ExecutionSummary `json:"history"`
}

type listWorkflowsOutput struct {
	Body struct {
		Page    int                `json:"page"`
		Size    int                `json:"size"`
		Total   int                `json:"total"`
		Results []WorkflowListItem `json:"results"`
	}
}

// listWorkflows lists workflows, filtered by a search string, enabled, tags and creator.
func (s *server) listWorkflows(ctx context.Context, in *listWorkflowsInput) (*listWorkflowsOutput, error) {
	size, page := pageOf(in.Size, in.Page, 100)
	enabled, err := enabledFilter(splitAll(in.Enabled))
	if err != nil {
		return nil, err
	}
	all, err := s.allWorkflows(ctx, store.WorkflowListParams{Query: in.Query, Enabled: enabled})
	if err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(w *store.Workflow) bool {
		return !matchesAny(w.Tags, in.Tags) || len(in.CreatedBy) > 0 && !slices.Contains(in.CreatedBy, w.CreatedBy)
	})
	out := &listWorkflowsOutput{}
	out.Body.Page, out.Body.Size, out.Body.Total = page, size, len(all)
	out.Body.Results = []WorkflowListItem{}
	for _, w := range window(all, size, page) {
		item := WorkflowListItem{WorkflowDTO: s.workflowDTO(w), History: []ExecutionSummary{}}
		if recent, _, err := s.Store.ExecutionList(ctx, store.ExecutionListParams{WorkflowID: w.ID, Limit: 1}); err == nil {
			for _, ex := range recent {
				item.History = append(item.History, summarize(ex))
			}
		}
		out.Body.Results = append(out.Body.Results, item)
	}
	return out, nil
}

// enabledFilter reads the enabled query values: one value filters, both mean no filter.
func enabledFilter(vs []string) (*bool, error) {
	var seen [2]bool
	for _, v := range vs {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%w: enabled must be true or false, not %q", errBadRequest, v)
		}
		seen[map[bool]int{false: 0, true: 1}[b]] = true
	}
	if seen[0] == seen[1] {
		return nil, nil
	}
	return &seen[1], nil
}

// allWorkflows reads every workflow matching p, page by page.
func (s *server) allWorkflows(ctx context.Context, p store.WorkflowListParams) ([]*store.Workflow, error) {
	var out []*store.Workflow
	for p.Limit = 500; ; p.Offset += p.Limit {
		rows, total, err := s.Store.WorkflowList(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("listing workflows: %w", err)
		}
		out = append(out, rows...)
		if len(rows) < p.Limit || len(out) >= total {
			return out, nil
		}
	}
}

// matchesAny reports whether have shares a value with want (true when want is empty).
func matchesAny(have, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, t := range want {
		if slices.Contains(have, t) {
			return true
		}
	}
	return false
}

// pageOf applies the defaults of page (1) and size (def).
func pageOf(size, page, def int) (int, int) {
	if size <= 0 {
		size = def
	}
	if page <= 0 {
		page = 1
	}
	return size, page
}

// window returns page (from 1) of size items.
func window[T any](all []T, size, page int) []T {
	from := (page - 1) * size
	if from >= len(all) {
		return nil
	}
	return all[from:min(from+size, len(all))]
}

type createWorkflowInput struct {
	Body struct {
		YAML string `json:"yaml" doc:"The workflow YAML"`
		ID   string `json:"id,omitempty" doc:"Human-readable id (generated when omitted)"`
	}
}

type workflowOutput struct{ Body WorkflowDTO }

// createWorkflow stores a workflow: 400 with diagnostics when the YAML does not parse,
// stored with valid:false when it parses but does not validate, 409 when the id is taken.
func (s *server) createWorkflow(ctx context.Context, in *createWorkflowInput) (*workflowOutput, error) {
	w, c, err := s.newWorkflow(ctx, in.Body.ID, in.Body.YAML)
	if err != nil {
		return nil, err
	}
	setResource(ctx, w.ID)
	if err := s.Store.WorkflowCreate(ctx, w); err != nil {
		return nil, fmt.Errorf("creating workflow %q: %w", w.ID, err)
	}
	dto := s.workflowDTO(w)
	dto.ValidationErrors = errorMessages(c.diags)
	return &workflowOutput{Body: dto}, nil
}

type idInput struct {
	ID string `path:"id"`
}

// getWorkflow returns one workflow.
func (s *server) getWorkflow(ctx context.Context, in *idInput) (*workflowOutput, error) {
	w, err := s.workflow(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &workflowOutput{Body: s.workflowDTO(w)}, nil
}

// workflow reads a stored workflow (ErrNotFound as 404 with Kibana's wording).
func (s *server) workflow(ctx context.Context, id string) (*store.Workflow, error) {
	w, err := s.Store.WorkflowGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: Workflow not found: %s", errNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("getting workflow %q: %w", id, err)
	}
	return w, nil
}

type updateWorkflowInput struct {
	ID   string `path:"id"`
	Body struct {
		Name        *string   `json:"name,omitempty"`
		Description *string   `json:"description,omitempty"`
		Enabled     *bool     `json:"enabled,omitempty"`
		Tags        *[]string `json:"tags,omitempty"`
		YAML        *string   `json:"yaml,omitempty"`
	}
}

type updateWorkflowOutput struct {
	Body struct {
		ID               string    `json:"id"`
		LastUpdatedAt    time.Time `json:"lastUpdatedAt"`
		LastUpdatedBy    string    `json:"lastUpdatedBy"`
		Enabled          bool      `json:"enabled"`
		Valid            bool      `json:"valid"`
		ValidationErrors []string  `json:"validationErrors"`
	}
}

// updateWorkflow changes the given fields. A new yaml replaces the document and its name,
// description, enabled and tags; fields given explicitly win over the YAML's.
func (s *server) updateWorkflow(ctx context.Context, in *updateWorkflowInput) (*updateWorkflowOutput, error) {
	setResource(ctx, in.ID)
	w, err := s.workflow(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	b := in.Body
	errs := []string{}
	if b.YAML != nil {
		nw, c, err := s.newWorkflow(ctx, w.ID, *b.YAML)
		if err != nil {
			return nil, err
		}
		w.YAML, w.Valid = nw.YAML, nw.Valid
		applyModel(w, c.wf)
		errs = errorMessages(c.diags)
	}
	setIf(&w.Name, b.Name)
	setIf(&w.Description, b.Description)
	setIf(&w.Enabled, b.Enabled)
	setIf(&w.Tags, b.Tags)
	w.UpdatedAt, w.UpdatedBy = time.Now().UTC(), actorOf(ctx)
	if err := s.Store.WorkflowUpdate(ctx, w); err != nil {
		return nil, fmt.Errorf("updating workflow %q: %w", w.ID, err)
	}
	out := &updateWorkflowOutput{}
	out.Body.ID, out.Body.LastUpdatedAt, out.Body.LastUpdatedBy = w.ID, w.UpdatedAt, w.UpdatedBy
	out.Body.Enabled, out.Body.Valid, out.Body.ValidationErrors = w.Enabled, w.Valid, errs
	return out, nil
}

// setIf sets *dst to *v when v is given.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

type deleteWorkflowInput struct {
	ID    string `path:"id"`
	Force bool   `query:"force" doc:"Accepted for compatibility: deletes are always hard deletes"`
}

// deleteWorkflow deletes a workflow (hard delete: the id is reusable; executions stay).
func (s *server) deleteWorkflow(ctx context.Context, in *deleteWorkflowInput) (*struct{}, error) {
	setResource(ctx, in.ID)
	if _, err := s.workflow(ctx, in.ID); err != nil {
		return nil, err
	}
	if err := s.Store.WorkflowDelete(ctx, in.ID); err != nil {
		return nil, fmt.Errorf("deleting workflow %q: %w", in.ID, err)
	}
	return nil, nil
}

// cloneWorkflow copies a workflow under a new id, named "<name> Copy" as Kibana does.
func (s *server) cloneWorkflow(ctx context.Context, in *idInput) (*workflowOutput, error) {
	w, err := s.workflow(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	src, err := renameYAML(w.YAML, w.Name+" Copy")
	if err != nil {
		return nil, fmt.Errorf("renaming the clone of workflow %q: %w", w.ID, err)
	}
	nw, _, err := s.newWorkflow(ctx, "", src)
	if err != nil {
		return nil, err
	}
	nw.Enabled = w.Enabled
	setResource(ctx, nw.ID)
	if err := s.Store.WorkflowCreate(ctx, nw); err != nil {
		return nil, fmt.Errorf("creating the clone of workflow %q: %w", w.ID, err)
	}
	return &workflowOutput{Body: s.workflowDTO(nw)}, nil
}
