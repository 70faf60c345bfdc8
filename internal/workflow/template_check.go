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
	t, err := v.templates.Parse(f.value)
	if err != nil {
		v.liquidError(f, err)
		return nil
	}
	return t.Variables()
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
