package main

import (
	"os"
	"strings"
	"testing"
)

func TestParseProcStatus(t *testing.T) {
	const status = "Name:\tmagpie\nState:\tS (sleeping)\nVmPeak:\t 1290304 kB\nVmSize:\t 1290304 kB\nVmHWM:\t   51236 kB\nVmRSS:\t   48100 kB\nThreads:\t9\n"
	m, err := parseProcStatus(strings.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	if m != (procMemory{peakKiB: 51236, nowKiB: 48100}) {
		t.Errorf("got %+v, want VmHWM 51236 and VmRSS 48100", m)
	}

	if _, err := parseProcStatus(strings.NewReader("Name:\tkthreadd\nState:\tS (sleeping)\n")); err == nil {
		t.Error("a status without memory lines: no error")
	}
	if _, err := parseProcStatus(strings.NewReader("VmHWM:\tlots kB\nVmRSS:\t1 kB\n")); err == nil {
		t.Error("a malformed VmHWM: no error")
	}
}

func TestReadProcMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc here")
	}
	m, err := readProcMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.peakKiB <= 0 || m.nowKiB <= 0 || m.nowKiB > m.peakKiB {
		t.Errorf("own memory %+v: want 0 < VmRSS <= VmHWM", m)
	}
}
