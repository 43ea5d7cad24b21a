package deflate

import (
	"fmt"
	"strings"
)

// element is one extension of a Sec-WebSocket-Extensions list: a name and
// its parameters, in the order they came.
type element struct {
	name   string
	params []param
}

// param is an extension parameter. A quoted value is given unescaped.
type param struct {
	name     string
	value    string
	hasValue bool
}

// parseExtensions parses the values of every Sec-WebSocket-Extensions
// header of a message as one list, as RFC 6455 section 9.1 makes the
// field's lines equivalent to their values joined by commas:
//
//	extension-list = 1#extension
//	extension = extension-token *( ";" extension-param )
//	extension-param = token [ "=" (token | quoted-string) ]
//
// with the "implied *LWS" of RFC 2616 section 2.1 (optional spaces and tabs
// around the separators) and its empty list elements (", ,") skipped. A
// quoted value must be a token once unescaped (section 9.1). An error
// wraps ErrExtensionSyntax; section 9.1 has the recipient fail the
// connection.
func parseExtensions(values []string) ([]element, error) {
	var list []element
	for _, v := range values {
		p := parser{s: v}
		for {
			p.skipSpace()
			if p.done() {
				break
			}
			if p.peek() == ',' {
				p.i++
				continue
			}
			e, err := p.element()
			if err != nil {
				return nil, err
			}
			list = append(list, e)
			p.skipSpace()
			if p.done() {
				break
			}
			if p.peek() != ',' {
				return nil, p.fail("want ',' or ';'")
			}
			p.i++
		}
	}
	if len(list) == 0 && len(values) > 0 {
		// 1#extension: a header with no extension at all is not a list.
		return nil, fmt.Errorf("%w: no extension", ErrExtensionSyntax)
	}
	return list, nil
}

// parser walks one header value.
type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i >= len(p.s) }
func (p *parser) peek() byte { return p.s[p.i] }

func (p *parser) skipSpace() {
	for !p.done() && (p.peek() == ' ' || p.peek() == '\t') {
		p.i++
	}
}

func (p *parser) fail(want string) error {
	if p.done() {
		return fmt.Errorf("%w: %s at the end", ErrExtensionSyntax, want)
	}
	return fmt.Errorf("%w: %s at %q", ErrExtensionSyntax, want, p.s[p.i:])
}

func (p *parser) element() (element, error) {
	name := p.token()
	if name == "" {
		return element{}, p.fail("want an extension name")
	}
	e := element{name: name}
	for {
		p.skipSpace()
		if p.done() || p.peek() != ';' {
			return e, nil
		}
		p.i++
		p.skipSpace()
		pr := param{name: p.token()}
		if pr.name == "" {
			return element{}, p.fail("want a parameter name")
		}
		p.skipSpace()
		if !p.done() && p.peek() == '=' {
			p.i++
			p.skipSpace()
			v, err := p.value()
			if err != nil {
				return element{}, err
			}
			pr.value, pr.hasValue = v, true
		}
		e.params = append(e.params, pr)
	}
}

// value reads a token or a quoted-string (RFC 2616 section 2.2) whose
// content, unescaped, is a token.
func (p *parser) value() (string, error) {
	if p.done() || p.peek() != '"' {
		if t := p.token(); t != "" {
			return t, nil
		}
		return "", p.fail("want a parameter value")
	}
	start := p.i
	p.i++
	var b strings.Builder
	for {
		if p.done() {
			p.i = start
			return "", p.fail("unterminated quoted string")
		}
		c := p.peek()
		p.i++
		switch {
		case c == '"':
			v := b.String()
			if !isToken(v) {
				p.i = start
				return "", p.fail("quoted value that is not a token")
			}
			return v, nil
		case c == '\\':
			if p.done() {
				p.i = start
				return "", p.fail("unterminated quoted string")
			}
			b.WriteByte(p.peek())
			p.i++
		default:
			b.WriteByte(c)
		}
	}
}

// token reads the longest run of token characters, possibly none.
func (p *parser) token() string {
	start := p.i
	for !p.done() && isTokenChar(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// isTokenChar reports whether c may appear in a token: a visible US-ASCII
// character other than a separator (RFC 2616 section 2.2, the same set as
// RFC 9110's tchar).
func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7F && !strings.ContainsRune(`()<>@,;:\"/[]?={}`, rune(c))
}
