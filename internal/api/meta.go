package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/workflow"
)

// registerMeta adds schema, validate, stats, aggs, the connector catalogue, export and
// mget (§8 rows 4, 5, 16-19 and the validate route).
func (s *server) registerMeta(api huma.API) {
	huma.Register(api, op("getWorkflowSchema", http.MethodGet, "/api/workflows/schema", "The workflow JSON Schema"), s.getSchema)
	huma.Register(api, op("validateWorkflow", http.MethodPost, "/api/workflows/validate", "Validate workflow YAML"), s.validate)
	huma.Register(api, op("getWorkflowStats", http.MethodGet, "/api/workflows/stats", "Workflow and execution counts"), s.getStats)
	huma.Register(api, op("getWorkflowAggs", http.MethodGet, "/api/workflows/aggs", "Workflow field aggregations"), s.getAggs)
	huma.Register(api, op("getWorkflowConnectors", http.MethodGet, "/api/workflows/connectors", "Connector types with their instances and sub-actions"), s.getWorkflowConnectors)
	s.registerTransfer(api)
}

type schemaOutput struct {
	Body json.RawMessage
}

// getSchema returns the JSON Schema of workflow documents with this build's step types.
func (s *server) getSchema(ctx context.Context, _ *struct {
	Loose bool `query:"loose" doc:"Accepted for compatibility"`
}) (*schemaOutput, error) {
	return &schemaOutput{Body: workflow.JSONSchema(s.vopts.StepTypeNames)}, nil
}

type validateInput struct {
	Body struct {
		YAML string `json:"yaml"`
	}
}

type validateOutput struct {
	Body struct {
		Valid       bool                  `json:"valid"`
		Diagnostics []workflow.Diagnostic `json:"diagnostics"`
	}
}

// validate checks YAML without storing it; it answers 200 with the diagnostics either way.
func (s *server) validate(ctx context.Context, in *validateInput) (*validateOutput, error) {
	c := s.check(in.Body.YAML)
	out := &validateOutput{}
	out.Body.Valid, out.Body.Diagnostics = c.valid(), c.diags
	return out, nil
}

// DayStats counts the executions that finished on one day.
type DayStats struct {
	Date      string `json:"date"`
	Timestamp int64  `json:"timestamp"`
	Completed int    `json:"completed"`
	Failed    int    `json:"failed"`
	Cancelled int    `json:"cancelled"`
}

type statsOutput struct {
	Body struct {
		Workflows struct {
			Enabled  int `json:"enabled"`
			Disabled int `json:"disabled"`
		} `json:"workflows"`
		Executions []DayStats `json:"executions"`
	}
}

// statsDays is how many days of executions stats reports.
const statsDays = 7

