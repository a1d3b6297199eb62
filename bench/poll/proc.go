package main

import (
	"fmt"
	"os"
)

// resetPeak resets pid's VmHWM to its current RSS (writing 5 to
// /proc/PID/clear_refs, Linux 4.0 and later); it reports whether it could.
func resetPeak(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}
