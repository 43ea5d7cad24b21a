// Package load holds the load tests of the ws client; it has no code of
// its own, only tests:
//
//   - TestLoadEcho: many connections at once, each sending a seeded random
//     stream of text, binary and ping frames of 0 bytes to a few KiB, some
//     up to 256 KiB, to an in-process echo server (ws.Accept), and
//     checking that every echo comes back once, whole and in order. The
//     connections share the three delivery modes.
//   - TestLoadServer: TestLoadEcho against ws.Accept: many connections
//     spread over four httptest servers whose handlers echo on the Conn
//     Accept returns, in the three modes, streams of messages up to 1 KiB
//     and pings, every close clean on both ends.
//   - TestLoadIdle: many idle connections open at once to a server in a
//     child process (the test binary run again), then all closed with a
//     completed close handshake. The child holds the server's sockets so
//     that client and server together may exceed one process's file limit;
//     it listens on 127.0.0.1 to 127.0.0.8 (all loopback on Linux), so
//     that the connections spread over more four-tuples than one address's
//     ephemeral ports.
//
// Three scales. By default the sizes keep "go test -race ./..." short on
// a busy two-core machine and still cover every behaviour (20
// connections x 200 messages, which meet every mode with and without
// fragmentation and every kind and size class of message; 40 x 100
// through the Accept servers; 500 idle connections). With the
// environment variable WS_TEST_FULL=1, as CI sets it, the full scale:
// 100 connections x 1000 messages, 1000 x 1000 through the Accept
// servers, and 10 000 idle connections. The flag -load.full runs the
// largest, for manual runs: 100 connections x 100 000 messages and
// 10 000 idle connections:
//
//	go test -race ./internal/load
//	WS_TEST_FULL=1 go test -race ./internal/load
//	go test -race ./internal/load -load.full -timeout 3h
//
// Under the race detector on two shared cores the default run takes a few
// seconds, the full one about a minute, -load.full about an hour (30 GiB
// echoed each way).
//
// All are deterministic (seeded), bound every wait, and leave no
// goroutine behind (goleak, in the child too).
package load
