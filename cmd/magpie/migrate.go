package main

import (
	"context"
	"fmt"
	"io"
)

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	env := &envFlags{getenv: getenv}
	fs := newFlagSet("migrate", "migrate [--database URL]", stderr)
	dbURL := databaseFlag(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("migrate: unexpected argument %q", fs.Arg(0))
	}
	db, engine, err := openDatabase(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	pending, err := db.Pending(ctx)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if !pending {
		fmt.Fprintf(stdout, "%s schema already up to date; nothing to do\n", engine)
		return nil
	}
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Fprintf(stdout, "migrations applied; %s schema up to date\n", engine)
	return nil
}
