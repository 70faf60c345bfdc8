package engine

import (
	"strconv"

	"github.com/errand-dev/errand/internal/workflow"
)

// scope is where a step runs: the path prefix that makes its records unique (loop
// iterations, retried flow-control attempts) and the loop and error context it sees. Scopes
// are immutable; entering a body derives a new one.
type scope struct {
	prefix  string
	foreach map[string]any // innermost foreach {item, index, total, items}
	while   map[string]any // innermost while {iteration}
	err     *StepError     // the caught error inside fallback steps
	depth   int            // nesting depth, for the record's scope
}

// attemptSuffix is "" for the first attempt and "#n" after, so first-attempt paths stay short.
func attemptSuffix(attempt int) string {
	if attempt <= 1 {
		return ""
	}
	return "#" + strconv.Itoa(attempt)
}

// path is the record path of attempt of the named step in this scope: "loop[2]/fetch#1".
func (s *scope) path(name string, attempt int) string {
	return s.prefix + name + "#" + strconv.Itoa(attempt)
}

// body is the scope of a non-loop body (if, switch, parallel branch) of attempt of step.
func (s *scope) body(st *workflow.Step, attempt int) *scope {
	c := *s
	if attempt > 1 {
		c.prefix = s.prefix + st.Name + attemptSuffix(attempt) + "/"
	}
	c.depth++
	return &c
}

// iterationPrefix is the prefix of iteration i (iteration attempt iterAttempt) of attempt
// of loop st, without the trailing slash; it is also the iteration record's path.
func (s *scope) iterationPrefix(st *workflow.Step, attempt, i, iterAttempt int) string {
	return s.prefix + st.Name + attemptSuffix(attempt) + "[" + strconv.Itoa(i) + "]" + attemptSuffix(iterAttempt)
}

// iteration is the scope of one loop iteration.
func (s *scope) iteration(prefix string, foreach, while map[string]any) *scope {
	c := *s
	c.prefix = prefix + "/"
	if foreach != nil {
		c.foreach = foreach
	}
	if while != nil {
		c.while = while
	}
	c.depth++
	return &c
}

// withError is the scope of fallback steps handling err.
func (s *scope) withError(err *StepError) *scope {
	c := *s
	c.err = err
	return &c
}
