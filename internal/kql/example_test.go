package kql_test

import (
	"fmt"

	"github.com/errand-dev/errand/internal/kql"
)

func ExampleEval() {
	data := map[string]any{
		"steps": map[string]any{
			"search": map[string]any{"output": map[string]any{
				"hits": map[string]any{"total": map[string]any{"value": 3}},
			}},
		},
		"inputs": map[string]any{"env": "prod", "hosts": []any{"web-1", "db-1"}},
	}
	for _, cond := range []string{
		"steps.search.output.hits.total.value > 0 and inputs.env: prod",
		"inputs.hosts: web-* and not inputs.env: (dev or staging)",
		"inputs.missing: *",
	} {
		ok, err := kql.Eval(cond, data)
		fmt.Println(ok, err)
	}
	_, err := kql.Eval("inputs.env = prod", data)
	fmt.Println(err)
	// Output:
	// true <nil>
	// true <nil>
	// false <nil>
	// kql syntax error at line 1, column 12: expected ":" or a range operator (<, <=, >, >=); KQL has no "=", "==" or "!=" (write field: value or not field: value)
}
