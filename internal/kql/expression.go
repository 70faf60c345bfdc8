package kql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// specialChars may not appear unescaped in an unquoted literal (KQL's SpecialCharacter).
const specialChars = "\\():<>\"*{}"

// parseExpression parses `field: values`, `field: { query }`, `field <op> value` or a bare
// value.
func (p *parser) parseExpression() (node, error) {
	start := p.pos
	field, err := p.parseLiteral(false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	switch p.peek() {
	case ':':
		path, err := p.fieldPath(field, start)
		if err != nil {
			return nil, err
		}
		p.pos++
		p.skipSpace()
		if p.peek() == '{' {
			return p.parseNested(path)
		}
		return p.parseValues(path)
	case '<', '>':
		path, err := p.fieldPath(field, start)
		if err != nil {
			return nil, err
		}
		return p.parseRange(path)
	}
	return p.bareValue(field, start)
}

// fieldPath validates a field literal and splits it into path segments.
func (p *parser) fieldPath(field literal, start int) ([]string, error) {
	if field.wildcard {
		return nil, newSyntaxError(p.src, start, "wildcards are not supported in field names")
	}
	path, ok := splitPath(field.text)
	if !ok {
		return nil, newSyntaxError(p.src, start, "expected a field path like a.b[0].c, found %q", field.text)
	}
	return path, nil
}

// bareValue turns a value without a field into a node (see the package doc).
func (p *parser) bareValue(lit literal, start int) (node, error) {
	if strings.Contains(lit.text, "=") && !lit.quoted {
		at := start + strings.Index(p.src[start:], "=")
		if strings.Contains(p.src[start:at], "!") {
			at = start + strings.Index(p.src[start:], "!")
		}
		return nil, newSyntaxError(p.src, at, "expected \":\" or a range operator (<, <=, >, >=); KQL has no \"=\", \"==\" or \"!=\" (write field: value or not field: value)")
	}
	if lit.quoted || lit.wildcard {
		return nil, newSyntaxError(p.src, start, "expected a field name and \":\" before the value %q", lit.text)
	}
	switch lit.text {
	case "true":
		return constNode{true}, nil
	case "false":
		return constNode{false}, nil
	}
	if f, err := strconv.ParseFloat(lit.text, 64); err == nil {
		return constNode{f != 0}, nil
	}
	path, ok := splitPath(lit.text)
	if !ok {
		return nil, newSyntaxError(p.src, start, "expected a field path or \"field: value\", found %q", lit.text)
	}
	return truthyNode{path}, nil
}

// parseRange parses `<op> value` after a field.
func (p *parser) parseRange(path []string) (node, error) {
	op := string(p.src[p.pos])
	p.pos++
	if p.peek() == '=' {
		op += "="
		p.pos++
	}
	p.skipSpace()
	start := p.pos
	lit, err := p.parseLiteral(true)
	if err != nil {
		return nil, err
	}
	if lit.wildcard {
		return nil, newSyntaxError(p.src, start, "expected a number, date or string after %q; wildcards are not allowed in ranges", op)
	}
	return rangeNode{path: path, op: op, lit: lit.withNumber()}, nil
}

// parseNested parses `{ query }` after `field:`.
func (p *parser) parseNested(path []string) (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // {
	p.skipSpace()
	inner, err := p.parseOr(p.parseNot)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != '}' {
		return nil, p.unexpected("\"}\"")
	}
	p.pos++
	return nestedNode{path: path, inner: inner}, nil
}

// parseValues parses the right side of `field:`: one value or a parenthesized list of values
// combined with and/or/not, each bound to path.
func (p *parser) parseValues(path []string) (node, error) {
	var values func() (node, error)
	values = func() (node, error) {
		p.skipSpace()
		if p.keywordHere("not") {
			p.consumeKeyword("not")
			if err := p.enter(); err != nil {
				return nil, err
			}
			child, err := values()
			p.depth--
			if err != nil {
				return nil, err
			}
			return notNode{child}, nil
		}
		if p.peek() == '(' {
			return p.parseGroup(func() (node, error) { return p.parseOr(values) })
		}
		return p.parseValue(path)
	}
	return values()
}

// parseValue parses one value bound to path.
func (p *parser) parseValue(path []string) (node, error) {
	lit, err := p.parseLiteral(true)
	if err != nil {
		return nil, err
	}
	if lit.wildcard && len(lit.parts) == 2 && lit.parts[0] == "" && lit.parts[1] == "" {
		return existsNode{path}, nil
	}
	return isNode{path: path, lit: lit.withNumber()}, nil
}

// parseLiteral parses a quoted or unquoted literal. isValue selects the wording of errors.
func (p *parser) parseLiteral(isValue bool) (literal, error) {
	p.skipSpace()
	if p.peek() == '"' {
		return p.parseQuoted()
	}
	lit, ok, err := p.parseUnquoted()
	if err != nil {
		return literal{}, err
	}
	if !ok {
		if isValue {
			return literal{}, p.unexpected("a value")
		}
		return literal{}, p.unexpected("a field name, \"not\" or \"(\"")
	}
	return lit, nil
}

// parseQuoted parses a double-quoted phrase; `\"`, `\\`, `\n`, `\t`, `\r` and `\uXXXX` are
// escapes and `*` is literal.
func (p *parser) parseQuoted() (literal, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for !p.eof() {
		c := p.src[p.pos]
		switch c {
		case '"':
			p.pos++
			return literal{text: b.String(), quoted: true}, nil
		case '\\':
			if err := p.escape(&b); err != nil {
				return literal{}, err
			}
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
	return literal{}, newSyntaxError(p.src, start, "expected a closing \" for the phrase that starts here")
}

// escape consumes a backslash escape at the current position and writes its character.
func (p *parser) escape(b *strings.Builder) error {
	at := p.pos
	p.pos++
	if p.eof() {
		return newSyntaxError(p.src, at, "expected a character after \"\\\"")
	}
	c := p.src[p.pos]
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'u':
		if p.pos+5 > len(p.src) {
			return newSyntaxError(p.src, at, "expected four hex digits after \"\\u\"")
		}
		n, err := strconv.ParseUint(p.src[p.pos+1:p.pos+5], 16, 32)
		if err != nil {
			return newSyntaxError(p.src, at, "expected four hex digits after \"\\u\"")
		}
		b.WriteRune(rune(n))
		p.pos += 5
		return nil
	default:
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		b.WriteString(p.src[p.pos : p.pos+size])
		p.pos += size
		return nil
	}
	p.pos++
	return nil
}

// parseUnquoted scans an unquoted literal: it may contain inner whitespace, `*` wildcards and
// backslash escapes, and ends before a special character, a keyword or trailing whitespace.
func (p *parser) parseUnquoted() (literal, bool, error) {
	var b strings.Builder
	var parts []string
	wildcard := false
	for !p.eof() {
		c := p.src[p.pos]
		if isSpace(c) {
			end := p.pos
			for end < len(p.src) && isSpace(p.src[end]) {
				end++
			}
			if p.literalEndsAt(end) {
				break
			}
			b.WriteString(p.src[p.pos:end])
			p.pos = end
			continue
		}
		if c == '*' {
			wildcard = true
			parts = append(parts, b.String())
			b.Reset()
			p.pos++
			continue
		}
		if c == '\\' {
			if err := p.escape(&b); err != nil {
				return literal{}, false, err
			}
			continue
		}
		if strings.IndexByte(specialChars, c) >= 0 || (b.Len() == 0 && len(parts) == 0 && p.keywordHere("not")) {
			break
		}
		b.WriteByte(c)
		p.pos++
	}
	if !wildcard && b.Len() == 0 {
		return literal{}, false, nil
	}
	if wildcard {
		parts = append(parts, b.String())
		return literal{text: strings.Join(parts, "*"), wildcard: true, parts: parts}, true, nil
	}
	return literal{text: b.String()}, true, nil
}

// literalEndsAt reports whether the whitespace run that ends at i ends an unquoted literal:
// it runs to the end, to a special character, or to a keyword.
func (p *parser) literalEndsAt(i int) bool {
	if i >= len(p.src) || strings.IndexByte("():<>\"{}", p.src[i]) >= 0 {
		return true
	}
	return keywordAt(p.src, i, "or") || keywordAt(p.src, i, "and") || keywordAt(p.src, i, "not")
}
