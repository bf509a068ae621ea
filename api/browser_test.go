//go:build browser

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestBrowserDocs drives the Swagger UI at /api/docs/ in headless Chromium
// as a person would: every operation of the OpenAPI document is listed,
// Authorize takes a bearer token, and "Try it out" on GET /users/ shows a
// 200 with the JSON list of users. It saves a screenshot of the page.
//
//	go test -tags browser -run Browser ./api/
//
// Chromium is MAGPIE_CHROMIUM, or /usr/bin/chromium. Without it the test is
// skipped, unless CI is set. The screenshot goes to MAGPIE_TEST_OUTPUT_DIR,
// or out/ at the root of the repository.
func TestBrowserDocs(t *testing.T) {
	chromium := chromiumPath(t)
	e := newEnv(t, openSQLite(t))
	alice := e.user("alice")
	others := []string{"bob", "carol", "dave"}
	for _, name := range others {
		e.user(name)
	}
	doc := fetchDocument(t, e)

	b := startBrowser(t, chromium)
	defer b.onFailure(e)

	b.do("open the docs", 30*time.Second,
		chromedp.Navigate(e.url+"/api/docs/"),
		chromedp.WaitVisible(chromedp.CSS(".swagger-ui .information-container")),
	)

	// Every operation of the document is listed. Tags that the UI shows
	// closed are opened first, since a closed tag does not render its
	// operations.
	b.do("open every tag", 10*time.Second,
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.opblock-tag[data-is-open="false"]').forEach(h => h.click())`),
	)
	_, waitErr := run(b, 10*time.Second, chromedp.PollFunction[chromedp.Void](
		`want => { const shown = new Set(`+listedOperationsJS+`); return want.every(op => shown.has(op)) }`,
		chromedp.WithPollingArgs(doc.operations), chromedp.WithPollingInterval(100*time.Millisecond)))
	listed, err := run(b, 10*time.Second, chromedp.Evaluate[[]string](listedOperationsJS))
	if err != nil {
		t.Fatalf("read the listed operations: %v", err)
	}
	var missing []string
	for _, op := range doc.operations {
		if !slices.Contains(listed, op) {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the docs page does not list %d of the %d operations of the document: %s (waited: %v)",
			len(missing), len(doc.operations), strings.Join(missing, ", "), waitErr)
	}
	t.Logf("the docs page lists all %d operations of the document", len(doc.operations))

	// Authorize with the bearer token, as the dialog's user would.
	auth := `//div[` + hasClass("auth-container") + `][.//h4/code[normalize-space()='` + doc.bearerScheme + `']]`
	b.do("authorize with the bearer token", 20*time.Second,
		chromedp.Click(chromedp.CSS(".auth-wrapper button.authorize")),
		chromedp.WaitVisible(auth+`//input`),
		chromedp.SendKeys(auth+`//input`, alice.token),
		chromedp.Click(auth+`//button[`+hasClass("authorize")+`]`),
		chromedp.WaitVisible(auth+`//h6[normalize-space()='Authorized']`),
		chromedp.Click(auth+`//button[`+hasClass("btn-done")+`]`),
		chromedp.WaitNotPresent(chromedp.CSS(".dialog-ux")),
		chromedp.WaitVisible(chromedp.CSS(".auth-wrapper button.authorize.locked")),
	)

	// Try GET /users/ and read the live response.
	op := `//div[` + hasClass("opblock-get") + `][.//*[@data-path='/users/']]`
	live := op + `//table[` + hasClass("live-responses-table") + `]//tr[` + hasClass("response") + `]`
	statusCell := live + `/td[` + hasClass("response-col_status") + `]`
	b.do("execute GET /users/", 30*time.Second,
		chromedp.Click(op+`//*[`+hasClass("opblock-summary-method")+`]`),
		chromedp.Click(op+`//button[`+hasClass("try-out__btn")+`]`),
		chromedp.Click(op+`//button[`+hasClass("execute")+`]`),
		chromedp.WaitVisible(statusCell),
	)
	status, err := run(b, 10*time.Second, chromedp.Text(statusCell))
	if err != nil {
		t.Fatalf("read the response status: %v", err)
	}
	body, err := run(b, 10*time.Second, chromedp.TextContent(live+`//div[`+hasClass("highlight-code")+`]/*[`+hasClass("microlight")+`]`))
	if err != nil {
		t.Fatalf("read the response body: %v", err)
	}
	// The URL the UI sent, with the query it built from the form.
	sent, err := run(b, 10*time.Second, chromedp.TextContent(op+`//div[`+hasClass("request-url")+`]/pre`))
	if err != nil {
		t.Fatalf("read the request URL: %v", err)
	}
	t.Logf("Swagger UI sent GET %s", sent)
	if s := strings.Join(strings.Fields(status), " "); s != "200" {
		t.Fatalf("GET %s through the UI: status cell %q, want 200; body %s", sent, s, body)
	}
	var users []struct{ Username string }
	if err := json.Unmarshal([]byte(body), &users); err != nil {
		t.Fatalf("GET %s through the UI: body is not a JSON list: %v\n%s", sent, err, body)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	slices.Sort(names)
	if !slices.Equal(names, others) {
		t.Fatalf("GET %s through the UI lists %v, want %v (everyone but alice)", sent, names, others)
	}

	b.screenshot("swagger-ui.png")
}

// listedOperationsJS is a JavaScript expression: the operations the page
// shows, as "METHOD /path/".
const listedOperationsJS = `Array.from(document.querySelectorAll('.opblock'), b => {
	const m = b.querySelector('.opblock-summary-method'), p = b.querySelector('[data-path]')
	return (m ? m.textContent.trim().toUpperCase() : '?') + ' ' + (p ? p.getAttribute('data-path') : '?')
})`

// hasClass is an XPath predicate: the element has the class c.
func hasClass(c string) string {
	return `contains(concat(' ',normalize-space(@class),' '),' ` + c + ` ')`
}

// chromiumPath is the browser to run. It skips the test when there is
// none, except in CI, where a missing browser is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("MAGPIE_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Chromium at %s (CI is set, so this is a failure; set MAGPIE_CHROMIUM or install Debian's chromium): %v", path, err)
		}
		t.Skipf("no Chromium at %s; install Debian's chromium or set MAGPIE_CHROMIUM: %v", path, err)
	}
	return path
}

