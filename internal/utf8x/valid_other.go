//go:build purego || !(amd64 || arm64)

package utf8x

import "unicode/utf8"

// valid reports whether p is valid UTF-8. unicode/utf8.Valid is the
// fastest pure-Go way found: it takes ASCII eight bytes at a time.
func valid(p []byte) bool { return utf8.Valid(p) }
