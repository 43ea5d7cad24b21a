//go:build unix

package embedded

import (
	"os/exec"
	"syscall"
)

// shellCommand runs command with sh -c in a process group of its own,
// which killGroup kills whole: the shell's children with it.
func shellCommand(command string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// killGroup kills the process group of cmd, what is left of it.
func killGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
