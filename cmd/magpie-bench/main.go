// Command magpie-bench is a load generator for Magpie's JSON API.
//
// It logs in many users up front (POST /auth/token/, a few at a time),
// then sends requests as random ones of them, with their bearer tokens, to
// the one server given by --url: it follows no redirect, reads no Link
// header and uses no proxy. By default it logs in user1…user200 with the
// password magpie-demo, the users `magpie seed --users 200` creates.
//
//	magpie-bench [--url http://127.0.0.1:8000] [--users 200] [--concurrency 32 | --rate 500]
//	             [--mix feed=70,… | --endpoint feed] [--duration 10s] [--requests N] [--warmup 2s]
//	             [--pid PID] [--json]
//	magpie-bench --serve-bare 127.0.0.1:8099 [--url …] [--user-format …] [--password …]
//
// # What it sends
//
// --endpoint sends one kind of request; --mix a weighted mix of kinds,
// by default feed=70,posts=10,create-post=10,follow=5,unfollow=5:
//
//	feed         GET /blog/post/following_post/ (the home feed)
//	posts        GET /blog/post/
//	my-posts     GET /blog/post/my_post/
//	users        GET /users/
//	create-post  POST /blog/post/ {"title", "body"}
//	follow       POST /follow/ {"username"}, of another random logged-in user
//	unfollow     DELETE /follow/unfollow/{username}/, of another random logged-in user
//
// Lists are read one page deep, the first. Since follow and unfollow pick
// their user at random, 409 "Already following" and 404 "not following"
// are expected answers to them: counted by status, but not as unexpected.
//
// # The ceiling
//
// --serve-bare sends no load. It logs in as the first user at --url,
// fetches the first page of that user's feed once, and then serves it on
// the address given, the same bytes and headers (gzip if the server
// sent gzip), to every GET, and a token to every login, till interrupted:
// a server that does no work. A run against it, beside a run against the
// real server, shows how much of the cost is HTTP alone on the machine.
//
// # Load models
//
// Closed loop (the default): --concurrency workers each send a request,
// wait for the answer and send the next; latency is timed from the send.
// It measures throughput at that concurrency. It hides latency: when the
// server stalls, the workers stop sending, so the requests that would
// have waited are never timed (coordinated omission).
//
// Open loop (--rate R): R requests a second on a fixed schedule, each sent
// when it is due however many are still unanswered, and timed from when it
// was due, so a stall is charged to every request it delayed. At most
// --max-in-flight are outstanding; a request due while that many are is
// not sent, and is counted as dropped.
//
// A run lasts --duration or until --requests requests have been sent (in
// the open loop: scheduled, dropped ones included), whichever comes first;
// the requests in flight then are waited for. --warmup first sends the
// same load for that long, not counted.
//
// # Report
//
// A text report by default; with --json one JSON object:
//
//	url, mode ("closed" or "open"), concurrency (closed loop), rate and
//	  max_in_flight (open loop), mix ("feed=70,…"), users (logged in),
//	  login_failures, warmup_seconds
//	duration_seconds     from the first send to the last answer
//	requests             answered and failed in transport, dropped ones not
//	requests_per_second  requests / duration_seconds
//	latency_ms           {p50, p90, p99, max} of the answered requests in
//	                     milliseconds, exact (nearest rank); transport errors
//	                     are not in it
//	statuses             {"200": count, …}, every answer by HTTP status
//	unexpected_responses answers whose status is not the success of their
//	                     operation (nor 409 to follow, 404 to unfollow)
//	transport_errors     requests without a complete answer: refused,
//	                     reset, timed out (--timeout) …
//	transport_error_kinds {"timeout": count, …}
//	dropped              open loop: requests due but not sent
//	operations           {"feed": {requests, latency_ms, statuses,
//	                     unexpected_responses, transport_errors}, …}
//	server               with --pid: {pid, vm_hwm_kib, vm_rss_kib,
//	                     vm_hwm_kib_before, vm_rss_kib_before, cpu_seconds,
//	                     cpu_us_per_request}, from /proc/PID/status after
//	                     the run, and before it (after the logins, before
//	                     the warm-up). VmHWM is the peak resident memory
//	                     since the process started, not since the run did.
//	                     The CPU time, user and system, is that of the run
//	                     (not the warm-up), from /proc/PID/stat; per request
//	                     in microseconds.
//	database             with --db-pid: {pid, cpu_seconds,
//	                     cpu_us_per_request}, the CPU time of that process
//	                     and of its children during the run: of PostgreSQL's
//	                     postmaster, its backends. A backend that exits
//	                     during the run takes its time with it.
//
// Progress and login failures go to standard error. It exits 2 on a bad
// command line; 1 if no user could log in, if --pid cannot be read, or
// when interrupted (after printing the report of what was answered).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "magpie-bench: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	url           string
	users         int
	userFormat    string
	password      string
	loginParallel int
	mix           mix
	schedule      schedule
	duration      time.Duration
	requests      int64
	warmup        time.Duration
	timeout       time.Duration
	pid           int
	dbPID         int
	json          bool
	serveBare     string
}

