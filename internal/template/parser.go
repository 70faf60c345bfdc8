package template

import (
	"strings"
)

// parser turns the token stream of a template into nodes.
type parser struct {
	src  string
	toks []token
	i    int
	// bound collects names the template binds (assign, capture, for...).
	bound map[string]bool
	depth int
}

// allowedTags are the tags Kibana enables; any other is a parse error.
var allowedTags = map[string]bool{
	"assign": true, "for": true, "capture": true, "case": true, "comment": true,
	"decrement": true, "increment": true, "cycle": true, "if": true, "unless": true,
	"break": true, "continue": true, "raw": true, "echo": true, "liquid": true, "#": true,
}

func parseTemplate(src string) ([]node, map[string]bool, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{src: src, toks: toks, bound: map[string]bool{}}
	nodes, end, err := p.parseBody(nil)
	if err != nil {
		return nil, nil, err
	}
	if end != nil {
		return nil, nil, p.unexpected(end)
	}
	return nodes, p.bound, nil
}

func (p *parser) unexpected(t *token) error {
	if allowedTags[t.name] {
		return syntaxErr(p.src, t.pos, "unexpected tag %q", t.name)
	}
	return p.unknownTag(t)
}

func (p *parser) unknownTag(t *token) error {
	switch t.name {
	case "include", "render", "layout", "tablerow", "block":
		return syntaxErr(p.src, t.pos, "Template contains unsupported tags. tag %q not found", t.name)
	}
	return syntaxErr(p.src, t.pos, "tag %q not found", t.name)
}

// parseBody parses nodes until a tag whose name is in stop (returned) or the
// end of the tokens (nil).
func (p *parser) parseBody(stop map[string]bool) ([]node, *token, error) {
	var nodes []node
	for p.i < len(p.toks) {
		t := &p.toks[p.i]
		p.i++
		switch t.kind {
		case tokText:
			nodes = append(nodes, &textNode{text: t.text})
		case tokOutput:
			n, err := p.parseOutput(t.args, t.argsPos, t.pos)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, n)
		case tokTag:
			if stop[t.name] {
				return nodes, t, nil
			}
			n, err := p.parseTag(t)
			if err != nil {
				return nil, nil, err
			}
			if n != nil {
				nodes = append(nodes, n)
			}
		}
	}
	return nodes, nil, nil
}

func (p *parser) parseOutput(args string, argsPos, pos int) (node, error) {
	ep, err := newExprParser(p.src, args, argsPos)
	if err != nil {
		return nil, err
	}
	e, err := ep.parseFilteredValue()
	if err != nil {
		return nil, err
	}
	return &outputNode{e: e, pos: pos}, nil
}

func (p *parser) parseTag(t *token) (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, syntaxErr(p.src, t.pos, "blocks nested too deeply")
	}
	switch t.name {
	case "#":
		return nil, p.checkInlineComment(t)
	case "echo":
		return p.parseOutput(t.args, t.argsPos, t.pos)
	case "assign":
		return p.parseAssign(t)
	case "capture":
		return p.parseCapture(t)
	case "if", "unless":
		return p.parseIf(t)
	case "case":
		return p.parseCase(t)
	case "for":
		return p.parseFor(t)
	case "comment":
		return nil, p.skipComment(t)
	case "raw":
		return p.parseRaw(t)
	case "break":
		return &interruptNode{kind: interruptBreak}, nil
	case "continue":
		return &interruptNode{kind: interruptContinue}, nil
	case "increment", "decrement":
		name := strings.TrimSpace(t.args)
		p.bound[name] = true
		if t.name == "increment" {
			return &counterNode{name: name, delta: 1}, nil
		}
		return &counterNode{name: name, delta: -1}, nil
	case "cycle":
		return p.parseCycle(t)
	case "liquid":
		return p.parseLiquid(t)
	}
	return nil, p.unknownTag(t)
}

func (p *parser) checkInlineComment(t *token) error {
	lines := strings.Split(t.args, "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return syntaxErr(p.src, t.pos, "every line of an inline comment must start with a '#' character")
		}
	}
	return nil
}

// tagName reads a variable name as assign/capture accept it: anything up to
// whitespace or '=', quotes removed.
func tagName(args string) (string, string) {
	s := strings.TrimLeft(args, " \t\r\n")
	i := 0
	for i < len(s) && !isSpace(s[i]) && s[i] != '=' {
		i++
	}
	name := s[:i]
	if len(name) >= 2 && (name[0] == '\'' || name[0] == '"') && name[len(name)-1] == name[0] {
		name = name[1 : len(name)-1]
	}
	return name, s[i:]
}

func (p *parser) parseAssign(t *token) (node, error) {
	name, rest := tagName(t.args)
	rest = strings.TrimLeft(rest, " \t\r\n")
	if name == "" || !strings.HasPrefix(rest, "=") {
		return nil, syntaxErr(p.src, t.pos, "illegal assign syntax: %q", strings.TrimSpace(t.args))
	}
	valuePos := t.argsPos + strings.Index(t.args, "=") + 1
	ep, err := newExprParser(p.src, rest[1:], valuePos)
	if err != nil {
		return nil, err
	}
	e, err := ep.parseFilteredValue()
	if err != nil {
		return nil, err
	}
	p.bound[name] = true
	return &assignNode{name: name, e: e}, nil
}

func (p *parser) parseCapture(t *token) (node, error) {
	name, _ := tagName(t.args)
	if name == "" {
		return nil, syntaxErr(p.src, t.pos, "capture needs a variable name")
	}
	body, end, err := p.parseBody(map[string]bool{"endcapture": true})
	if err != nil {
		return nil, err
	}
	if end == nil {
		return nil, syntaxErr(p.src, t.pos, "tag {%% capture %%} not closed")
	}
	p.bound[name] = true
	return &captureNode{name: name, body: body}, nil
}

// parseCondition parses a condition; like LiquidJS, words after a complete
// expression are ignored.
func (p *parser) parseCondition(t *token) (expr, error) {
	ep, err := newExprParser(p.src, t.args, t.argsPos)
	if err != nil {
		return nil, err
	}
	return ep.parseLogic()
}

func (p *parser) skipComment(t *token) error {
	for p.i < len(p.toks) {
		tk := &p.toks[p.i]
		p.i++
		if tk.kind == tokTag && tk.name == "endcomment" {
			return nil
		}
	}
	return syntaxErr(p.src, t.pos, "tag {%% comment %%} not closed")
}

func (p *parser) parseRaw(t *token) (node, error) {
	var b strings.Builder
	for p.i < len(p.toks) {
		tk := &p.toks[p.i]
		p.i++
		if tk.kind == tokTag && tk.name == "endraw" {
			return &textNode{text: b.String()}, nil
		}
		b.WriteString(tk.text)
	}
	return nil, syntaxErr(p.src, t.pos, "raw not closed")
}

func (p *parser) parseLiquid(t *token) (node, error) {
	toks, err := liquidLines(p.src, t.args, t.argsPos)
	if err != nil {
		return nil, err
	}
	sub := &parser{src: p.src, toks: toks, bound: p.bound, depth: p.depth}
	nodes, end, err := sub.parseBody(nil)
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, sub.unexpected(end)
	}
	return &blockNode{body: nodes}, nil
}