// getStats counts enabled and disabled workflows and, per day of the last week, the
// executions created that day by terminal status.
func (s *server) getStats(ctx context.Context, _ *struct{}) (*statsOutput, error) {
	out := &statsOutput{}
	all, err := s.allWorkflows(ctx, store.WorkflowListParams{})
	if err != nil {
		return nil, err
	}
	for _, w := range all {
		if w.Enabled {
			out.Body.Workflows.Enabled++
		} else {
			out.Body.Workflows.Disabled++
		}
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	days := make([]DayStats, statsDays)
	for i := range days {
		d := today.AddDate(0, 0, i-statsDays+1)
		days[i] = DayStats{Date: d.Format(time.DateOnly), Timestamp: d.UnixMilli()}
	}
	if err := s.countDays(ctx, days, today.AddDate(0, 0, 1-statsDays)); err != nil {
		return nil, err
	}
	out.Body.Executions = days
	return out, nil
}

// countDays adds the executions created since from to their day, reading newest first.
func (s *server) countDays(ctx context.Context, days []DayStats, from time.Time) error {
	p := store.ExecutionListParams{Limit: 500}
	for ; ; p.Offset += p.Limit {
		rows, _, err := s.Store.ExecutionList(ctx, p)
		if err != nil {
			return fmt.Errorf("listing executions for stats: %w", err)
		}
		for _, ex := range rows {
			if ex.CreatedAt.Before(from) {
				return nil
			}
			d := &days[int(ex.CreatedAt.UTC().Sub(from)/(24*time.Hour))%len(days)]
			switch ex.Status {
			case store.StatusCompleted:
				d.Completed++
			case store.StatusFailed, store.StatusTimedOut:
				d.Failed++
			case store.StatusCancelled:
				d.Cancelled++
			}
		}
		if len(rows) < p.Limit {
			return nil
		}
	}
}

// Bucket is one value of an aggregated field with its count.
type Bucket struct {
	Key      string `json:"key"`
	DocCount int    `json:"doc_count"`
}

type aggsOutput struct{ Body map[string][]Bucket }

// getAggs counts the workflows per tag and per creator.
func (s *server) getAggs(ctx context.Context, in *struct {
	Fields []string `query:"fields,explode" doc:"tags | createdBy"`
}) (*aggsOutput, error) {
	all, err := s.allWorkflows(ctx, store.WorkflowListParams{})
	if err != nil {
		return nil, err
	}
	out := &aggsOutput{Body: map[string][]Bucket{}}
	for _, f := range splitAll(in.Fields) {
		counts := map[string]int{}
		for _, w := range all {
			switch f {
			case "tags":
				for _, t := range w.Tags {
					counts[t]++
				}
			case "createdBy":
				counts[w.CreatedBy]++
			default:
				return nil, fmt.Errorf("%w: cannot aggregate field %q: use tags or createdBy", errBadRequest, f)
			}
		}
		out.Body[f] = buckets(counts)
	}
	return out, nil
}

// buckets sorts counts by count, then key.
func buckets(counts map[string]int) []Bucket {
	out := make([]Bucket, 0, len(counts))
	for k, n := range counts {
		out = append(out, Bucket{Key: k, DocCount: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DocCount != out[j].DocCount {
			return out[i].DocCount > out[j].DocCount
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// ConnectorTypeDTO is one entry of /api/workflows/connectors.
type ConnectorTypeDTO struct {
	ActionTypeID           string        `json:"actionTypeId"`
	DisplayName            string        `json:"displayName"`
	Instances              []InstanceDTO `json:"instances"`
	Enabled                bool          `json:"enabled"`
	EnabledInConfig        bool          `json:"enabledInConfig"`
	EnabledInLicense       bool          `json:"enabledInLicense"`
	MinimumLicenseRequired string        `json:"minimumLicenseRequired"`
	SubActions             []SubAction   `json:"subActions"`
}

// InstanceDTO is one connector of a type; Config is given to admins only.
type InstanceDTO struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	IsPreconfigured bool           `json:"isPreconfigured"`
	IsDeprecated    bool           `json:"isDeprecated"`
	Config          map[string]any `json:"config,omitempty"`
}

// SubAction names one sub-action of a type.
type SubAction struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

type workflowConnectorsOutput struct {
	Body struct {
		ConnectorTypes  map[string]ConnectorTypeDTO `json:"connectorTypes"`
		TotalConnectors int                         `json:"totalConnectors"`
	}
}

// getWorkflowConnectors lists connector types with their instances and sub-actions.
func (s *server) getWorkflowConnectors(ctx context.Context, _ *struct{}) (*workflowConnectorsOutput, error) {
	conns, err := s.Connectors.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}
	admin := roleRank[principalRole(ctx)] >= roleRank[store.RoleAdmin]
	out := &workflowConnectorsOutput{}
	out.Body.ConnectorTypes = map[string]ConnectorTypeDTO{}
	for _, t := range s.Registry.Types() {
		dto := ConnectorTypeDTO{ActionTypeID: t.ID, DisplayName: t.Name, Instances: []InstanceDTO{}, Enabled: true,
			EnabledInConfig: true, EnabledInLicense: true, MinimumLicenseRequired: "basic", SubActions: []SubAction{}}
		for name := range t.Actions {
			if name != "" {
				dto.SubActions = append(dto.SubActions, SubAction{Name: name, DisplayName: name})
			}
		}
		slices.SortFunc(dto.SubActions, func(a, b SubAction) int { return strings.Compare(a.Name, b.Name) })
		out.Body.ConnectorTypes[t.ID] = dto
	}
	for _, c := range conns {
		dto, ok := out.Body.ConnectorTypes[c.TypeID]
		if !ok {
			continue
		}
		inst := InstanceDTO{ID: c.ID, Name: c.Name, IsPreconfigured: c.IsPreconfigured, IsDeprecated: c.IsDeprecated}
		if admin {
			inst.Config = c.Config
		}
		dto.Instances = append(dto.Instances, inst)
		out.Body.ConnectorTypes[c.TypeID] = dto
		out.Body.TotalConnectors++
	}
	return out, nil
}

// principalRole is the caller's role ("" when unauthenticated).
func principalRole(ctx context.Context) string {
	if p := requestFrom(ctx).principal; p != nil {
		return p.Role
	}
	return ""
}

// toMap turns a DTO into a JSON object.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding response: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding response: %w", err)
	}
	return m, nil
}
