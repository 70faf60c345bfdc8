package template

import "strings"

func (p *parser) parseIf(t *token) (node, error) {
	unless := t.name == "unless"
	endName := "end" + t.name
	cond, err := p.parseCondition(t)
	if err != nil {
		return nil, err
	}
	n := &ifNode{}
	cur := &condBranch{cond: cond, negate: unless}
	var target *[]node = &cur.body
	stop := map[string]bool{"elsif": true, "else": true, endName: true}
	seenElse, discard := false, false
	for {
		body, end, err := p.parseBody(stop)
		if err != nil {
			return nil, err
		}
		if !discard {
			*target = append(*target, body...)
		}
		if end == nil {
			return nil, syntaxErr(p.src, t.pos, "tag {%% %s %%} not closed", t.name)
		}
		switch end.name {
		case endName:
			n.branches = append(n.branches, *cur)
			return n, nil
		case "elsif":
			if seenElse {
				if !unless {
					return nil, syntaxErr(p.src, end.pos, "unexpected elsif after else")
				}
				discard = true
				continue
			}
			c, err := p.parseCondition(end)
			if err != nil {
				return nil, err
			}
			n.branches = append(n.branches, *cur)
			cur = &condBranch{cond: c}
			target = &cur.body
		case "else":
			if seenElse {
				if !unless {
					return nil, syntaxErr(p.src, end.pos, "duplicated else")
				}
				discard = true
				continue
			}
			if !unless && strings.TrimSpace(end.args) != "" {
				return nil, syntaxErr(p.src, end.pos, "unexpected %q", strings.TrimSpace(end.args))
			}
			seenElse = true
			target = &n.elseBody
		}
	}
}

func (p *parser) parseCase(t *token) (node, error) {
	ep, err := newExprParser(p.src, t.args, t.argsPos)
	if err != nil {
		return nil, err
	}
	subject, err := ep.parseValue()
	if err != nil {
		return nil, err
	}
	n := &caseNode{subject: subject}
	stop := map[string]bool{"when": true, "else": true, "endcase": true}
	elseCount := 0
	var target *[]node
	for {
		body, end, err := p.parseBody(stop)
		if err != nil {
			return nil, err
		}
		if target != nil {
			*target = append(*target, body...)
		}
		if end == nil {
			return nil, syntaxErr(p.src, t.pos, "tag {%% case %%} not closed")
		}
		switch end.name {
		case "endcase":
			return n, nil
		case "else":
			elseCount++
			target = nil
			if elseCount == 1 {
				target = &n.elseBody
			}
		case "when":
			if elseCount > 0 {
				continue
			}
			values, err := p.parseWhen(end)
			if err != nil {
				return nil, err
			}
			n.branches = append(n.branches, caseBranch{values: values})
			target = &n.branches[len(n.branches)-1].body
		}
	}
}

// parseWhen reads the values of a when tag, separated by commas or `or`.
func (p *parser) parseWhen(t *token) ([]expr, error) {
	ep, err := newExprParser(p.src, t.args, t.argsPos)
	if err != nil {
		return nil, err
	}
	var values []expr
	for !ep.atEOF() {
		v, err := ep.parseValue()
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		nt := ep.peek()
		if !(nt.kind == etPunct && nt.text == ",") && !(nt.kind == etIdent && nt.text == "or") {
			break
		}
		ep.next()
	}
	return values, nil
}

func (p *parser) parseFor(t *token) (node, error) {
	ep, err := newExprParser(p.src, t.args, t.argsPos)
	if err != nil {
		return nil, err
	}
	vt := ep.next()
	if vt.kind != etIdent && vt.kind != etNumber {
		return nil, syntaxErr(p.src, t.pos, "illegal for tag: expected a variable name")
	}
	if in := ep.next(); in.kind != etIdent || in.text != "in" {
		return nil, syntaxErr(p.src, t.pos, "illegal for tag: expected \"in\"")
	}
	collStart := ep.peek().pos
	coll, err := ep.parseValue()
	if err != nil {
		return nil, err
	}
	collText := strings.TrimSpace(p.src[collStart:ep.peek().pos])
	n := &forNode{varName: vt.text, name: vt.text + "-" + collText, coll: coll}
	if err := p.parseForOptions(ep, n); err != nil {
		return nil, err
	}
	p.bound[n.varName] = true
	p.bound["forloop"] = true
	body, end, err := p.parseBody(map[string]bool{"else": true, "endfor": true})
	if err != nil {
		return nil, err
	}
	n.body = body
	if end != nil && end.name == "else" {
		n.elseBody, end, err = p.parseBody(map[string]bool{"endfor": true})
		if err != nil {
			return nil, err
		}
	}
	if end == nil {
		return nil, syntaxErr(p.src, t.pos, "tag {%% for %%} not closed")
	}
	return n, nil
}

func (p *parser) parseForOptions(ep *exprParser, n *forNode) error {
	for !ep.atEOF() {
		t := ep.next()
		if t.kind == etPunct && t.text == "," {
			continue
		}
		if t.kind != etIdent {
			return nil
		}
		if t.text == "reversed" {
			n.reversed = true
			continue
		}
		if !ep.isPunct(":") {
			return nil
		}
		ep.next()
		if t.text == "offset" && ep.peek().kind == etIdent && ep.peek().text == "continue" {
			ep.next()
			n.contOff = true
			continue
		}
		v, err := ep.parseValue()
		if err != nil {
			return err
		}
		switch t.text {
		case "limit":
			n.limit = v
		case "offset":
			n.offset = v
		}
	}
	return nil
}

func (p *parser) parseCycle(t *token) (node, error) {
	ep, err := newExprParser(p.src, t.args, t.argsPos)
	if err != nil {
		return nil, err
	}
	n := &cycleNode{}
	first, err := ep.parseValue()
	if err != nil {
		return nil, err
	}
	candStart := t.argsPos
	if ep.isPunct(":") {
		candStart = ep.next().pos + 1
		n.group = first
		first = nil
	}
	if first != nil {
		n.elements = append(n.elements, first)
	}
	for !ep.atEOF() {
		if ep.isPunct(",") {
			ep.next()
			continue
		}
		v, err := ep.parseValue()
		if err != nil {
			return nil, err
		}
		n.elements = append(n.elements, v)
	}
	if len(n.elements) == 0 {
		return nil, syntaxErr(p.src, t.pos, "cycle needs at least one value")
	}
	n.key = strings.Join(strings.Fields(p.src[candStart:t.argsPos+len(t.args)]), "")
	return n, nil
}
