//go:build !unix

package embedded

import "os/exec"

// shellCommand runs command with sh -c.
func shellCommand(command string) *exec.Cmd {
	return exec.Command("sh", "-c", command)
}

// killGroup kills the process of cmd; without process groups, its
// children are left to end with their pipes.
func killGroup(cmd *exec.Cmd) {
	cmd.Process.Kill()
}
