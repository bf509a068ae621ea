//go:build zerodowntime

// Package zerodowntime proves that Magpie instances behind nginx can be
// restarted one at a time under load without a failed request: real nginx,
// two real `magpie serve` processes, one real PostgreSQL database.
//
//	MAGPIE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	  go test -tags zerodowntime -count=1 -v ./deploy/zerodowntime/
package zerodowntime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie/postgres/postgrestest"
)

const (
	workers     = 8
	maxRequests = 200_000         // a bound, far above what the run sends
	settle      = 5 * time.Second // more than twice nginx's fail_timeout: a restarted instance is back in rotation
	drainDelay  = 5 * time.Second // longer than nginx's upstream keepalive_timeout
)

func TestRollingRestartUnderLoad(t *testing.T) {
	nginxBin, err := exec.LookPath("nginx")
	if err != nil {
		nginxBin = "/usr/sbin/nginx"
	}
	if _, err := os.Stat(nginxBin); err != nil {
		t.Fatalf("nginx is not installed (apt-get install nginx-light): %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	dbURL := postgrestest.NewDatabase(t)

	bin := filepath.Join(dir, "magpie")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/magpie-sns/magpie/cmd/magpie")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	migrate := exec.CommandContext(ctx, bin, "migrate", "--database", dbURL)
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("magpie migrate: %v\n%s", err, out)
	}

	a := &instance{name: "a", bin: bin, dbURL: dbURL, addr: freeAddr(t), dir: dir}
	b := &instance{name: "b", bin: bin, dbURL: dbURL, addr: freeAddr(t), dir: dir}
	for _, in := range []*instance{a, b} {
		in.start(t)
		t.Cleanup(func() { in.kill() })
		in.waitReady(t, ctx)
	}
	lbAddr := freeAddr(t)
	startNginx(t, ctx, nginxBin, dir, lbAddr, a.addr, b.addr)
	base := "http://" + lbAddr

	tokens := setUpUsers(t, base)
	load := &loadGenerator{base: base, tokens: tokens, statuses: map[string]int{}, created: map[string]int{}}
	stopLoad := make(chan struct{})
	loadDone := make(chan struct{})
	go func() { load.run(ctx, stopLoad); close(loadDone) }()

	// The rolling restart, while the load runs: each instance in turn is
	// stopped with SIGTERM, started again and waited for until ready.
	time.Sleep(settle)
	for _, in := range []*instance{a, b} {
		t.Logf("restarting %s (%s)", in.name, in.addr)
		in.stop(t)
		in.start(t)
		in.waitReady(t, ctx)
		t.Logf("%s is ready again", in.name)
		time.Sleep(settle)
	}
	close(stopLoad)
	<-loadDone

	found := countPosts(t, dbURL)
	report := load.report(found)
	fmt.Print(report)
	t.Log("\n" + report)

	if load.failed > 0 {
		t.Errorf("%d failed requests: %v", load.failed, load.failures)
	}
	if load.sent < 500 {
		t.Errorf("only %d requests were sent: the load did not really run", load.sent)
	}
	for title, n := range load.created {
		if found[title] != 1 {
			t.Errorf("post %q was created (%d acknowledgements) but is in the database %d times", title, n, found[title])
		}
	}
	for title, n := range found {
		if load.created[title] == 0 {
			t.Errorf("post %q is in the database %d times but was never acknowledged", title, n)
		}
	}
}

// instance is one `magpie serve` process on a fixed address.
type instance struct {
	name, bin, dbURL, addr, dir string
	cmd                         *exec.Cmd
	exited                      chan struct{} // closed when the process has exited
	exitErr                     error
	generation                  int
}

func (in *instance) start(t *testing.T) {
	t.Helper()
	in.generation++
	logPath := filepath.Join(in.dir, fmt.Sprintf("magpie-%s-%d.log", in.name, in.generation))
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// No rate limits: the load comes from one address. No metrics
	// listener: two instances share the machine.
	in.cmd = exec.Command(in.bin, "serve", "--addr", in.addr, "--database", in.dbURL, "--migrate=false",
		"--drain-delay", drainDelay.String(), "--trusted-proxies", "127.0.0.1", "--log-level", "warn",
		"--rate-limit", "off", "--metrics-addr", "")
	in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
	if err := in.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", in.name, err)
	}
	in.exited = make(chan struct{})
	go func() {
		in.exitErr = in.cmd.Wait()
		logFile.Close()
		close(in.exited)
	}()
}

// stop sends SIGTERM and waits for a clean exit.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM %s: %v", in.name, err)
	}
	select {
	case <-in.exited:
		if in.exitErr != nil {
			t.Fatalf("%s exited with %v after SIGTERM", in.name, in.exitErr)
		}
	case <-time.After(drainDelay + 30*time.Second):
		t.Fatalf("%s did not stop after SIGTERM", in.name)
	}
}

// kill ends the process if the test left it running, as after a failure.
func (in *instance) kill() {
	select {
	case <-in.exited:
	default:
		if in.cmd.Process.Kill() == nil {
			<-in.exited
		}
	}
}

