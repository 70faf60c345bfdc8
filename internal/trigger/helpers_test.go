package trigger_test

import (
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/errand-dev/errand/internal/engine"
	"github.com/errand-dev/errand/internal/engine/builtin"
	"github.com/errand-dev/errand/internal/store"
	"github.com/errand-dev/errand/internal/store/postgres"
	"github.com/errand-dev/errand/internal/store/postgres/pgtest"
	"github.com/errand-dev/errand/internal/store/sqlite"
	"github.com/errand-dev/errand/internal/template"
	"github.com/errand-dev/errand/internal/trigger/triggertest"
)

// backend opens stores on one fresh database: each call of open is another handle on it, as
// another node or a restarted process has.
type backend struct {
	name string
	open func(t *testing.T) func(t *testing.T) store.Store
}

// backends are the databases every store-backed test runs on (PostgreSQL when configured).
var backends = []backend{
	{"sqlite", func(t *testing.T) func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "errand.db")
		return func(t *testing.T) store.Store {
			s, err := sqlite.Open(t.Context(), path)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			return s
		}
	}},
	{"postgres", func(t *testing.T) func(t *testing.T) store.Store {
		dsn := postgresDSN(t)
		return func(t *testing.T) store.Store {
			s, err := postgres.Open(t.Context(), dsn)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			return s
		}
	}},
}

// eachBackend runs f once per backend, with a function opening handles on a fresh database.
func eachBackend(t *testing.T, f func(t *testing.T, open func(t *testing.T) store.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.open(t)) })
	}
}

// postgresDSN returns a DSN pointed at a fresh schema dropped when t ends; t is skipped when
// no database is configured.
func postgresDSN(t *testing.T) string {
	t.Helper()
	return pgtest.SchemaURL(t, "errand_trigger")
}

// newEngine returns an engine on st with the built-in steps and clock's time.
func newEngine(st store.Store, clock *triggertest.Clock) *engine.Engine {
	executors := map[string]engine.StepExecutor{}
	builtin.Register(executors)
	ev := engine.NewEvaluator(template.New(template.DefaultLimits()))
	return engine.New(st, ev, executors, nil, nil, engine.Options{Now: clock.Now})
}

// createWorkflow stores a workflow created (and last updated) at created.
func createWorkflow(t *testing.T, st store.Store, id, yaml string, enabled bool, created time.Time) *store.Workflow {
	t.Helper()
	w := &store.Workflow{
		ID: id, Name: id, Enabled: enabled, Valid: true, YAML: yaml,
		CreatedAt: created, UpdatedAt: created,
	}
	require.NoError(t, st.WorkflowCreate(t.Context(), w))
	return w
}

// executions lists the executions of a workflow, oldest first.
func executions(t *testing.T, st store.Store, workflowID string) []*store.Execution {
	t.Helper()
	list, _, err := st.ExecutionList(t.Context(), store.ExecutionListParams{WorkflowID: workflowID, Limit: 1000})
	require.NoError(t, err)
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// consoleStep is a step list every test workflow ends with.
const consoleStep = `steps:
  - name: hello
    type: console
    with:
      message: "hi {{ event | json }}"
`
