//go:build zerodowntime

package zerodowntime

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startNginx runs nginx in the foreground on listen in front of a and b,
// with the configuration the compose stack uses (deploy/nginx), rendered
// for this machine by render-local.sh.
func startNginx(t *testing.T, ctx context.Context, bin, dir, listen, a, b string) {
	t.Helper()
	prefix := filepath.Join(dir, "nginx")
	render := exec.CommandContext(ctx, "bash", filepath.Join("..", "nginx", "render-local.sh"), prefix, listen, a, b)
	if out, err := render.CombinedOutput(); err != nil {
		t.Fatalf("render-local.sh: %v\n%s", err, out)
	}
	conf := filepath.Join(prefix, "nginx.conf")
	cmd := exec.Command(bin, "-e", "stderr", "-p", prefix, "-c", conf)
	logFile, err := os.Create(filepath.Join(dir, "nginx-stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGINT is nginx's fast shutdown; it exits with a signal status.
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			for _, name := range []string{filepath.Join(dir, "nginx-stderr.log"), filepath.Join(prefix, "error.log")} {
				data, _ := os.ReadFile(name)
				t.Logf("%s:\n%s", name, data)
			}
		}
	})
	for ctx.Err() == nil {
		if res, err := http.Get("http://" + listen + "/health/"); err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("nginx did not start")
}
