// Package kql evaluates Kibana Query Language conditions against the in-memory template
// context, the way Kibana's @kbn/eval-kql does for workflow conditions (`if`, `while`,
// `retry.condition`, `data.filter` ...). No Go KQL library exists, so it is written here.
//
// Supported: `field: value`, `field: "quoted phrase"`, wildcards in unquoted values
// (`host: web-*`, `path: *Users*`), `field: *` (the field exists and is not null), ranges
// `field > 5`, `>=`, `<`, `<=`, value lists `field: (a or b)`, `and`/`or`/`not`
// (case-insensitive; precedence not > and > or), parentheses, nested queries
// `items: { status: ok and code > 2 }`, and paths `steps.x.output.status`, `users[0].name`,
// `users.0.name`, `a["b-c"]`. A path that crosses an array matches when any element matches;
// `.length` of an array or string and `.size` of an array resolve to their length.
//
// Matching follows eval-kql: values are case-sensitive; a number field compares with the
// value parsed as a number; a boolean field matches `true`/`false`; a field that is undefined
// never matches (so `not field: x` matches it). Ranges compare numbers numerically (a string
// that looks like a number against a number literal too), dates as instants (ISO-8601
// strings, time.Time and the date math `now`, `now-1d`, `now-1d/d`), other strings
// lexically.
//
// A bare value with no field is read as follows: `true` and `false` are constants, a number
// is true when non-zero, and a word is a path that is true when it resolves to a truthy value
// (not null, false, 0, "" or an empty array). A bare quoted phrase or wildcard is a syntax
// error, and so is `=`, `==` or `!=` (KQL compares with `:`).
package kql

// Query is a parsed KQL condition. It is immutable and safe for concurrent use.
type Query struct {
	src  string
	root node
}

// String returns the source the query was parsed from.
func (q *Query) String() string { return q.src }

// Match reports whether data satisfies the query. Data values may be map[string]any, []any,
// string, float64, int, int64, bool, nil, time.Time and json.Number (other maps and slices
// are read by reflection).
func (q *Query) Match(data map[string]any) bool {
	if q == nil || q.root == nil {
		return false
	}
	return q.root.match(data)
}

// node is one element of the query tree; ctx is the object paths resolve against.
type node interface {
	match(ctx any) bool
}

type orNode struct{ children []node }

func (n orNode) match(ctx any) bool {
	for _, c := range n.children {
		if c.match(ctx) {
			return true
		}
	}
	return false
}

type andNode struct{ children []node }

func (n andNode) match(ctx any) bool {
	for _, c := range n.children {
		if !c.match(ctx) {
			return false
		}
	}
	return true
}

type notNode struct{ child node }

func (n notNode) match(ctx any) bool { return !n.child.match(ctx) }

type constNode struct{ value bool }

func (n constNode) match(any) bool { return n.value }

// isNode is `field: value` with an exact or wildcard value.
type isNode struct {
	path []string
	lit  literal
}

func (n isNode) match(ctx any) bool {
	v, ok := resolve(ctx, n.path)
	if !ok {
		return false
	}
	if n.lit.wildcard {
		return wildcardMatch(v, n.lit)
	}
	return exactMatch(v, n.lit)
}

// existsNode is `field: *`.
type existsNode struct{ path []string }

func (n existsNode) match(ctx any) bool {
	v, ok := resolve(ctx, n.path)
	return ok && present(v)
}

// rangeNode is `field <op> value`.
type rangeNode struct {
	path []string
	op   string
	lit  literal
}

func (n rangeNode) match(ctx any) bool {
	v, ok := resolve(ctx, n.path)
	if !ok {
		return false
	}
	return rangeMatch(v, n.op, n.lit)
}

// nestedNode is `field: { query }`: the inner query runs against the value at field, or
// against any of its elements when it is an array.
type nestedNode struct {
	path  []string
	inner node
}

func (n nestedNode) match(ctx any) bool {
	v, ok := resolve(ctx, n.path)
	if !ok {
		return false
	}
	if items, isList := asList(v); isList {
		for _, item := range items {
			if n.inner.match(item) {
				return true
			}
		}
		return false
	}
	return n.inner.match(v)
}

// truthyNode is a bare path with no field: true when the path holds a truthy value.
type truthyNode struct{ path []string }

func (n truthyNode) match(ctx any) bool {
	v, ok := resolve(ctx, n.path)
	return ok && truthy(v)
}
