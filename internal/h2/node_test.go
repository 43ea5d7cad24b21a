package h2_test

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ws "github.com/hackney-go/ws"
)

// TestAcceptNodeClient: Accept serves an RFC 8441 client that is not Go's:
// Node's HTTP/2 (nghttp2) with frames written by hand, over TLS. Node is
// installed by .ci/run; under CI=true a missing one fails the test.
func TestAcceptNodeClient(t *testing.T) {
	node := requireBin(t, "node", "nodejs")
	h, errs := accepted([]ws.Option{ws.Protocols("chat")}, func(c *ws.Conn) error {
		for {
			f, err := c.Recv()
			if err != nil {
				return err
			}
			if err := c.Send(f); err != nil {
				return err
			}
		}
	})
	s := startH2Server(t, false, h)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert}), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "testdata/node_client.js", "https"+strings.TrimPrefix(s.base, "wss")+"/", ca).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if want := "protocol chat\necho hello from node\nclose 1000\n"; string(out) != want {
		t.Fatalf("node printed %q, want %q", out, want)
	}
	var ce *ws.CloseError
	if err := result(t, errs); !errors.As(err, &ce) || ce.Code != ws.CloseNormal {
		t.Fatalf("server: %v, want Node's 1000", err)
	}
}
