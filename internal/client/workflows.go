package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Workflow is Kibana's workflow DTO (list entries carry no yaml).
type Workflow struct {
	ID            string          `json:"id"`
	Name          string          `json:"name"`
	Description   string          `json:"description,omitempty"`
	Enabled       bool            `json:"enabled"`
	Tags          []string        `json:"tags,omitempty"`
	YAML          string          `json:"yaml,omitempty"`
	Valid         bool            `json:"valid"`
	Definition    json.RawMessage `json:"definition,omitempty"`
	CreatedAt     *time.Time      `json:"createdAt,omitempty"`
	CreatedBy     string          `json:"createdBy,omitempty"`
	LastUpdatedAt *time.Time      `json:"lastUpdatedAt,omitempty"`
	LastUpdatedBy string          `json:"lastUpdatedBy,omitempty"`
	// ValidationErrors is set when the server stored the workflow as invalid.
	ValidationErrors []Diagnostic `json:"validationErrors,omitempty"`
}

// WorkflowList is one page of GET /api/workflows.
type WorkflowList struct {
	Page    int        `json:"page"`
	Size    int        `json:"size"`
	Total   int        `json:"total"`
	Results []Workflow `json:"results"`
}

// ListWorkflowsParams filters GET /api/workflows. Zero fields are not sent.
type ListWorkflowsParams struct {
	Query   string
	Page    int
	Size    int
	Enabled *bool
	Tags    []string
}

// ListWorkflows returns one page of workflows.
func (c *Client) ListWorkflows(ctx context.Context, p ListWorkflowsParams) (*WorkflowList, error) {
	q := url.Values{}
	if p.Query != "" {
		q.Set("query", p.Query)
	}
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	if p.Size > 0 {
		q.Set("size", strconv.Itoa(p.Size))
	}
	if p.Enabled != nil {
		q.Set("enabled", strconv.FormatBool(*p.Enabled))
	}
	for _, t := range p.Tags {
		q.Add("tags", t)
	}
	var out WorkflowList
	if err := c.do(ctx, "GET", "/api/workflows", q, nil, &out); err != nil {
		return nil, fmt.Errorf("listing workflows: %w", err)
	}
	return &out, nil
}

// WorkflowByName returns the workflow whose name is exactly name (searching with query=name
// and paging through the matches), or an error matching ErrNotFound.
func (c *Client) WorkflowByName(ctx context.Context, name string) (*Workflow, error) {
	const size = 100
	for page := 1; ; page++ {
		list, err := c.ListWorkflows(ctx, ListWorkflowsParams{Query: name, Page: page, Size: size})
		if err != nil {
			return nil, err
		}
		for i := range list.Results {
			if list.Results[i].Name == name {
				return &list.Results[i], nil
			}
		}
		if len(list.Results) < size || page*size >= list.Total {
			return nil, fmt.Errorf("finding workflow %q: %w", name, ErrNotFound)
		}
	}
}

// GetWorkflow returns one workflow with its yaml.
func (c *Client) GetWorkflow(ctx context.Context, id string) (*Workflow, error) {
	var out Workflow
	if err := c.do(ctx, "GET", "/api/workflows/workflow/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, fmt.Errorf("getting workflow %s: %w", id, err)
	}
	return &out, nil
}

// CreateWorkflow stores a workflow from its YAML; id may be empty (the server picks one).
func (c *Client) CreateWorkflow(ctx context.Context, yaml, id string) (*Workflow, error) {
	body := map[string]any{"yaml": yaml}
	if id != "" {
		body["id"] = id
	}
	var out Workflow
	if err := c.do(ctx, "POST", "/api/workflows/workflow", nil, body, &out); err != nil {
		return nil, fmt.Errorf("creating workflow: %w", err)
	}
	return &out, nil
}

// WorkflowUpdate is the partial update of PUT /api/workflows/workflow/{id}; nil fields are
// left as they are.
type WorkflowUpdate struct {
	Name        *string  `json:"name,omitempty"`
	Description *string  `json:"description,omitempty"`
	Enabled     *bool    `json:"enabled,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	YAML        *string  `json:"yaml,omitempty"`
}

// UpdateResult is the answer of an update.
type UpdateResult struct {
	ID               string       `json:"id"`
	LastUpdatedAt    *time.Time   `json:"lastUpdatedAt,omitempty"`
	LastUpdatedBy    string       `json:"lastUpdatedBy,omitempty"`
	Enabled          bool         `json:"enabled"`
	Valid            bool         `json:"valid"`
	ValidationErrors []Diagnostic `json:"validationErrors,omitempty"`
}

// UpdateWorkflow applies a partial update.
func (c *Client) UpdateWorkflow(ctx context.Context, id string, u WorkflowUpdate) (*UpdateResult, error) {
	var out UpdateResult
	if err := c.do(ctx, "PUT", "/api/workflows/workflow/"+url.PathEscape(id), nil, u, &out); err != nil {
		return nil, fmt.Errorf("updating workflow %s: %w", id, err)
	}
	return &out, nil
}

// DeleteWorkflow deletes a workflow (force: hard delete, the id becomes reusable).
func (c *Client) DeleteWorkflow(ctx context.Context, id string, force bool) error {
	q := url.Values{}
	if force {
		q.Set("force", "true")
	}
	if err := c.do(ctx, "DELETE", "/api/workflows/workflow/"+url.PathEscape(id), q, nil, nil); err != nil {
		return fmt.Errorf("deleting workflow %s: %w", id, err)
	}
	return nil
}
