package xconnect

import (
	"slices"
	"testing"
)

// TestEnv: the setting is added or taken out, the other GODEBUG settings
// and variables kept.
func TestEnv(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		on   bool
		want []string
	}{
		{[]string{"A=1"}, true, []string{"A=1", "GODEBUG=http2xconnect=1"}},
		{[]string{"GODEBUG=gctrace=1", "A=1"}, true, []string{"A=1", "GODEBUG=gctrace=1,http2xconnect=1"}},
		{[]string{"GODEBUG=http2xconnect=1,gctrace=1"}, false, []string{"GODEBUG=gctrace=1"}},
		{[]string{"GODEBUG=http2xconnect=1"}, false, []string{}},
		{[]string{"GODEBUG=http2xconnect=0"}, true, []string{"GODEBUG=http2xconnect=1"}},
	} {
		if got := Env(tc.env, tc.on); !slices.Equal(got, tc.want) {
			t.Errorf("Env(%q, %v) = %q, want %q", tc.env, tc.on, got, tc.want)
		}
	}
}
