package builtin

import (
	"context"

	"github.com/errand-dev/errand/internal/engine"
)

// regexSource reads `source` (a string or an array) for a regex step; each string must be
// at most 100 KB. isList says whether the output is per element.
func regexSource(t string, in engine.StepInput) ([]any, bool, error) {
	src, present := param(in, "source")
	if !present || src == nil {
		return nil, false, paramErrorf(t, "source is required: set `source:` to a string or an array of strings")
	}
	list, isList := asList(src)
	if !isList {
		if _, ok := src.(string); !ok {
			return nil, false, paramErrorf(t, "source must be a string or an array of strings, got %s", describe(src))
		}
		list = []any{src}
	}
	for i, e := range list {
		if s, ok := e.(string); ok && len(s) > maxRegexInput {
			return nil, false, paramErrorf(t, "source element %d is %d bytes; regex input is limited to %d bytes", i, len(s), maxRegexInput)
		}
	}
	return list, isList, nil
}

// regexParams reads with.pattern and with.flags and compiles them.
func regexParams(t string, in engine.StepInput) (*jsRegexp, error) {
	pattern, ok := in.With["pattern"].(string)
	if !ok || pattern == "" {
		return nil, paramErrorf(t, "with.pattern must be a non-empty regular expression string")
	}
	flags := ""
	if v, present := in.With["flags"]; present && v != nil {
		if flags, ok = v.(string); !ok {
			return nil, paramErrorf(t, "with.flags must be a string of flags such as \"gi\", got %s", describe(v))
		}
	}
	re, err := compileJSRegexp(pattern, flags)
	if err != nil {
		return nil, paramErrorf(t, "with.pattern/with.flags: %v", err)
	}
	return re, nil
}

// runDataRegexExtract is `data.regexExtract`: for a string source, the object of
// with.fields ({out: "$1" or group name}) taken from the first match, or null without one;
// for an array, one such entry per element (null for non-strings). errorIfNoMatch turns a
// missing match into a NotFound error.
func runDataRegexExtract(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.regexExtract"
	list, isList, err := regexSource(t, in)
	if err != nil {
		return nil, err
	}
	re, err := regexParams(t, in)
	if err != nil {
		return nil, err
	}
	fields, err := extractFields(t, in.With["fields"])
	if err != nil {
		return nil, err
	}
	ev, present := param(in, "errorIfNoMatch")
	errorIfNoMatch, err := optBool(t, "errorIfNoMatch", ev, present)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(list))
	for i, e := range list {
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		s, ok := e.(string)
		if !ok {
			continue
		}
		m, matched := re.extract(s, fields)
		if !matched && errorIfNoMatch {
			return nil, notFoundErrorf(t, "pattern %q did not match the source text; set errorIfNoMatch to false to get null instead", in.With["pattern"])
		}
		if matched {
			out[i] = m
		}
	}
	if !isList {
		return out[0], nil
	}
	return out, nil
}

// extractFields reads with.fields as {output name: group reference}.
func extractFields(t string, v any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, paramErrorf(t, "with.fields must map output names to groups, e.g. {user: \"$1\", domain: \"domain\"}")
	}
	out := make(map[string]string, len(m))
	for name, ref := range m {
		s, ok := ref.(string)
		if !ok || s == "" {
			return nil, paramErrorf(t, "with.fields.%s must be \"$<number>\" or a named group, got %s", name, describe(ref))
		}
		out[name] = s
	}
	return out, nil
}

// runDataRegexReplace is `data.regexReplace`: source with the first match (every match
// with the g flag) replaced by with.replacement (JS $1, $<name>, $& patterns); an array
// source is replaced element by element (non-strings become their string form). With
// detailed: true the output is {original, replaced, matchCount}, matchCount being the
// number of matches replaced.
func runDataRegexReplace(ctx context.Context, in engine.StepInput) (any, error) {
	const t = "data.regexReplace"
	list, isList, err := regexSource(t, in)
	if err != nil {
		return nil, err
	}
	re, err := regexParams(t, in)
	if err != nil {
		return nil, err
	}
	replacement, ok := in.With["replacement"].(string)
	if !ok {
		if v, present := in.With["replacement"]; present && v != nil {
			return nil, paramErrorf(t, "with.replacement must be a string, got %s", describe(v))
		}
	}
	dv, present := param(in, "detailed")
	detailed, err := optBool(t, "detailed", dv, present)
	if err != nil {
		return nil, err
	}
	replaced := make([]any, len(list))
	total := 0
	for i, e := range list {
		if err := checkCancel(ctx, i); err != nil {
			return nil, err
		}
		s, ok := e.(string)
		if !ok {
			replaced[i] = stringify(e)
			continue
		}
		r, n := re.replace(s, replacement)
		replaced[i], total = r, total+n
	}
	var original, result any = list, replaced
	if !isList {
		original, result = list[0], replaced[0]
	}
	if detailed {
		return map[string]any{"original": original, "replaced": result, "matchCount": total}, nil
	}
	return result, nil
}
