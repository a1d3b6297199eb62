package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The /proc readers below are Linux-only; elsewhere they report "unknown"
// (negative values) and the CPU columns stay empty.

// clockTick is USER_HZ, the unit of /proc CPU counters: 100 on every
// mainstream Linux build.
const clockTick = 10 * time.Millisecond

// machineCPU returns the CPU time all CPUs spent busy (not idle, not
// waiting for I/O, not stolen by the hypervisor) and the time stolen.
func machineCPU() (busy, steal time.Duration) {
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

// procCPU returns the CPU time (user + system) process pid has used.
func procCPU(pid int) time.Duration {
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

// procRSS returns VmRSS (or, with hwm, VmHWM) of process pid in MiB.
func procRSS(pid int, hwm bool) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	key := "VmRSS:"
	if hwm {
		key = "VmHWM:"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

// machineInfo describes where the benchmark ran, one "- key: value" line
// each, for the report.
func machineInfo(goBin string) []string {
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
	add("Go (this client)", runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+", GOMAXPROCS "+strconv.Itoa(runtime.GOMAXPROCS(0)))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			add("load average at start", strings.Join(f[:3], " "))
		}
	}
	return out
}

// syncLatency writes and fsyncs 4 KiB to a scratch file in dir n times and
// returns the median time of one write+fsync: the disk's commit latency at
// that moment, which bounds SQLite with synchronous=FULL at low concurrency
// and varies a lot on shared virtual disks. It returns -1 on error.
func syncLatency(dir string, n int) time.Duration {
	f, err := os.CreateTemp(dir, "sync-probe-")
	if err != nil {
		return -1
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	d := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		if _, err := f.WriteAt(buf, int64(i%16)*4096); err != nil {
			return -1
		}
		if err := f.Sync(); err != nil {
			return -1
		}
		d = append(d, time.Since(t0))
	}
	slices.Sort(d)
	return d[len(d)/2]
}
