package proto

import "encoding/binary"

// UTF8 validates UTF-8 incrementally, so that a text message is checked as
// its bytes arrive, whatever the split into fragments and reads, and fails
// on the first byte that cannot start or continue a valid sequence
// (RFC 6455 section 8.1: fail fast). Overlong forms, surrogates and code
// points above U+10FFFF are rejected as in RFC 3629.
type UTF8 struct {
	need   uint8 // continuation bytes still expected
	lo, hi byte  // range allowed for the next continuation byte
}

// Write checks p as the continuation of everything written before; it
// reports false as soon as the text cannot be valid.
func (v *UTF8) Write(p []byte) bool {
	i := 0
	for i < len(p) {
		if v.need == 0 {
			for i+8 <= len(p) && binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 == 0 {
				i += 8
			}
			if i == len(p) {
				break
			}
			c := p[i]
			i++
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
			continue
		}
		c := p[i]
		i++
		if c < v.lo || c > v.hi {
			return false
		}
		v.need--
		v.lo, v.hi = 0x80, 0xBF
	}
	return true
}

// Complete reports whether the text written so far ends on a whole
// character.
func (v *UTF8) Complete() bool { return v.need == 0 }

// Reset forgets everything written.
func (v *UTF8) Reset() { *v = UTF8{} }

// ValidUTF8 reports whether p is valid UTF-8 by the same rules.
func ValidUTF8(p []byte) bool {
	var v UTF8
	return v.Write(p) && v.Complete()
}
