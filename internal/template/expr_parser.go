package template

// exprParser parses the tokens of one expression.
type exprParser struct {
	src   string
	toks  []etoken
	i     int
	depth int
}

// maxNesting bounds the nesting of expressions and blocks so that no input
// can exhaust the stack.
const maxNesting = 200

func newExprParser(src, s string, base int) (*exprParser, error) {
	toks, err := lexExpr(src, s, base)
	if err != nil {
		return nil, err
	}
	return &exprParser{src: src, toks: toks}, nil
}

func (p *exprParser) peek() etoken { return p.toks[p.i] }

func (p *exprParser) peekAt(n int) etoken {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *exprParser) next() etoken {
	t := p.toks[p.i]
	if t.kind != etEOF {
		p.i++
	}
	return t
}

func (p *exprParser) atEOF() bool { return p.peek().kind == etEOF }

func (p *exprParser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == etPunct && t.text == s
}

func (p *exprParser) expectPunct(s string) error {
	if !p.isPunct(s) {
		t := p.peek()
		return syntaxErr(p.src, t.pos, "expected %q, found %q", s, t.text)
	}
	p.next()
	return nil
}

// parseLogic parses comparisons joined by and/or, right-associative.
func (p *exprParser) parseLogic() (expr, error) {
	left, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == etIdent && (t.text == "and" || t.text == "or") {
		p.next()
		right, err := p.parseLogic()
		if err != nil {
			return nil, err
		}
		return &binary{op: t.text, l: left, r: right}, nil
	}
	return left, nil
}

// parseNot parses the unary `not`, which binds looser than comparisons.
func (p *exprParser) parseNot() (expr, error) {
	if t := p.peek(); t.kind == etIdent && t.text == "not" {
		if n := p.peekAt(1); n.kind != etEOF && !(n.kind == etPunct && n.text != "(" && n.text != "[") && n.kind != etOp {
			p.next()
			p.depth++
			defer func() { p.depth-- }()
			if p.depth > maxNesting {
				return nil, syntaxErr(p.src, t.pos, "expression nested too deeply")
			}
			operand, err := p.parseNot()
			if err != nil {
				return nil, err
			}
			return &notExpr{e: operand}, nil
		}
	}
	return p.parseComparison()
}

func (p *exprParser) parseComparison() (expr, error) {
	left, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == etOp || (t.kind == etIdent && t.text == "contains") {
		p.next()
		right, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		return &binary{op: t.text, l: left, r: right}, nil
	}
	return left, nil
}

var keywordValues = map[string]any{
	"true": true, "false": false,
	"nil": drop{dropNil}, "null": drop{dropNil},
	"empty": drop{dropEmpty}, "blank": drop{dropBlank},
}

// parseValue parses a literal, a range or a variable path.
func (p *exprParser) parseValue() (expr, error) {
	t := p.peek()
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, syntaxErr(p.src, t.pos, "expression nested too deeply")
	}
	switch {
	case t.kind == etString:
		p.next()
		return literal{t.text}, nil
	case t.kind == etNumber:
		p.next()
		return literal{t.num}, nil
	case t.kind == etPunct && t.text == "(":
		return p.parseRange()
	case t.kind == etPunct && t.text == "[":
		p.next()
		inner, err := p.parseLogic()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("]"); err != nil {
			return nil, err
		}
		return p.parsePath(&variable{rootExpr: inner})
	case t.kind == etIdent:
		p.next()
		if v, ok := keywordValues[t.text]; ok {
			return literal{v}, nil
		}
		return p.parsePath(&variable{root: t.text})
	}
	if t.kind == etEOF {
		return nil, syntaxErr(p.src, t.pos, "invalid value expression: missing value")
	}
	return nil, syntaxErr(p.src, t.pos, "invalid value expression: %q", t.text)
}

func (p *exprParser) parseRange() (expr, error) {
	p.next()
	from, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct(".."); err != nil {
		return nil, err
	}
	to, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return &rangeExpr{from: from, to: to}, nil
}

