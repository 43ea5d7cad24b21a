// Package utf8x validates UTF-8 at memory speed, whole or in pieces.
//
// RFC 6455 section 8.1 asks both ends to check that text messages are
// UTF-8, and to fail as soon as the bytes received prove they are not, so
// a Validator takes a message as its fragments and reads arrive. The
// whole characters between the cuts go to a block validator: by the
// lookup method of Keiser and Lemire ("Validating UTF-8 In Less Than One
// Instruction Per Byte", 2021), on amd64 with AVX2 32 bytes at a time
// (valid_amd64.s), on arm64 with NEON 16 bytes at a time (valid_arm64.s);
// elsewhere, and under the purego build tag, unicode/utf8.Valid.
package utf8x
