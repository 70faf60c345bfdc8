package workflow

import (
	"errors"
	"strings"

	"github.com/errand-dev/errand/internal/kql"
)

// checkString checks one runtime string of a step: its Liquid syntax, the syntax of a KQL
// condition, and the variables it refers to.
func (v *validator) checkString(f stringField, visible nameSet, stepName string) {
	var refs [][]string
	if f.condition && !isTemplate(f.value) {
		refs = v.checkCondition(f.path, f.value, RuleInvalidIfConditionSyntax)
	} else {
		refs = v.checkTemplate(f)
	}
	seen := map[string]bool{}
	for _, r := range refs {
		if len(r) < 2 || seen[r[0]+"\x00"+r[1]] {
			continue
		}
		seen[r[0]+"\x00"+r[1]] = true
		v.checkRef(r, f.path, f.value, visible, stepName)
	}
}

// triggerCondition checks an event trigger's on.condition, a KQL query over `event`.
func (v *validator) triggerCondition(t *Trigger) {
	if isTemplate(t.Condition) {
		return
	}
	v.checkCondition(joinPath(t.Path, "on.condition"), t.Condition, RuleInvalidTriggerCondition)
}

// checkCondition checks a KQL condition (one without Liquid markup): `==` and `!=` are
// reported with the KQL fix, other syntax errors under rule. It returns the field paths the
// condition reads.
func (v *validator) checkCondition(path, cond, rule string) [][]string {
	if op, offset := equalityOperator(cond); op != "" {
		fix := "use `field: value`"
		if op == "!=" {
			fix = "use `not field: value`"
		}
		v.add(RuleInvalidEqualityOperator, SeverityError, path, v.inside(path, cond, offset),
			"Conditions are KQL, which has no `%s` operator: %s", op, fix)
		return kqlPaths(cond)
	}
	_, err := kql.Parse(cond)
	var se *kql.SyntaxError
	if errors.As(err, &se) {
		at := v.pos(path, Pos{Line: 1, Col: 1})
		if v.wf.source != nil {
			at = v.wf.source.inside(path, se.Line, se.Col)
		}
		v.add(rule, SeverityError, path, at, "Invalid KQL condition %q: %s", cond, se.Message)
	} else if err != nil {
		v.add(rule, SeverityError, path, v.pos(path, Pos{Line: 1, Col: 1}), "Invalid KQL condition %q: %s", cond, err.Error())
	}
	return kqlPaths(cond)
}

// inside returns the document position of a byte offset within the string at path.
func (v *validator) inside(path, s string, offset int) Pos {
	if v.wf.source == nil {
		return Pos{Line: 1, Col: 1}
	}
	line, col := 1, 1
	for _, r := range s[:offset] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return v.wf.source.inside(path, line, col)
}

// equalityOperator finds `==`, `!=` (or `===`, `!==`) outside quotes and returns the
// operator and its byte offset.
func equalityOperator(cond string) (string, int) {
	var quote byte
	for i := 0; i+1 < len(cond); i++ {
		c := cond[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case (c == '=' || c == '!') && cond[i+1] == '=':
			return string(c) + "=", i
		}
	}
	return "", 0
}

// kqlPaths extracts the field paths of a KQL condition as segment lists. Only the first two
// segments matter for reference checks: `steps.x.output` → [steps x output],
// `steps["a-b"].output` → [steps a-b output]. Quoted values are skipped.
func kqlPaths(cond string) [][]string {
	var out [][]string
	for i := 0; i < len(cond); {
		c := cond[i]
		switch {
		case c == '"' || c == '\'':
			i = skipQuoted(cond, i)
		case isIdentStart(c) && (i == 0 || !isIdentPart(cond[i-1])):
			segs, next := readPath(cond, i)
			out = append(out, segs)
			i = next
		default:
			i++
		}
	}
	return out
}

// skipQuoted returns the offset after the quoted string starting at i.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] == '\\' {
			j++
		} else if s[j] == q {
			return j + 1
		}
	}
	return len(s)
}

// readPath reads a dotted/bracketed path starting at i.
func readPath(s string, i int) ([]string, int) {
	var segs []string
	start := i
	for i < len(s) {
		c := s[i]
		switch {
		case isIdentPart(c):
			i++
			continue
		case c == '.':
			segs = appendSeg(segs, s[start:i])
			i++
			start = i
			continue
		case c == '[':
			segs = appendSeg(segs, s[start:i])
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return segs, len(s)
			}
			segs = append(segs, strings.Trim(s[i+1:i+end], `"' `))
			i += end + 1
			if i < len(s) && s[i] == '.' {
				i++
			}
			start = i
			continue
		}
		break
	}
	return appendSeg(segs, s[start:i]), i
}

// appendSeg appends a non-empty segment.
func appendSeg(segs []string, seg string) []string {
	if seg == "" {
		return segs
	}
	return append(segs, seg)
}

// isIdentStart reports whether c can start a KQL field name.
func isIdentStart(c byte) bool {
	return c == '_' || c == '@' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// isIdentPart reports whether c can continue a KQL field name segment.
func isIdentPart(c byte) bool {
	return isIdentStart(c) || c == '-' || (c >= '0' && c <= '9')
}