// document is what the test needs from the served OpenAPI document.
type document struct {
	operations   []string // "METHOD /path/", sorted
	bearerScheme string   // name of the http bearer security scheme
}

func fetchDocument(t *testing.T, e *env) document {
	t.Helper()
	res := e.anon().get("/api/schema/?format=json").wantStatus(http.StatusOK)
	var raw struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string }
		}
	}
	if err := json.Unmarshal(res.body, &raw); err != nil {
		t.Fatalf("GET /api/schema/?format=json: not JSON: %v", err)
	}
	var doc document
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	for path, item := range raw.Paths {
		for key := range item {
			if slices.Contains(methods, key) {
				doc.operations = append(doc.operations, strings.ToUpper(key)+" "+path)
			}
		}
	}
	slices.Sort(doc.operations)
	if len(doc.operations) == 0 {
		t.Fatal("the OpenAPI document has no operations")
	}
	for name, s := range raw.Components.SecuritySchemes {
		if s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") {
			doc.bearerScheme = name
		}
	}
	if doc.bearerScheme == "" {
		t.Fatal("the OpenAPI document has no http bearer security scheme")
	}
	return doc
}

// browser is one headless Chromium with one tab, and what its page said
// on the console.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab

	mu      sync.Mutex
	console []string
}

// startBrowser starts Chromium with a fresh profile. The browser lives at
// most 90 seconds, and is closed when the test ends.
func startBrowser(t *testing.T, execPath string) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 2000),
	)
	t.Cleanup(cancelAlloc) // kills the browser and waits for it, before its profile is removed
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		closeCtx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
		defer cancel()
		// Closes the browser gracefully; cancelAlloc kills it otherwise.
		if err := chromedp.Cancel(closeCtx); err != nil {
			t.Logf("closing the browser: %v", err)
		}
		cancelTab()
	})
	b := &browser{t: t, ctx: tabCtx}
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	// The page's console and errors help explain a failure.
	go func() {
		for ev, err := range chromedp.Events(tabCtx, runtime.ConsoleAPICalled) {
			if err != nil {
				return
			}
			var args []string
			for _, a := range ev.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			b.note("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(tabCtx, runtime.ExceptionThrown) {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.note("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg)
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(tabCtx, log.EntryAdded) {
			if err != nil {
				return
			}
			if ev.Entry.Level == log.EntryLevelVerbose {
				continue
			}
			b.note("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
		}
	}()
	return b
}

func (b *browser) note(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, fmt.Sprintf(format, args...))
}

// run runs one action on the tab, for at most timeout.
func run[T any](b *browser, timeout time.Duration, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// do runs the steps of one part of the test, failing the test with the
// part's name when one does not finish within timeout.
func (b *browser) do(name string, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
}

// screenshot saves a full-page PNG in the test output directory.
func (b *browser) screenshot(name string) {
	t := b.t
	t.Helper()
	png, err := run(b, 20*time.Second, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("MAGPIE_TEST_OUTPUT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "out")
	}
	if dir, err = filepath.Abs(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// onFailure leaves what explains a failure: the page's console, the
// server's log and a screenshot of the page as it was.
func (b *browser) onFailure(e *env) {
	t := b.t
	if !t.Failed() {
		return
	}
	b.mu.Lock()
	t.Logf("browser console:\n%s", strings.Join(b.console, "\n"))
	b.mu.Unlock()
	t.Logf("server log:\n%s", e.logs.String())
	b.screenshot("swagger-ui-failure.png")
}
