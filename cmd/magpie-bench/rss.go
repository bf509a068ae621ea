package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// procMemory is a process's resident memory, in KiB, from the VmHWM and
// VmRSS lines of /proc/PID/status (Linux).
type procMemory struct {
	peakKiB int64 // VmHWM: the peak since the process started, not since the bench did
	nowKiB  int64 // VmRSS
}

func readProcMemory(pid int) (procMemory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procMemory{}, fmt.Errorf("--pid %d: %w", pid, err)
	}
	defer f.Close()
	m, err := parseProcStatus(f)
	if err != nil {
		return procMemory{}, fmt.Errorf("--pid %d: %w", pid, err)
	}
	return m, nil
}

// parseProcStatus reads VmHWM and VmRSS from the text of /proc/PID/status,
// whose lines look like "VmHWM:\t   51236 kB".
func parseProcStatus(r io.Reader) (procMemory, error) {
	var m procMemory
	var seen int
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, _ := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch key {
		case "VmHWM":
			dst = &m.peakKiB
		case "VmRSS":
			dst = &m.nowKiB
		default:
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
		if err != nil {
			return procMemory{}, fmt.Errorf("%s: cannot read %q", key, value)
		}
		*dst = n
		seen++
	}
	if err := sc.Err(); err != nil {
		return procMemory{}, err
	}
	if seen < 2 {
		// Kernel threads, and zombies, have no memory lines.
		return procMemory{}, errors.New("no VmHWM and VmRSS in its status")
	}
	return m, nil
}
