package ws

import (
	"bytes"
	"io"
	"testing"

	"github.com/hackney-go/ws/internal/proto"
)

// chunkReader returns its data in reads of at most n bytes, as a proxy
// may send it.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.data))
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// FuzzConnectResponse reads a proxy's response to CONNECT, arriving in
// reads of any size. It must never panic nor read past the 64 KiB bound;
// a head it accepts is the one proto.ParseResponse finds in the whole
// input, and the bytes it returns past the head are the next ones of the
// input, none lost nor invented.
func FuzzConnectResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 Connection established\r\n\r\n"), 1000)
	f.Add([]byte("HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n\x81\x02hi"), 3)
	f.Add([]byte("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 5\r\n\r\nhello"), 7)
	f.Add([]byte("HTTP/1.1 200\n\nrest"), 1)
	f.Add([]byte("SSH-2.0-OpenSSH\r\n"), 64)
	f.Add([]byte("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"), 5)
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		resp, rest, err := readConnectResponse(&chunkReader{data: data, n: chunk})
		if err != nil {
			return
		}
		want, n, perr := proto.ParseResponse(data)
		if perr != nil || n == 0 || n > proto.MaxResponseHead {
			t.Fatalf("accepted a head that ParseResponse does not: %v, %d", perr, n)
		}
		if resp.StatusCode != want.StatusCode || resp.Status != want.Status || len(resp.Header()) != len(want.Header()) {
			t.Fatalf("head %+v, want %+v", resp, want)
		}
		if !bytes.HasPrefix(data[n:], rest) {
			t.Fatalf("bytes past the head %q are not the input's %q", rest, data[n:])
		}
	})
}

// FuzzSOCKSReply reads a SOCKS5 reply. It must never panic, and a reply
// it accepts takes exactly the bytes RFC 1928 section 6 gives it: the
// tunnel's bytes after it stay unread.
func FuzzSOCKSReply(f *testing.F) {
	f.Add([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 80})
	f.Add([]byte{5, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 187, 'x'})
	f.Add([]byte{5, 0, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0, 80, 0x81})
	f.Add([]byte{5, 0, 0, 3, 0, 0, 80})
	f.Add([]byte{5, 0, 0, 3, 255})
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		rep, err := readSOCKSReply(r)
		if err != nil {
			return
		}
		used := len(data) - r.Len()
		var want int
		switch data[3] {
		case socksIPv4:
			want = 4 + 4 + 2
		case socksIPv6:
			want = 4 + 16 + 2
		case socksDomain:
			want = 4 + 1 + int(data[4]) + 2
		default:
			t.Fatalf("accepted address type %d", data[3])
		}
		if data[0] != socksVersion || rep != int(data[1]) || used != want {
			t.Fatalf("reply %d after %d bytes, want %d after %d", rep, used, data[1], want)
		}
	})
}
