package sqlite

import "context"

// MigrateTo applies the migrations up to version, for tests of a
// migration on the data of the versions before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// Exec runs a statement on the writer, for tests that need to write what
// the store does not.
func (db *DB) Exec(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// Pragma reads a setting on a reader's connection and on the writer's.
func (db *DB) Pragma(ctx context.Context, name string) (reader, writer string, err error) {
	if err := db.read.QueryRowContext(ctx, "PRAGMA "+name).Scan(&reader); err != nil {
		return "", "", err
	}
	err = db.write.QueryRowContext(ctx, "PRAGMA "+name).Scan(&writer)
	return reader, writer, err
}