// run is the whole program; the OS comes in as its parameters so that
// tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	conns := max(cfg.schedule.concurrency, cfg.schedule.maxInFlight, cfg.loginParallel)
	c, err := newClient(cfg.url, conns, cfg.timeout)
	if err != nil {
		return err
	}
	if cfg.serveBare != "" {
		b, err := fetchBare(ctx, c, fmt.Sprintf(cfg.userFormat, 1), cfg.password)
		if err != nil {
			return err
		}
		return serveBare(ctx, cfg.serveBare, b, stderr)
	}
	if cfg.pid != 0 {
		// Fail now rather than after the run.
		if _, err := readProcMemory(cfg.pid); err != nil {
			return err
		}
	}
	if cfg.dbPID != 0 {
		if _, err := readProcCPU(cfg.dbPID, false); err != nil {
			return fmt.Errorf("--db-pid: %w", err)
		}
	}

	names := make([]string, cfg.users)
	for i := range names {
		names[i] = fmt.Sprintf(cfg.userFormat, i+1)
	}
	fmt.Fprintf(stderr, "logging in %d users (%s) at %s\n", len(names), clip(cfg.userFormat, 40), c.base)
	began := time.Now()
	users, failures := c.logIn(ctx, names, cfg.password, cfg.loginParallel)
	if len(failures) > 0 {
		const shown = 5
		fmt.Fprintf(stderr, "%d of %d users could not log in:\n", len(failures), len(names))
		for _, err := range failures[:min(shown, len(failures))] {
			fmt.Fprintf(stderr, "  %v\n", err)
		}
		if len(failures) > shown {
			fmt.Fprintf(stderr, "  and %d more\n", len(failures)-shown)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(users) == 0 {
		return fmt.Errorf("no user could log in; are they there? (magpie seed --users %d creates user1…user%d with the password magpie-demo)", cfg.users, cfg.users)
	}
	if cfg.mix.needsOther() && len(users) < 2 {
		return errors.New("follow and unfollow need at least 2 logged-in users")
	}
	fmt.Fprintf(stderr, "logged in %d users in %.1fs\n", len(users), time.Since(began).Seconds())

	// The logins' argon2id hashes raise the server's peak memory: take
	// the "before" figures after them, so that the report shows whether
	// the load raised it further.
	var before procMemory
	if cfg.pid != 0 {
		if before, err = readProcMemory(cfg.pid); err != nil {
			return err
		}
	}

	l := &load{client: c, users: users, mix: cfg.mix}
	if cfg.warmup > 0 {
		fmt.Fprintf(stderr, "warming up for %s\n", cfg.warmup)
		l.run(ctx, cfg.schedule, cfg.warmup, 0, &recorder{})
	}
	fmt.Fprintln(stderr, "running")
	cpu := cpuMeter{server: cfg.pid, database: cfg.dbPID}
	if err := cpu.start(); err != nil {
		return err
	}
	rec := &recorder{}
	elapsed := l.run(ctx, cfg.schedule, cfg.duration, cfg.requests, rec)
	serverCPU, databaseCPU, err := cpu.stop()
	if err != nil {
		return err
	}

	r := &report{
		URL:           c.base,
		Mix:           cfg.mix.String(),
		Users:         len(users),
		LoginFailures: len(failures),
		WarmupSeconds: cfg.warmup.Seconds(),
	}
	if cfg.schedule.rate > 0 {
		r.Mode, r.Rate, r.MaxInFlight = "open", cfg.schedule.rate, cfg.schedule.maxInFlight
	} else {
		r.Mode, r.Concurrency = "closed", cfg.schedule.concurrency
	}
	r.summarize(rec, elapsed)
	if cfg.pid != 0 {
		after, err := readProcMemory(cfg.pid)
		if err != nil {
			return err
		}
		r.Server = &serverReport{PID: cfg.pid, PeakKiB: after.peakKiB, RSSKiB: after.nowKiB,
			PeakBeforeKiB: before.peakKiB, RSSBeforeKiB: before.nowKiB, cpuReport: newCPUReport(serverCPU, r.Requests)}
	}
	if cfg.dbPID != 0 {
		r.Database = &databaseReport{PID: cfg.dbPID, cpuReport: newCPUReport(databaseCPU, r.Requests)}
	}
	if cfg.json {
		err = r.writeJSON(stdout)
	} else {
		err = r.writeText(stdout)
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: the report counts only the requests answered before")
	}
	return nil
}

// parseArgs reads the command line. On -h it prints the flags and returns
// flag.ErrHelp; a mistake is a usageError.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("magpie-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: magpie-bench [flags]\n\nA load generator for Magpie's API; see the package documentation.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:8000", "base `URL` of the server; requests go there only")
	fs.IntVar(&cfg.users, "users", 200, "how many users to log in, numbered 1…N in --user-format")
	fs.StringVar(&cfg.userFormat, "user-format", "user%d", "the users' names, a `format` of their number")
	fs.StringVar(&cfg.password, "password", "magpie-demo", "the password of every user")
	fs.IntVar(&cfg.loginParallel, "login-concurrency", 8, "logins at once (each costs the server an argon2id hash)")
	endpoint := fs.String("endpoint", "", "send only this: feed, posts, my-posts, users, create-post, follow or unfollow")
	mixText := fs.String("mix", defaultMix, "weighted mix of endpoints to send")
	fs.IntVar(&cfg.schedule.concurrency, "concurrency", 32, "closed loop: requests outstanding at once")
	fs.Float64Var(&cfg.schedule.rate, "rate", 0, "open loop: requests a second, sent on schedule (0: closed loop)")
	fs.IntVar(&cfg.schedule.maxInFlight, "max-in-flight", 1000, "open loop: requests outstanding at most; one due beyond that is dropped")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to send (0: no limit, with --requests)")
	fs.Int64Var(&cfg.requests, "requests", 0, "stop after this many requests (0: no limit)")
	fs.DurationVar(&cfg.warmup, "warmup", 0, "send the same load for this long first, not counted")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "give up on a request after this long (a transport error)")
	fs.IntVar(&cfg.pid, "pid", 0, "report the peak and current resident memory of this server `process`, and the CPU time it used during the run (Linux)")
	fs.IntVar(&cfg.dbPID, "db-pid", 0, "report the CPU time this database `process` and its children used during the run: PostgreSQL's postmaster, whose children are its backends (Linux)")
	fs.BoolVar(&cfg.json, "json", false, "print the report as one JSON object")
	fs.StringVar(&cfg.serveBare, "serve-bare", "", "send no load: fetch the first user's feed page from --url once and serve it on this `address` to every GET, and a token to every login, till interrupted: a server doing no work, the ceiling to compare a run with")

	out := fs.Output()
	fs.SetOutput(io.Discard) // a mistake is printed once, by main
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return cfg, err
	case err != nil:
		return cfg, usageErrorf("%v (run \"magpie-bench -h\" for help)", err)
	case fs.NArg() > 0:
		return cfg, usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	switch {
	case *endpoint != "" && set["mix"]:
		return cfg, usageErrorf("give --endpoint or --mix, not both")
	case *endpoint != "":
		*mixText = *endpoint + "=1"
	}
	if cfg.mix, err = parseMix(*mixText); err != nil {
		return cfg, usageErrorf("%v", err)
	}
	switch {
	case cfg.users < 1:
		return cfg, usageErrorf("--users must be at least 1")
	case fmt.Sprintf(cfg.userFormat, 1) == fmt.Sprintf(cfg.userFormat, 2), strings.Contains(fmt.Sprintf(cfg.userFormat, 1), "%!"):
		return cfg, usageErrorf("--user-format %q must contain %%d, the user's number", cfg.userFormat)
	case cfg.loginParallel < 1:
		return cfg, usageErrorf("--login-concurrency must be at least 1")
	case cfg.schedule.rate < 0:
		return cfg, usageErrorf("--rate must not be negative")
	case cfg.schedule.rate > 0 && set["concurrency"]:
		return cfg, usageErrorf("--concurrency is for the closed loop; the open loop (--rate) has --max-in-flight")
	case cfg.schedule.rate == 0 && set["max-in-flight"]:
		return cfg, usageErrorf("--max-in-flight is for the open loop (--rate)")
	case cfg.schedule.concurrency < 1:
		return cfg, usageErrorf("--concurrency must be at least 1")
	case cfg.schedule.maxInFlight < 1:
		return cfg, usageErrorf("--max-in-flight must be at least 1")
	case cfg.duration < 0 || cfg.requests < 0 || cfg.warmup < 0:
		return cfg, usageErrorf("--duration, --requests and --warmup must not be negative")
	case cfg.duration == 0 && cfg.requests == 0:
		return cfg, usageErrorf("give --duration or --requests: a run must end")
	case cfg.timeout <= 0:
		return cfg, usageErrorf("--timeout must be positive")
	case cfg.pid < 0 || cfg.dbPID < 0:
		return cfg, usageErrorf("--pid and --db-pid must be process ids")
	}
	// The closed loop's workers or the open loop's cap, not both, decide
	// how many connections are kept.
	if cfg.schedule.rate > 0 {
		cfg.schedule.concurrency = 0
	} else {
		cfg.schedule.maxInFlight = 0
	}
	return cfg, nil
}

// usageError is a mistake in the command line. main exits 2 on it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// cpuMeter measures the CPU time the server and the database use between
// start and stop; a pid of 0 is not measured.
type cpuMeter struct {
	server, database int
	serverAt, dbAt   time.Duration
}

func (m *cpuMeter) start() (err error) {
	m.serverAt, m.dbAt, err = m.read()
	return err
}

func (m *cpuMeter) stop() (server, database time.Duration, err error) {
	s, d, err := m.read()
	return s - m.serverAt, d - m.dbAt, err
}

func (m *cpuMeter) read() (server, database time.Duration, err error) {
	if m.server != 0 {
		if server, err = readProcCPU(m.server, false); err != nil {
			return 0, 0, fmt.Errorf("--pid: %w", err)
		}
	}
	if m.database != 0 {
		if database, err = readProcCPU(m.database, true); err != nil {
			return 0, 0, fmt.Errorf("--db-pid: %w", err)
		}
	}
	return server, database, nil
}
