// Command magpie runs the Magpie API server and its maintenance tasks:
// migrating the database, creating users and seeding demo data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `Magpie is a small social network API server.

Usage:
  magpie <command> [flags]

Commands:
  serve        run the HTTP API server
  migrate      apply pending database migrations
  createuser   create a user: magpie createuser NAME [--superuser] [--password-stdin]
  seed         fill the database with demo users, posts, likes, comments and follows
  healthcheck  exit 0 if a running server is ready (for container health checks)
  version      print the version
  help         print this help, or a command's flags: magpie help <command>

serve, migrate, createuser and seed take --database (env MAGPIE_DATABASE_URL), one of:
  sqlite://PATH                  e.g. sqlite://magpie.db, sqlite:///var/lib/magpie/magpie.db, sqlite://:memory:
  postgres://USER:PASS@HOST/DB   or postgresql://…

Run "magpie <command> -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills the process at once
	// instead of waiting for the graceful shutdown.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "magpie: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run is the whole program; the OS comes in as its parameters so that tests
// can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageErrorf("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "createuser":
		return createUser(ctx, args, getenv, stdin, stdout, stderr)
	case "seed":
		return seed(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout, stderr)
	case "version":
		return printVersion(args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 0 && args[0] != "help" && args[0][0] != '-' {
			// "magpie help serve" prints serve's flags, to stdout.
			return run(ctx, []string{args[0], "-h"}, getenv, stdin, stdout, stdout)
		}
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageErrorf("unknown command %q; run \"magpie help\" for the list", cmd)
	}
}

// usageError is a mistake in the command line. main exits 2 on it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp reports that -h was given and help was printed: run returns nil.
var errHelp = errors.New("help requested")

// newFlagSet returns the flag set of a command, printing its help to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: magpie %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args. On -h it prints the help and returns errHelp; on
// a bad flag it returns a usageError, printed once by main rather than
// also by the flag package.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return errHelp
	case err != nil:
		return usageErrorf("%s: %v (run \"magpie %s -h\" for help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// envFlags gives flags their defaults from the environment. It collects
// malformed values so that the command reports them as usage errors.
type envFlags struct {
	getenv func(string) string
	errs   []error
}

func (e *envFlags) string(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

func (e *envFlags) bool(key string, def bool) bool {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: want true or false", key, v))
		return def
	}
	return b
}

func (e *envFlags) duration(key string, def time.Duration) time.Duration {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: want a duration such as 720h", key, v))
		return def
	}
	return d
}

// err returns the malformed environment variables as a usage error.
func (e *envFlags) err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return &usageError{msg: errors.Join(e.errs...).Error()}
}

func printVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "version", stderr)
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("version: unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintln(stdout, buildVersion())
	return nil
}

// buildVersion is version, or when that is "dev" the VCS revision the
// binary was built from, if the Go toolchain recorded one.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	var rev string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	return rev
}

// helpOK turns errHelp into nil: asking for help is not a failure.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
