package workflow

import (
	"errors"
	"strings"

	"github.com/errand-dev/errand/internal/template"
)

// checkTemplate parses a string as Liquid, reporting a liquidSyntaxError at the position of
// the offending token, and returns the variable paths it reads.
func (v *validator) checkTemplate(f stringField) [][]string {
	if !strings.Contains(f.value, "{{") && !strings.Contains(f.value, "{%") {
		return nil
	}
	if v.templates == nil {
		v.templates = template.New(template.Limits{ParseLimit: v.wf.Settings.Liquid.ParseLimit})
	}
	if _, err := v.templates.Parse(f.value); err != nil {
		v.liquidError(f, err)
		return nil
	}
	return markupPaths(f.value)
}

// markupPaths extracts the variable paths read inside the `{{ }}` and `{% %}` markup of a
// template that parsed. It scans the markup lexically (quoted strings skipped) with the
// same path reader as KQL conditions; filter names and loop variables come out as single
// segments, which reference checks ignore.
func markupPaths(src string) [][]string {
	var out [][]string
	for rest := src; ; {
		open := strings.Index(rest, "{")
		if open < 0 || open+1 >= len(rest) {
			return out
		}
		closer := map[byte]string{'{': "}}", '%': "%}"}[rest[open+1]]
		if closer == "" {
			rest = rest[open+1:]
			continue
		}
		body := rest[open+2:]
		end := strings.Index(body, closer)
		if end < 0 {
			end = len(body)
		}
		if strings.HasPrefix(strings.TrimLeft(body, "- "), "raw") {
			// Everything up to {% endraw %} is literal text.
			if e := strings.Index(body, "endraw"); e >= 0 {
				end = e
			}
		} else {
			out = append(out, kqlPaths(body[:end])...)
		}
		rest = body[end:]
	}
}

// liquidError reports a template error at its position inside the YAML scalar.
func (v *validator) liquidError(f stringField, err error) {
	at := v.pos(f.path, Pos{Line: 1, Col: 1})
	msg := err.Error()
	var te *template.Error
	if errors.As(err, &te) {
		msg = te.Message
		if te.Line > 0 && v.wf.source != nil {
			at = v.wf.source.inside(f.path, te.Line, te.Col)
		}
	}
	rule := RuleLiquidSyntaxError
	if errors.Is(err, template.ErrLimit) {
		msg = "template is too long: " + msg
	}
	v.add(rule, SeverityError, f.path, at, "Invalid Liquid template: %s", msg)
}