// parsePath reads the .name and [index] accesses that follow a variable
// without whitespace before them.
func (p *exprParser) parsePath(v *variable) (expr, error) {
	for {
		t := p.peek()
		if t.kind != etPunct || t.space {
			return v, nil
		}
		switch t.text {
		case ".":
			n := p.peekAt(1)
			switch n.kind {
			case etIdent:
				p.i += 2
				v.segs = append(v.segs, segment{key: n.text})
			case etNumber:
				p.i += 2
				v.segs = append(v.segs, segment{key: n.num})
			case etPunct:
				if n.text == "[" {
					p.next()
					return v, nil
				}
				return nil, syntaxErr(p.src, n.pos, `expected "|" before filter`)
			default:
				return nil, syntaxErr(p.src, n.pos, "invalid property access")
			}
		case "[":
			p.next()
			seg, err := p.parseIndex()
			if err != nil {
				return nil, err
			}
			v.segs = append(v.segs, seg)
		default:
			return v, nil
		}
	}
}

func (p *exprParser) parseIndex() (segment, error) {
	t, n := p.peek(), p.peekAt(1)
	if (t.kind == etString || t.kind == etNumber) && n.kind == etPunct && n.text == "]" {
		p.i += 2
		if t.kind == etNumber {
			return segment{key: t.num}, nil
		}
		return segment{key: t.text}, nil
	}
	inner, err := p.parseLogic()
	if err != nil {
		return segment{}, err
	}
	if err := p.expectPunct("]"); err != nil {
		return segment{}, err
	}
	return segment{dynamic: inner}, nil
}

// parseFilters reads `| name: arg, key: arg` applications.
func (p *exprParser) parseFilters(base expr) (expr, error) {
	f := &filtered{base: base}
	for p.isPunct("|") {
		p.next()
		nt := p.next()
		if nt.kind != etIdent {
			return nil, syntaxErr(p.src, nt.pos, "expected filter name")
		}
		fn, ok := filters[nt.text]
		if !ok {
			return nil, syntaxErr(p.src, nt.pos, "undefined filter: %s", nt.text)
		}
		fc := &filterCall{name: nt.text, fn: fn, pos: nt.pos}
		if p.isPunct(":") {
			p.next()
			if err := p.parseFilterArgs(fc); err != nil {
				return nil, err
			}
		}
		f.filters = append(f.filters, fc)
	}
	if len(f.filters) == 0 {
		return base, nil
	}
	return f, nil
}

func (p *exprParser) parseFilterArgs(fc *filterCall) error {
	for {
		t := p.peek()
		if t.kind == etEOF || (t.kind == etPunct && t.text == "|") {
			return nil
		}
		key := ""
		if n := p.peekAt(1); t.kind == etIdent && n.kind == etPunct && n.text == ":" {
			key = t.text
			p.i += 2
		} else if len(fc.args) > 0 && fc.args[len(fc.args)-1].key != "" {
			return syntaxErr(p.src, t.pos, "positional argument %q after a keyword argument", t.text)
		}
		v, err := p.parseValue()
		if err != nil {
			return err
		}
		fc.args = append(fc.args, filterArg{key: key, val: v})
		if !p.isPunct(",") {
			return nil
		}
		p.next()
	}
}

// parseFilteredValue parses `expr | filters` as outputs, echo and assign
// take it. Like LiquidJS, trailing words are ignored; other tokens are errors.
func (p *exprParser) parseFilteredValue() (expr, error) {
	if p.atEOF() {
		return literal{undefined}, nil
	}
	e, err := p.parseLogic()
	if err != nil {
		return nil, err
	}
	e, err = p.parseFilters(e)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == etEOF || t.kind == etIdent || (t.kind == etPunct && (t.text == "[" || t.text == ".")) {
		return e, nil
	}
	return nil, syntaxErr(p.src, t.pos, `expected "|" before filter`)
}

// parseStrictExpression parses a bare expression that must be consumed
// completely (for Eval and `${{ }}`).
func parseStrictExpression(s string) (expr, error) {
	p, err := newExprParser(s, s, 0)
	if err != nil {
		return nil, err
	}
	if p.atEOF() {
		return literal{undefined}, nil
	}
	e, err := p.parseLogic()
	if err != nil {
		return nil, err
	}
	e, err = p.parseFilters(e)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != etEOF {
		return nil, syntaxErr(s, t.pos, "unexpected %q in expression", t.text)
	}
	return e, nil
}
