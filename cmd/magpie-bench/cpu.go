package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat: USER_HZ, which
// Linux fixes at 100 a second for every architecture Go runs on.
const userHZ = 100

// readProcCPU returns the CPU time, user and system, that process pid has
// used so far, and with children that of the processes whose parent it is
// too (Linux). For PostgreSQL's postmaster, those are its backends: one a
// connection, each with its own CPU time, which reaches the postmaster's
// only once the backend exits.
func readProcCPU(pid int, children bool) (time.Duration, error) {
	_, total, err := procStat(pid)
	if err != nil {
		return 0, fmt.Errorf("pid %d: %w", pid, err)
	}
	if !children {
		return total, nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil || p == pid {
			continue
		}
		// A process may exit between the listing and the read: skip it.
		if ppid, cpu, err := procStat(p); err == nil && ppid == pid {
			total += cpu
		}
	}
	return total, nil
}

func procStat(pid int) (ppid int, cpu time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	return parseProcStat(string(b))
}

// parseProcStat reads the parent's pid and the CPU time, utime + stime,
// from the text of /proc/PID/stat: "pid (comm) state ppid … utime stime
// …", fields 4, 14 and 15, where comm may hold spaces and parentheses.
func parseProcStat(stat string) (ppid int, cpu time.Duration, err error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, errors.New("no command in its stat")
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, 0, errors.New("too few fields in its stat")
	}
	ppid, err = strconv.Atoi(f[1])
	if err != nil {
		return 0, 0, fmt.Errorf("ppid %q", f[1])
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("CPU time %q", s)
		}
		ticks += n
	}
	return ppid, time.Duration(ticks) * time.Second / userHZ, nil
}
