package benchkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The /proc readers below are Linux-only; elsewhere they report "unknown"
// (negative values).

// clockTick is USER_HZ, the unit of /proc CPU counters: 100 on every
// mainstream Linux build.
const clockTick = 10 * time.Millisecond

// MachineCPU returns the CPU time all CPUs spent busy (not idle, not
// waiting for I/O, not stolen by the hypervisor) and the time stolen.
func MachineCPU() (busy, steal time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1, -1
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return -1, -1
	}
	var v [8]int64 // user nice system idle iowait irq softirq steal
	for i := range v {
		v[i], _ = strconv.ParseInt(f[i+1], 10, 64)
	}
	b0 := v[0] + v[1] + v[2] + v[5] + v[6]
	return time.Duration(b0) * clockTick, time.Duration(v[7]) * clockTick
}

// ProcCPU returns the CPU time (user + system) process pid has used.
func ProcCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The command name in parentheses may contain spaces; fields count from
	// the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of the whole line
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	return time.Duration(ut+st) * clockTick
}

// ProcMem returns VmRSS and VmHWM (the peak RSS) of process pid in MiB.
func ProcMem(pid int) (rss, hwm float64) {
	rss, hwm = -1, -1
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if k == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	return
}

// WaitQuiet waits up to limit for one second in which the whole machine is
// busy for less than a quarter of a core, to keep other jobs out of the
// measurement. It reports whether it found one (or cannot tell) and, if
// not, the cores used in the last second.
func WaitQuiet(limit time.Duration) (quiet bool, busy float64) {
	deadline := time.Now().Add(limit)
	for {
		m0, _ := MachineCPU()
		time.Sleep(time.Second)
		m1, _ := MachineCPU()
		busy = (m1 - m0).Seconds()
		if m0 < 0 || busy < 0.25 {
			return true, busy
		}
		if time.Now().After(deadline) {
			return false, busy
		}
	}
}

// MachineInfo describes where the benchmark ran, one "- key: value" line
// each, for the report. self names this program in the Go line ("this
// client").
func MachineInfo(goBin, self string) []string {
	var out []string
	add := func(k, v string) {
		if v != "" {
			out = append(out, fmt.Sprintf("- %s: %s", k, v))
		}
	}
	add("CPUs (nproc)", strconv.Itoa(runtime.NumCPU()))
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				add("CPU model", strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			add("memory", fmt.Sprintf("%.1f GiB", kb/1024/1024))
		}
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				add("OS", strings.Trim(v, `"`))
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		add("kernel", strings.TrimSpace(string(b)))
	}
	if b, err := exec.Command(goBin, "version").Output(); err == nil {
		add("Go (builds Herald)", strings.TrimSpace(string(b)))
	}
	add("Go ("+self+")", runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+", GOMAXPROCS "+strconv.Itoa(runtime.GOMAXPROCS(0)))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			add("load average at start", strings.Join(f[:3], " "))
		}
	}
	return out
}

// FilesystemOf names the file system holding dir, from /proc/mounts.
func FilesystemOf(dir string) string {
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return ""
	}
	abs, _ := filepath.Abs(dir)
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	best, fs, dev := "", "", ""
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		if mp := f[1]; (abs == mp || strings.HasPrefix(abs, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= len(best) {
			best, fs, dev = mp, f[2], f[0]
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("%s (%s mounted on %s)", fs, dev, best)
}
