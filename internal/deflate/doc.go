// Package deflate is the permessage-deflate extension of RFC 7692 without
// any I/O: the client's offer, the check of the server's answer, and the
// compression and decompression of message payloads. The connection code
// in package ws wraps it:
//
//   - Offer.Header is the value of the request's Sec-WebSocket-Extensions.
//   - Offer.Accept checks the response's Sec-WebSocket-Extensions values
//     against RFC 7692 section 7.1 and returns the Params to use, nil if
//     the server declined, or a *proto.HandshakeFault.
//   - A Compressor made with Params.Client turns a message into the
//     payload of a compressed message; its frames carry RSV1 on the first
//     frame only. Messages below a size threshold are better sent as they
//     are (RSV1 clear): they do not touch the compressor's window (section
//     7.2.3.2).
//   - A Decompressor made with Params.Server and the message size limit
//     takes a compressed message's payload frame by frame (Write) and
//     returns the message (Finish), checking the limit as it produces
//     output: a small payload cannot make it allocate more than the limit.
//     Its errors are *proto.Violation, with close code 1009 for the limit
//     and 1002 for data that is not a compressed message.
//
// Compression uses github.com/klauspost/compress/flate, faster than the
// standard library's and the only encoder at hand that can keep matches
// within a window smaller than 32 KiB (NewWriterWindow), as
// client_max_window_bits may demand. Its decoder cannot serve the other
// way: it pulls its input through an io.Reader and fails for good when
// that runs dry, so it cannot be fed a frame at a time without a
// goroutine; it stops at a block with BFINAL set, which RFC 7692 section
// 7.2.1 lets other blocks follow; and it always keeps a 32 KiB window.
// Decompression is therefore this package's own decoder of RFC 1951
// (inflate.go, huffman.go), resumable at any byte, with a window of the
// negotiated size. On JSON messages it is on a par with klauspost's
// decoder at 1 KiB and up to a third slower at 64 KiB, about as fast as
// the standard library's (BenchmarkDecompress against
// BenchmarkDecompressReference).
//
// # Memory per connection
//
// What a connection holds between messages, measured after a 1 KiB
// message each way with BenchmarkMemoryPerConn (Go 1.26, amd64):
//
//	window bits     compressor           decompressor
//	                takeover  no take.   takeover  no take.
//	8               1.09 MB   40 B       349 B     45 B
//	9               1.09 MB   40 B       605 B     45 B
//	10              1.09 MB   40 B       1.1 kB    45 B
//	11              1.09 MB   40 B       2.1 kB    45 B
//	12              1.09 MB   40 B       4.2 kB    45 B
//	13              1.09 MB   40 B       8.3 kB    45 B
//	14              1.09 MB   40 B       16.5 kB   45 B
//	15              828 kB    40 B       32.9 kB   45 B
//
// With context takeover the sender's state must outlive the message: the
// compressor keeps klauspost's encoder, whose tables do not shrink with
// the window, and the decompressor keeps the window itself and nothing
// else. Without it both take their state from pools for the length of a
// message: an encoder (the same 0.8 or 1.1 MB) and a decoder of about
// 7 kB, shared by all connections. Offering client_no_context_takeover
// saves the megabyte per connection at some cost in compression.
package deflate
