// Package proto is the WebSocket protocol core of RFC 6455 without any I/O:
// bytes go in and frames come out (Reader), frames go in and bytes come out
// (AppendHeader, Mask), and the opening handshake is built and checked as
// bytes and headers. The connection code in package ws and the internal
// server wrap it with sockets, goroutines and timeouts.
//
// Keeping the core free of I/O lets every rule be table-tested and fuzzed
// byte by byte, whatever the split of the input into reads.
package proto
