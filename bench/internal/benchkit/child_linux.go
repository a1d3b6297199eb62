package benchkit

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill a server child if the benchmark dies
// without cleaning up (for example on SIGKILL).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
