//go:build !unix

package benchkit

import "time"

// SelfCPU is not measured on this system.
func SelfCPU() time.Duration { return -1 }
