package kql

import (
	"strings"
	"unicode/utf8"
)

// maxDepth bounds the nesting of parentheses, braces and `not`s.
const maxDepth = 64

// literal is one value as written: its unescaped text, whether it was quoted, and for an
// unquoted value with unescaped `*`, the pieces between the stars.
type literal struct {
	text     string
	quoted   bool
	wildcard bool
	parts    []string
	num      float64 // text as a number, when isNum
	isNum    bool
}

// withNumber fills num and isNum from the text.
func (l literal) withNumber() literal {
	if !l.wildcard {
		l.num, l.isNum = parseNumber(l.text)
	}
	return l
}

// parser is a scannerless recursive-descent parser that mirrors the grammar of Kibana's
// kuery.peggy (OrQuery → AndQuery → NotQuery → SubQuery | Expression).
type parser struct {
	src   string
	pos   int
	depth int
}

// Parse parses a KQL condition. Errors are *SyntaxError.
func Parse(src string) (*Query, error) {
	p := &parser{src: src}
	p.skipSpace()
	if p.eof() {
		return nil, p.errorf("expected a condition, found an empty query")
	}
	root, err := p.parseOr(p.parseNot)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		e := p.unexpected("\"and\", \"or\" or the end of the condition")
		if p.peek() == ':' {
			e.Message += " (quote values that contain \":\", e.g. \"2024-01-01T00:00:00Z\")"
		}
		return nil, e
	}
	return &Query{src: src, root: root}, nil
}

// parseOr parses `x or y or ...` where each operand is parsed by next via parseAnd.
func (p *parser) parseOr(next func() (node, error)) (node, error) {
	first, err := p.parseAnd(next)
	if err != nil {
		return nil, err
	}
	children := []node{first}
	for p.keywordAhead("or") {
		p.consumeKeyword("or")
		child, err := p.parseAnd(next)
		if err != nil {
			return nil, err
		}
		children = append(children, child)
	}
	if len(children) == 1 {
		return first, nil
	}
	return orNode{children}, nil
}

// parseAnd parses `x and y and ...`.
func (p *parser) parseAnd(next func() (node, error)) (node, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	children := []node{first}
	for p.keywordAhead("and") {
		p.consumeKeyword("and")
		child, err := next()
		if err != nil {
			return nil, err
		}
		children = append(children, child)
	}
	if len(children) == 1 {
		return first, nil
	}
	return andNode{children}, nil
}

// parseNot parses an optional `not` prefix followed by a group or an expression.
func (p *parser) parseNot() (node, error) {
	p.skipSpace()
	if p.keywordHere("not") {
		p.consumeKeyword("not")
		if err := p.enter(); err != nil {
			return nil, err
		}
		child, err := p.parseNot()
		p.depth--
		if err != nil {
			return nil, err
		}
		return notNode{child}, nil
	}
	if p.peek() == '(' {
		return p.parseGroup(func() (node, error) { return p.parseOr(p.parseNot) })
	}
	return p.parseExpression()
}

// parseGroup parses `( inner )`.
func (p *parser) parseGroup(inner func() (node, error)) (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // (
	p.skipSpace()
	if p.peek() == ')' {
		return nil, p.errorf("expected a condition inside the parentheses")
	}
	n, err := inner()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return nil, p.unexpected("\")\"")
	}
	p.pos++
	return n, nil
}

// enter counts one nesting level and fails past maxDepth.
func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		e := p.errorf("the condition nests more than %d levels deep", maxDepth)
		e.err = ErrTooDeep
		return e
	}
	return nil
}

// errorf builds a SyntaxError at the current position.
func (p *parser) errorf(format string, args ...any) *SyntaxError {
	return newSyntaxError(p.src, p.pos, format, args...)
}

// unexpected reports what was found at the current position and what was expected.
func (p *parser) unexpected(expected string) *SyntaxError {
	if p.eof() {
		return p.errorf("expected %s, found the end of the condition", expected)
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return p.errorf("expected %s, found %q", expected, r)
}

func newSyntaxError(src string, offset int, format string, args ...any) *SyntaxError {
	line, col := 1, 1
	for _, r := range src[:offset] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return &SyntaxError{Offset: offset, Line: line, Col: col, Message: sprintf(format, args...)}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) skipSpace() {
	for !p.eof() && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// keywordHere reports whether kw (case-insensitive) starts at the current position and is
// followed by whitespace, "(" or the end of the source.
func (p *parser) keywordHere(kw string) bool {
	return keywordAt(p.src, p.pos, kw)
}

// keywordAhead reports whether, after whitespace, the keyword kw follows.
func (p *parser) keywordAhead(kw string) bool {
	i := p.pos
	for i < len(p.src) && isSpace(p.src[i]) {
		i++
	}
	if i == p.pos && i > 0 && p.src[i-1] != ')' && p.src[i-1] != '}' && p.src[i-1] != '"' {
		return false
	}
	return keywordAt(p.src, i, kw)
}

func (p *parser) consumeKeyword(kw string) {
	p.skipSpace()
	p.pos += len(kw)
	p.skipSpace()
}

func keywordAt(src string, i int, kw string) bool {
	end := i + len(kw)
	if end > len(src) || !strings.EqualFold(src[i:end], kw) {
		return false
	}
	return end == len(src) || isSpace(src[end]) || src[end] == '('
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
