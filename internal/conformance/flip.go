package conformance

import "github.com/hackney-go/ws/internal/proto"

// flipper turns the bytes a script writes as a server into those a
// client writes: the same frames with the mask rule of RFC 6455 section
// 5.1 seen from the other end. An unmasked frame, as a server must send
// it, gets masked with key, as a client must; a masked frame, a server's
// breach, loses its mask, a client's breach. Everything else (FIN, the
// reserved bits, the opcode, the length in whatever form, lengths that
// lie, garbage) goes as it is, so that one table of cases serves both
// roles.
//
// It works on the stream, whatever cuts the writes make in it: a header
// byte goes out as soon as it comes, and the masking key right after the
// last byte of the length, so that a write cut at byte k of a header is
// still cut at byte k.
type flipper struct {
	key [4]byte

	inHeader bool
	hdr      [proto.MaxHeaderSize]byte // the header as written, so far
	hlen     int                       // bytes of it so far
	need     int                       // its whole length, known from its second byte
	masked   bool                      // whether it carries a mask
	inKey    [4]byte                   // its mask
	left     uint64                    // payload bytes of the frame still to come
	pos      int                       // where the payload is in the mask
}

// flip returns the client's form of b, the next bytes of the stream. It
// does not change b.
func (f *flipper) flip(b []byte) []byte {
	out := make([]byte, 0, len(b)+2*len(f.key))
	for len(b) > 0 {
		if !f.inHeader && f.left == 0 {
			f.inHeader, f.hlen, f.need = true, 0, 2
		}
		if f.inHeader {
			c := b[0]
			b = b[1:]
			f.hdr[f.hlen] = c
			f.hlen++
			ext := 0
			if f.hlen >= 2 {
				switch f.hdr[1] & 0x7F {
				case 126:
					ext = 2
				case 127:
					ext = 8
				}
			}
			switch {
			case f.hlen == 2:
				f.masked = c&0x80 != 0
				f.need = 2 + ext
				if f.masked {
					f.need += 4
				}
				out = append(out, c^0x80)
			case f.hlen > 2+ext:
				f.inKey[f.hlen-3-ext] = c
			default:
				out = append(out, c)
			}
			if f.hlen == f.need {
				f.inHeader, f.pos = false, 0
				f.left = uint64(f.hdr[1] & 0x7F)
				if ext > 0 {
					f.left = 0
					for _, x := range f.hdr[2 : 2+ext] {
						f.left = f.left<<8 | uint64(x)
					}
				}
				if !f.masked {
					out = append(out, f.key[:]...)
				}
			}
			continue
		}
		n := int(min(uint64(len(b)), f.left))
		start := len(out)
		out = append(out, b[:n]...)
		key := f.key
		if f.masked {
			key = f.inKey
		}
		f.pos = proto.Mask(key, f.pos, out[start:])
		f.left -= uint64(n)
		b = b[n:]
	}
	return out
}