func (in *instance) waitReady(t *testing.T, ctx context.Context) {
	t.Helper()
	for ctx.Err() == nil {
		res, err := http.Get("http://" + in.addr + "/ready/")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-in.exited:
			t.Fatalf("%s exited before it was ready: %v", in.name, in.exitErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s was not ready in time", in.name)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// setUpUsers signs up four users who all follow each other and returns
// their bearer tokens.
func setUpUsers(t *testing.T, base string) []string {
	t.Helper()
	var tokens []string
	names := []string{"ann", "ben", "cat", "dan"}
	for _, name := range names {
		mustPost(t, base+"/auth/signup/", "", map[string]any{"username": name, "password": name + "-zero-downtime"}, http.StatusCreated)
		var tok struct{ Token string }
		body := mustPost(t, base+"/auth/token/", "", map[string]any{"username": name, "password": name + "-zero-downtime"}, http.StatusOK)
		if err := json.Unmarshal(body, &tok); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok.Token)
	}
	for i, tok := range tokens {
		for j, name := range names {
			if i != j {
				mustPost(t, base+"/follow/", tok, map[string]any{"username": name}, http.StatusCreated)
			}
		}
	}
	return tokens
}

func mustPost(t *testing.T, url, token string, body any, want int) []byte {
	t.Helper()
	status, data, err := post(context.Background(), http.DefaultClient, url, token, body)
	if err != nil || status != want {
		t.Fatalf("POST %s: %d %s %v, want %d", url, status, data, err, want)
	}
	return data
}

func post(ctx context.Context, c *http.Client, url, token string, body any) (int, []byte, error) {
	data, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(c, req)
}

func do(c *http.Client, req *http.Request) (int, []byte, error) {
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, data, err
}

// loadGenerator sends a mix of reads and writes from several workers
// until stopped, and counts what came back. Stopping lets the requests in
// flight finish, so every write is either acknowledged or failed.
type loadGenerator struct {
	base   string
	tokens []string

	mu       sync.Mutex
	sent     int
	failed   int
	statuses map[string]int // "GET 200", "POST 201", "error"…
	failures []string       // the first few, for the report
	created  map[string]int // title → acknowledgements
}

func (l *loadGenerator) run(ctx context.Context, stop <-chan struct{}) {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			token := l.tokens[w%len(l.tokens)]
			for n := 0; l.count(); n++ {
				select {
				case <-stop:
					return
				default:
				}
				l.once(ctx, client, token, w, n)
			}
		})
	}
	wg.Wait()
}

// count reserves one request of the bounded budget.
func (l *loadGenerator) count() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent >= maxRequests {
		return false
	}
	l.sent++
	return true
}

func (l *loadGenerator) once(ctx context.Context, client *http.Client, token string, worker, n int) {
	var (
		method = http.MethodGet
		status int
		body   []byte
		err    error
		title  string
	)
	switch n % 10 {
	case 0, 1, 2:
		status, body, err = l.get(ctx, client, token, "/blog/post/?limit=20")
	case 3, 4:
		status, body, err = l.get(ctx, client, token, "/blog/post/following_post/")
	case 5:
		status, body, err = l.get(ctx, client, token, "/users/")
	case 6:
		status, body, err = l.get(ctx, client, token, "/users/me/")
	default:
		method = http.MethodPost
		title = fmt.Sprintf("zd %d-%d", worker, n)
		status, body, err = post(ctx, client, l.base+"/blog/post/", token, map[string]any{"title": title, "body": "written during a rolling restart"})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := fmt.Sprintf("%s %d", method, status)
	ok := err == nil && (status == http.StatusOK || status == http.StatusCreated && method == http.MethodPost)
	if err != nil {
		key = "error"
	}
	l.statuses[key]++
	if !ok {
		l.failed++
		if len(l.failures) < 10 {
			l.failures = append(l.failures, fmt.Sprintf("%s %d %v %.200s", method, status, err, body))
		}
		return
	}
	if method == http.MethodPost {
		l.created[title]++
	}
}

func (l *loadGenerator) get(ctx context.Context, c *http.Client, token, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return do(c, req)
}

func (l *loadGenerator) report(found map[string]int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "zero-downtime: requests sent %d, failed %d\n", l.sent, l.failed)
	keys := make([]string, 0, len(l.statuses))
	for k := range l.statuses {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "zero-downtime:   %-10s %d\n", k, l.statuses[k])
	}
	inDB := 0
	for _, n := range found {
		inDB += n
	}
	fmt.Fprintf(&b, "zero-downtime: posts created (acknowledged) %d, found in the database %d (distinct %d)\n", len(l.created), inDB, len(found))
	return b.String()
}

// countPosts returns how many times each load-generated title is stored.
func countPosts(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(), `SELECT title, count(*) FROM posts WHERE title LIKE 'zd %' GROUP BY title`)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	for rows.Next() {
		var title string
		var n int
		if err := rows.Scan(&title, &n); err != nil {
			t.Fatal(err)
		}
		found[title] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return found
}
