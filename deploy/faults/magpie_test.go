//go:build faults

// Package faults shows how Magpie holds up when its database fails, when
// it is flooded with logins, under a burst of writes on SQLite, and over a
// long run: real `magpie serve` processes, real PostgreSQL behind a TCP
// proxy the test controls (the machine's own server is never touched).
//
//	MAGPIE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	  go test -tags faults -count=1 -v ./deploy/faults/
package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin is the magpie binary the tests run, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "magpie-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "magpie")
	build := exec.Command("go", "build", "-o", bin, "github.com/magpie-sns/magpie/cmd/magpie")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one `magpie serve` process.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	url     string // of the API
	metrics string // of /metrics, if served
	log     *syncBuffer
	exited  chan struct{}
}

var (
	listeningRE = regexp.MustCompile(`msg="magpie listening" addr=(\S+)`)
	metricsRE   = regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)
)

// startServe runs magpie serve with args on a free port, with the rest of
// its settings from env (KEY=VALUE), and waits until it is ready.
func startServe(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := &server{t: t, log: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, args...)...)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }() // the exit status is of no interest: the test stops it
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM) // it may have exited already
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("magpie's log:\n%s", s.log)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(s.log.String()); m != nil {
			s.url = "http://" + m[1]
			if m := metricsRE.FindStringSubmatch(s.log.String()); m != nil {
				s.metrics = "http://" + m[1] + "/metrics"
			}
			break
		}
		select {
		case <-s.exited:
			t.Fatalf("magpie exited before listening:\n%s", s.log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("magpie did not listen within 30 s:\n%s", s.log)
		}
	}
	s.waitStatus("/ready/", http.StatusOK, 30*time.Second)
	return s
}

// cpu is the CPU time the process has used.
func (s *server) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatal(err)
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th of them, in clock ticks (100 a second).
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func (s *server) waitStatus(path string, want int, within time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	last := 0
	for time.Now().Before(deadline) {
		res, err := http.Get(s.url + path)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if last = res.StatusCode; last == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("GET %s: no %d within %v (last %d)", path, want, within, last)
}

// reply is one answer the load got.
type reply struct {
	status int
	took   time.Duration
	body   []byte
	header http.Header
}

// call sends one request and reads the whole answer; status 0 is a
// transport error.
func call(ctx context.Context, client *http.Client, method, url, authz string, headers map[string]string, body any) reply {
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		panic(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return reply{took: time.Since(start)}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, took: time.Since(start), body: data, header: res.Header}
}

// signup makes a user and returns a bearer Authorization header for it.
func signup(t *testing.T, url, name string) string {
	t.Helper()
	ctx := t.Context()
	if r := call(ctx, http.DefaultClient, "POST", url+"/auth/signup/", "", nil, map[string]string{"username": name, "password": name + "-secret-pw"}); r.status != http.StatusCreated {
		t.Fatalf("signup %s: %d %s", name, r.status, r.body)
	}
	return login(t, url, name, name+"-secret-pw")
}

func login(t *testing.T, url, name, password string) string {
	t.Helper()
	r := call(t.Context(), http.DefaultClient, "POST", url+"/auth/token/", "", nil, map[string]string{"username": name, "password": password})
	if r.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, r.status, r.body)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(r.body, &tok); err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok.Token
}

// syncBuffer is a bytes.Buffer that a process and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// scrape reads the values of the named metrics (without labels).
func scrape(t *testing.T, url string, names ...string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	got := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if ok && want[name] {
			got[name], _ = strconv.ParseFloat(value, 64)
		}
	}
	return got
}
