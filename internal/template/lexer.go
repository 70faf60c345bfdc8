package template

import (
	"regexp"
	"strings"
)

// tokenKind tells text, `{{ }}` outputs and `{% %}` tags apart.
type tokenKind int

const (
	tokText tokenKind = iota
	tokOutput
	tokTag
)

// token is one lexical unit of a template. For outputs, args holds the
// expression; for tags, name and args the tag name and the rest.
type token struct {
	kind    tokenKind
	pos     int
	name    string
	args    string
	argsPos int
	text    string
}

var endrawRe = regexp.MustCompile(`\{%\s*endraw\s*(-?)%\}`)

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '?' || c >= 0x80
}

// lexer splits a template into tokens and applies whitespace control.
type lexer struct {
	src       string
	toks      []token
	trimNext  bool
	pos       int
	textStart int
}

// lex tokenizes src.
func lex(src string) ([]token, error) {
	lx := &lexer{src: src}
	for lx.pos < len(src) {
		i := strings.Index(src[lx.pos:], "{")
		if i < 0 {
			break
		}
		lx.pos += i
		if lx.pos+1 >= len(src) || (src[lx.pos+1] != '{' && src[lx.pos+1] != '%') {
			lx.pos++
			continue
		}
		var err error
		if src[lx.pos+1] == '{' {
			err = lx.lexOutput()
		} else {
			err = lx.lexTag()
		}
		if err != nil {
			return nil, err
		}
	}
	lx.pos = len(src)
	lx.flushText(len(src), false)
	return lx.toks, nil
}

// flushText emits the text between textStart and end, trimming it as the
// surrounding whitespace control asks.
func (lx *lexer) flushText(end int, trimRight bool) {
	text := lx.src[lx.textStart:end]
	if lx.trimNext {
		text = strings.TrimLeft(text, " \t\n\r\f\v")
		lx.trimNext = false
	}
	if trimRight {
		text = strings.TrimRight(text, " \t\n\r\f\v")
	}
	if text != "" {
		lx.toks = append(lx.toks, token{kind: tokText, pos: lx.textStart, text: text})
	}
}

func (lx *lexer) lexOutput() error {
	start := lx.pos
	end := strings.Index(lx.src[start+2:], "}}")
	if end < 0 {
		return syntaxErr(lx.src, start, "output %q not closed", snippet(lx.src[start:]))
	}
	end += start + 2
	inner, innerPos := lx.src[start+2:end], start+2
	trimL := strings.HasPrefix(inner, "-")
	if trimL {
		inner, innerPos = inner[1:], innerPos+1
	}
	trimR := strings.HasSuffix(inner, "-")
	if trimR {
		inner = inner[:len(inner)-1]
	}
	lx.flushText(start, trimL)
	lx.toks = append(lx.toks, token{kind: tokOutput, pos: start, args: inner, argsPos: innerPos})
	lx.pos = end + 2
	lx.textStart = lx.pos
	lx.trimNext = trimR
	return nil
}

func (lx *lexer) lexTag() error {
	start := lx.pos
	end := strings.Index(lx.src[start+2:], "%}")
	if end < 0 {
		return syntaxErr(lx.src, start, "tag %q not closed", snippet(lx.src[start:]))
	}
	end += start + 2
	inner, innerPos := lx.src[start+2:end], start+2
	trimL := strings.HasPrefix(inner, "-")
	if trimL {
		inner, innerPos = inner[1:], innerPos+1
	}
	trimR := strings.HasSuffix(inner, "-")
	if trimR {
		inner = inner[:len(inner)-1]
	}
	name, args, argsPos, err := splitTag(lx.src, inner, innerPos)
	if err != nil {
		return err
	}
	lx.flushText(start, trimL)
	lx.toks = append(lx.toks, token{kind: tokTag, pos: start, name: name, args: args, argsPos: argsPos})
	lx.pos = end + 2
	lx.textStart = lx.pos
	lx.trimNext = trimR
	if name == "raw" {
		return lx.lexRaw(start)
	}
	return nil
}

// lexRaw reads the body of a raw tag up to its endraw as literal text.
func (lx *lexer) lexRaw(start int) error {
	loc := endrawRe.FindStringSubmatchIndex(lx.src[lx.pos:])
	if loc == nil {
		return syntaxErr(lx.src, start, "raw %q not closed", snippet(lx.src[start:]))
	}
	lx.flushText(lx.pos+loc[0], false)
	lx.toks = append(lx.toks, token{kind: tokTag, pos: lx.pos + loc[0], name: "endraw"})
	lx.pos += loc[1]
	lx.textStart = lx.pos
	lx.trimNext = loc[3] > loc[2]
	return nil
}

// splitTag separates the tag name from its arguments.
func splitTag(src, inner string, innerPos int) (string, string, int, error) {
	i := 0
	for i < len(inner) && isSpace(inner[i]) {
		i++
	}
	if i < len(inner) && inner[i] == '#' {
		return "#", inner[i+1:], innerPos + i + 1, nil
	}
	j := i
	for j < len(inner) && isTagNameChar(inner[j]) {
		j++
	}
	if j == i {
		return "", "", 0, syntaxErr(src, innerPos+i, "illegal tag syntax, tag name expected")
	}
	return inner[i:j], inner[j:], innerPos + j, nil
}

func isTagNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func snippet(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// liquidLines turns the body of a {% liquid %} tag into one tag token a line.
func liquidLines(src string, body string, bodyPos int) ([]token, error) {
	var toks []token
	off := 0
	for off <= len(body) {
		nl := strings.IndexByte(body[off:], '\n')
		line := body[off:]
		if nl >= 0 {
			line = body[off : off+nl]
		}
		linePos := bodyPos + off
		trimmed := strings.TrimLeft(line, " \t\r\f\v")
		lead := len(line) - len(trimmed)
		trimmed = strings.TrimRight(trimmed, " \t\r\f\v")
		if trimmed != "" {
			name, args, argsPos, err := splitTag(src, trimmed, linePos+lead)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokTag, pos: linePos + lead, name: name, args: args, argsPos: argsPos})
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return toks, nil
}
