package utf8x

import "encoding/binary"

// Validator validates UTF-8 incrementally, so that a text message is checked as
// its bytes arrive, whatever the split into fragments and reads, and fails
// on the first byte that cannot start or continue a valid sequence
// (RFC 6455 section 8.1: fail fast). Overlong forms, surrogates and code
// points above U+10FFFF are rejected as in RFC 3629.
//
// The zero Validator is ready for a text's first bytes.
type Validator struct {
	need   uint8 // continuation bytes still expected
	lo, hi byte  // range allowed for the next continuation byte
}

// Write checks p as the continuation of everything written before; it
// reports false as soon as the text cannot be valid, that is on the Write
// whose p holds the first byte that proves it.
//
// Only the bytes of a character cut by the start or the end of p go
// through the byte-at-a-time state; the whole characters between go to
// the block validator (valid), many times faster (BenchmarkValid keeps
// the figures).
func (v *Validator) Write(p []byte) bool {
	for v.need > 0 && len(p) > 0 {
		if !v.step(p[0]) {
			return false
		}
		p = p[1:]
	}
	if len(p) <= shortText {
		if p = p[asciiPrefix(p):]; len(p) == 0 {
			return true
		}
	}
	cut := unfinished(p)
	if !valid(p[:cut]) {
		return false
	}
	for _, c := range p[cut:] {
		if !v.step(c) {
			return false
		}
	}
	return true
}

// shortText is the length up to which plain ASCII is cheaper to check in
// line than with the call to valid: small messages are common.
const shortText = 64

// asciiPrefix returns len(p) if p is all ASCII, else the length of the
// whole words of eight ASCII bytes it starts with: those need no second
// look.
func asciiPrefix(p []byte) int {
	n := 0
	for ; len(p)-n >= 8; n += 8 {
		if binary.LittleEndian.Uint64(p[n:])&0x8080808080808080 != 0 {
			return n
		}
	}
	for _, c := range p[n:] {
		if c >= 0x80 {
			return n
		}
	}
	return len(p)
}

// unfinished returns where the last character of p starts if p ends before
// that character does, and len(p) otherwise (or if p ends in bytes that
// cannot be valid, which valid then finds).
func unfinished(p []byte) int {
	for k := 1; k <= 3 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c&0xC0 == 0x80 {
			continue // a continuation byte: the lead is further back
		}
		size := 4
		switch {
		case c < 0xC0:
			size = 1
		case c < 0xE0:
			size = 2
		case c < 0xF0:
			size = 3
		}
		if size > k {
			return len(p) - k
		}
		break
	}
	return len(p)
}

// step takes one byte: a continuation of the pending character, or the
// start of a new one.
func (v *Validator) step(c byte) bool {
	if v.need > 0 {
		if c < v.lo || c > v.hi {
			return false
		}
		v.need--
		v.lo, v.hi = 0x80, 0xBF
		return true
	}
	switch {
	case c < 0x80:
	case c < 0xC2: // continuation byte, or overlong 2-byte lead
		return false
	case c < 0xE0:
		v.need, v.lo, v.hi = 1, 0x80, 0xBF
	case c == 0xE0: // no overlong 3-byte forms
		v.need, v.lo, v.hi = 2, 0xA0, 0xBF
	case c == 0xED: // no surrogates
		v.need, v.lo, v.hi = 2, 0x80, 0x9F
	case c < 0xF0:
		v.need, v.lo, v.hi = 2, 0x80, 0xBF
	case c == 0xF0: // no overlong 4-byte forms
		v.need, v.lo, v.hi = 3, 0x90, 0xBF
	case c < 0xF4:
		v.need, v.lo, v.hi = 3, 0x80, 0xBF
	case c == 0xF4: // nothing above U+10FFFF
		v.need, v.lo, v.hi = 3, 0x80, 0x8F
	default:
		return false
	}
	return true
}

// Complete reports whether the text written so far ends on a whole
// character.
func (v *Validator) Complete() bool { return v.need == 0 }

// Reset forgets everything written.
func (v *Validator) Reset() { *v = Validator{} }

// Valid reports whether p is valid UTF-8 by the same rules, as
// unicode/utf8.Valid does.
func Valid(p []byte) bool {
	if len(p) <= shortText {
		if p = p[asciiPrefix(p):]; len(p) == 0 {
			return true
		}
	}
	return valid(p)
}
