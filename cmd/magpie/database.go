package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/postgres"
	"github.com/magpie-sns/magpie/sqlite"
)

const (
	defaultDatabaseURL = "sqlite://magpie.db"
	databaseForms      = "sqlite://PATH (e.g. sqlite://magpie.db, sqlite:///var/lib/magpie/magpie.db, sqlite://:memory:) or postgres://USER:PASSWORD@HOST:PORT/DBNAME (postgresql:// also works)"
)

// database is a store that can migrate its own schema: *sqlite.DB and
// *postgres.DB.
type database interface {
	magpie.Store
	Migrate(ctx context.Context) error
	Pending(ctx context.Context) (bool, error)
}

// databaseTarget is a parsed database URL.
type databaseTarget struct {
	Engine string // "sqlite" or "postgres": safe to log
	DSN    string // what the engine's Open takes: a path or the full URL
}

// parseDatabaseURL reads a --database value. Its errors never hold the
// URL's password.
func parseDatabaseURL(raw string) (databaseTarget, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return databaseTarget{}, fmt.Errorf("unrecognized database URL; use %s", databaseForms)
	}
	switch scheme {
	case "sqlite":
		if rest == "" {
			return databaseTarget{}, fmt.Errorf("database URL %q has no path; use %s", raw, databaseForms)
		}
		return databaseTarget{Engine: "sqlite", DSN: rest}, nil
	case "postgres", "postgresql":
		// url.Parse's errors quote the whole URL, password and all, so
		// they are not passed on.
		if _, err := url.Parse(raw); err != nil {
			return databaseTarget{}, fmt.Errorf("database URL is not a valid %s:// URL; use %s", scheme, databaseForms)
		}
		return databaseTarget{Engine: "postgres", DSN: raw}, nil
	default:
		return databaseTarget{}, fmt.Errorf("unsupported database URL scheme %q; use %s", scheme, databaseForms)
	}
}

// openDatabase opens the database at raw without migrating it and returns
// it with the engine's name.
func openDatabase(ctx context.Context, raw string) (database, string, error) {
	t, err := parseDatabaseURL(raw)
	if err != nil {
		return nil, "", err
	}
	switch t.Engine {
	case "sqlite":
		db, err := sqlite.Open(ctx, t.DSN)
		if err != nil {
			return nil, "", fmt.Errorf("open sqlite database %s: %w", t.DSN, err)
		}
		return db, t.Engine, nil
	default:
		db, err := postgres.Open(ctx, t.DSN)
		if err != nil {
			// As it is, not with the URL, which may hold a password:
			// postgres.Open's errors are free of it and name the user,
			// host and database.
			return nil, "", err
		}
		return db, t.Engine, nil
	}
}

// openMigrated opens the database and applies pending migrations, for the
// commands that write to it.
func openMigrated(ctx context.Context, raw string) (database, error) {
	db, _, err := openDatabase(ctx, raw)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// databaseFlag adds --database to fs.
func databaseFlag(fs *flag.FlagSet, env *envFlags) *string {
	p := fs.String("database", env.string("MAGPIE_DATABASE_URL", defaultDatabaseURL),
		"database `URL`: sqlite://PATH or postgres://… (env MAGPIE_DATABASE_URL)")
	// The default, printed by -h, may come from the environment with a
	// password in it.
	f := fs.Lookup("database")
	f.DefValue = redactURL(f.DefValue)
	return p
}

// redactURL masks the password of a URL, in its user information or in a
// password query parameter.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") || strings.Contains(raw, "password") {
			return "(invalid URL)"
		}
		return raw
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// closeDB closes db and adds its error to *err, for a deferred call in
// a function with a named error result.
func closeDB(db database, err *error) {
	if cerr := db.Close(); cerr != nil {
		*err = errors.Join(*err, fmt.Errorf("close database: %w", cerr))
	}
}
