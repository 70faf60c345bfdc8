package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"go.yaml.in/yaml/v4"

	"github.com/errand-dev/errand/internal/store"
)

type bulkCreateInput struct {
	Overwrite bool `query:"overwrite" doc:"Replace workflows whose id exists"`
	Body      struct {
		Workflows []struct {
			YAML string `json:"yaml"`
			ID   string `json:"id,omitempty"`
		} `json:"workflows" maxItems:"500"` // Kibana's limit on workflows per bulk create
	}
}

// BulkFailure is one workflow a bulk call could not handle.
type BulkFailure struct {
	Index int    `json:"index"`
	ID    string `json:"id,omitempty"`
	Error string `json:"error"`
}

type bulkCreateOutput struct {
	Body struct {
		Created  []IDName      `json:"created"`
		Total    int           `json:"total"`
		Failures []BulkFailure `json:"failures"`
	}
}

// IDName names a workflow.
type IDName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// bulkCreate creates each workflow, reporting failures per item (with overwrite, an
// existing id is replaced).
func (s *server) bulkCreate(ctx context.Context, in *bulkCreateInput) (*bulkCreateOutput, error) {
	out := &bulkCreateOutput{}
	out.Body.Created, out.Body.Failures = []IDName{}, []BulkFailure{}
	out.Body.Total = len(in.Body.Workflows)
	for i, item := range in.Body.Workflows {
		w, _, err := s.newWorkflow(ctx, item.ID, item.YAML)
		if err == nil {
			err = s.Store.WorkflowCreate(ctx, w)
			if errors.Is(err, store.ErrConflict) && in.Overwrite {
				err = s.overwrite(ctx, w)
			}
		}
		if err != nil {
			out.Body.Failures = append(out.Body.Failures, BulkFailure{Index: i, ID: item.ID, Error: problem(ctx, err).Detail})
			continue
		}
		out.Body.Created = append(out.Body.Created, IDName{ID: w.ID, Name: w.Name})
	}
	return out, nil
}

// overwrite replaces an existing workflow with w, keeping its creation fields.
func (s *server) overwrite(ctx context.Context, w *store.Workflow) error {
	old, err := s.workflow(ctx, w.ID)
	if err != nil {
		return err
	}
	w.CreatedAt, w.CreatedBy = old.CreatedAt, old.CreatedBy
	if err := s.Store.WorkflowUpdate(ctx, w); err != nil {
		return fmt.Errorf("overwriting workflow %q: %w", w.ID, err)
	}
	return nil
}

type idsInput struct {
	Body struct {
		IDs []string `json:"ids"`
	}
}

type bulkDeleteOutput struct {
	Body struct {
		Total    int           `json:"total"`
		Deleted  int           `json:"deleted"`
		Failures []BulkFailure `json:"failures"`
	}
}

// bulkDelete deletes each workflow, reporting the ids that could not be deleted.
func (s *server) bulkDelete(ctx context.Context, in *idsInput) (*bulkDeleteOutput, error) {
	out := &bulkDeleteOutput{}
	out.Body.Total, out.Body.Failures = len(in.Body.IDs), []BulkFailure{}
	for i, id := range in.Body.IDs {
		if err := s.Store.WorkflowDelete(ctx, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("%w: Workflow not found: %s", errNotFound, id)
			}
			out.Body.Failures = append(out.Body.Failures, BulkFailure{Index: i, ID: id, Error: problem(ctx, err).Detail})
			continue
		}
		out.Body.Deleted++
	}
	return out, nil
}

// registerTransfer adds export and mget (§8 rows 16-17).
func (s *server) registerTransfer(api huma.API) {
	huma.Register(api, op("exportWorkflows", http.MethodPost, "/api/workflows/export", "Export workflows as YAML"), s.exportWorkflows)
	huma.Register(api, op("mgetWorkflows", http.MethodPost, "/api/workflows/mget", "Get several workflows"), s.mgetWorkflows)
}

type exportOutput struct {
	Body struct {
		Entries  []ExportEntry `json:"entries"`
		Manifest struct {
			ExportedCount int       `json:"exportedCount"`
			ExportedAt    time.Time `json:"exportedAt"`
			Version       string    `json:"version"`
		} `json:"manifest"`
	}
}

// ExportEntry is one exported workflow.
type ExportEntry struct {
	ID   string `json:"id"`
	YAML string `json:"yaml"`
}

// exportWorkflows returns the YAML of each workflow; a missing id is a 404.
func (s *server) exportWorkflows(ctx context.Context, in *idsInput) (*exportOutput, error) {
	out := &exportOutput{}
	out.Body.Entries = []ExportEntry{}
	for _, id := range in.Body.IDs {
		w, err := s.workflow(ctx, id)
		if err != nil {
			return nil, err
		}
		out.Body.Entries = append(out.Body.Entries, ExportEntry{ID: w.ID, YAML: w.YAML})
	}
	m := &out.Body.Manifest
	m.ExportedCount, m.ExportedAt, m.Version = len(out.Body.Entries), time.Now().UTC(), "1"
	return out, nil
}

type mgetInput struct {
	Body struct {
		IDs    []string `json:"ids"`
		Source []string `json:"source,omitempty" doc:"Fields to return (all when omitted)"`
	}
}

type mgetOutput struct{ Body []map[string]any }

// mgetWorkflows returns the workflows that exist among ids, limited to the source fields.
func (s *server) mgetWorkflows(ctx context.Context, in *mgetInput) (*mgetOutput, error) {
	out := &mgetOutput{Body: []map[string]any{}}
	for _, id := range in.Body.IDs {
		w, err := s.workflow(ctx, id)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m, err := toMap(s.workflowDTO(w))
		if err != nil {
			return nil, err
		}
		if len(in.Body.Source) > 0 {
			keep := map[string]any{"id": m["id"]}
			for _, f := range in.Body.Source {
				if v, ok := m[f]; ok {
					keep[f] = v
				}
			}
			m = keep
		}
		out.Body = append(out.Body, m)
	}
	return out, nil
}

// renameYAML sets the top-level name of a workflow document, keeping the rest (comments
// included) as written.
func renameYAML(src, name string) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return "", fmt.Errorf("parsing workflow yaml: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return "", fmt.Errorf("renaming workflow: %w: the document is not a mapping", errBadRequest)
	}
	root := doc.Content[0]
	found := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "name" {
			root.Content[i+1].SetString(name)
			found = true
		}
	}
	if !found {
		root.Content = append([]*yaml.Node{{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Value: name}}, root.Content...)
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", fmt.Errorf("encoding workflow yaml: %w", err)
	}
	return b.String(), enc.Close()
}
