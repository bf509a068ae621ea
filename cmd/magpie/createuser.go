package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/service"
)

func createUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	env := &envFlags{getenv: getenv}
	fs := newFlagSet("createuser", "createuser NAME [--superuser] [--password-stdin] [--database URL]", stderr)
	superuser := fs.Bool("superuser", false, "make the user a superuser, who may edit and delete any post")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	dbURL := databaseFlag(fs, env)
	// The flag package stops at the first argument that is not a flag, so
	// parse the flags before NAME, take NAME, then parse those after it.
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() == 0 {
		return usageErrorf("createuser: missing NAME (run \"magpie createuser -h\" for help)")
	}
	name := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("createuser: unexpected argument %q after NAME %q", fs.Arg(0), name)
	}

	// The name is checked before the password is asked for.
	if msgs := (service.NewUser{Username: name}).Validate()["username"]; len(msgs) > 0 {
		return invalidInput("createuser", magpie.FieldErrors{"username": msgs})
	}
	var password string
	if *passwordStdin {
		password, err = readPasswordLine(stdin)
	} else {
		password, err = promptPassword(stdin, stderr)
	}
	if err != nil {
		return err
	}
	in := service.NewUser{Username: name, Password: password, Superuser: *superuser}
	if fe := in.Validate(); len(fe) > 0 {
		return invalidInput("createuser", fe)
	}

	db, err := openMigrated(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	svc := service.New(service.Config{Store: db, Passwords: auth.NewPasswords(auth.DefaultParams)})
	u, err := svc.CreateUser(ctx, in)
	if errors.Is(err, magpie.ErrUsernameTaken) {
		return fmt.Errorf("createuser: username %q is already taken", name)
	}
	if err != nil {
		return fmt.Errorf("createuser: %w", err)
	}
	kind := "user"
	if u.IsSuperuser {
		kind = "superuser"
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", kind, u.Username, u.ID)
	return nil
}

// readPasswordLine returns the first line of r without its line ending.
func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return line, nil
}

// promptPassword asks twice for a password on the terminal, without echo.
func promptPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageErrorf("createuser: standard input is not a terminal; pass the password on stdin with --password-stdin")
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	password, err := read("Password: ")
	if err != nil {
		return "", err
	}
	again, err := read("Password (again): ")
	if err != nil {
		return "", err
	}
	if password != again {
		return "", errors.New("createuser: the passwords do not match")
	}
	return password, nil
}

// invalidInput turns field errors into a usage error listing every message.
func invalidInput(cmd string, fe magpie.FieldErrors) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: invalid input:", cmd)
	for _, field := range slices.Sorted(maps.Keys(fe)) {
		for _, msg := range fe[field] {
			fmt.Fprintf(&b, "\n  %s: %s", field, msg)
		}
	}
	return &usageError{msg: b.String()}
}
