package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A command with a space and a parenthesis, as a process may name
	// itself; utime 250 and stime 130 ticks.
	const stat = "4242 (postgres: a) b) S 4200 4200 4200 0 -1 4194560 1700 0 0 0 250 130 0 0 20 0 1 0 5000 220000000 3000 18446744073709551615\n"
	ppid, cpu, err := parseProcStat(stat)
	if err != nil {
		t.Fatal(err)
	}
	if ppid != 4200 || cpu != 3800*time.Millisecond {
		t.Errorf("ppid %d, CPU %s; want 4200 and 3.8s", ppid, cpu)
	}
	for _, bad := range []string{"", "4242 (magpie) S 1 2 3", "4242 (magpie) S x 4200 4200 0 -1 0 0 0 0 0 250 130 0", "4242 (magpie) S 1 4200 4200 0 -1 0 0 0 0 0 many 130 0"} {
		if _, _, err := parseProcStat(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestReadProcCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	before, err := readProcCPU(os.Getpid(), false)
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the kernel has counted at least two ticks more.
	deadline := time.Now().Add(10 * time.Second)
	var after time.Duration
	for after < before+2*time.Second/userHZ && time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			_ = i * i
		}
		if after, err = readProcCPU(os.Getpid(), false); err != nil {
			t.Fatal(err)
		}
	}
	if after < before+2*time.Second/userHZ {
		t.Errorf("CPU time %s after spinning, %s before", after, before)
	}
	// With children: at least its own time.
	all, err := readProcCPU(os.Getpid(), true)
	if err != nil || all < after {
		t.Errorf("with children: %s, %v; want at least %s", all, err, after)
	}
	if _, err := readProcCPU(1<<30, false); err == nil {
		t.Error("a missing process: no error")
	}
}

// With children, a busy child's time counts while it runs, as a
// PostgreSQL backend's does for the postmaster.
func TestReadProcCPUChildren(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	child := exec.Command("sh", "-c", "while :; do :; done")
	if err := child.Start(); err != nil {
		t.Skip("no sh: ", err)
	}
	defer func() {
		_ = child.Process.Kill()
		_ = child.Wait() // killed: an error, by design
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		own, err := readProcCPU(os.Getpid(), false)
		if err != nil {
			t.Fatal(err)
		}
		all, err := readProcCPU(os.Getpid(), true)
		if err != nil {
			t.Fatal(err)
		}
		if all-own >= 2*time.Second/userHZ {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("with children %s, alone %s: the busy child's time is not counted", all, own)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
