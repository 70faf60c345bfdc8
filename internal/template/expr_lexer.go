package template

import (
	"strconv"
	"strings"
)

// etKind is the kind of an expression token.
type etKind int

const (
	etEOF etKind = iota
	etIdent
	etString
	etNumber
	etPunct // . [ ] ( ) .. | : , =
	etOp    // == != <> < > <= >=
)

// etoken is one token of an expression; space reports whitespace before it.
type etoken struct {
	kind  etKind
	text  string
	num   float64
	pos   int
	space bool
}

// lexExpr tokenizes an expression; pos is its offset in the template.
func lexExpr(src, s string, base int) ([]etoken, error) {
	var toks []etoken
	i := 0
	for {
		space := false
		for i < len(s) && isSpace(s[i]) {
			i++
			space = true
		}
		if i >= len(s) {
			toks = append(toks, etoken{kind: etEOF, pos: base + i, space: space})
			return toks, nil
		}
		tok, n, err := lexOne(src, s, i, base)
		if err != nil {
			return nil, err
		}
		tok.space = space
		toks = append(toks, tok)
		i += n
	}
}

func lexOne(src, s string, i, base int) (etoken, int, error) {
	c := s[i]
	pos := base + i
	switch {
	case c == '\'' || c == '"':
		end := strings.IndexByte(s[i+1:], c)
		if end < 0 {
			return etoken{}, 0, syntaxErr(src, pos, "unexpected end of string in %q", s)
		}
		return etoken{kind: etString, text: s[i+1 : i+1+end], pos: pos}, end + 2, nil
	case c >= '0' && c <= '9' || (c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'):
		if tok, n, ok := lexNumber(s, i, pos); ok {
			return tok, n, nil
		}
	case c == '.' && i+1 < len(s) && s[i+1] == '.':
		return etoken{kind: etPunct, text: "..", pos: pos}, 2, nil
	case strings.IndexByte(".[]()|:,", c) >= 0:
		return etoken{kind: etPunct, text: string(c), pos: pos}, 1, nil
	case c == '=' || c == '!' || c == '<' || c == '>':
		for _, op := range []string{"==", "!=", "<>", "<=", ">="} {
			if strings.HasPrefix(s[i:], op) {
				return etoken{kind: etOp, text: op, pos: pos}, 2, nil
			}
		}
		if c == '<' || c == '>' {
			return etoken{kind: etOp, text: string(c), pos: pos}, 1, nil
		}
		if c == '=' {
			return etoken{kind: etPunct, text: "=", pos: pos}, 1, nil
		}
	}
	if isIdentChar(c) {
		j := i
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		return etoken{kind: etIdent, text: s[i:j], pos: pos}, j - i, nil
	}
	return etoken{}, 0, syntaxErr(src, pos, "invalid value expression: %q", s)
}

// lexNumber reads an integer or decimal literal; it fails when identifier
// characters follow the digits (then the text is an identifier like 1abc).
func lexNumber(s string, i, pos int) (etoken, int, bool) {
	j := i
	if s[j] == '-' {
		j++
	}
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j+1 < len(s) && s[j] == '.' && s[j+1] >= '0' && s[j+1] <= '9' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	}
	if j < len(s) && isIdentChar(s[j]) {
		return etoken{}, 0, false
	}
	f, err := strconv.ParseFloat(s[i:j], 64)
	if err != nil {
		return etoken{}, 0, false
	}
	return etoken{kind: etNumber, text: s[i:j], num: f, pos: pos}, j - i, true
}
