package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool returns the pool of db, for TestQueryPlans to fill the database and
// trace the queries a store sends.
func Pool(db *DB) *pgxpool.Pool { return db.pool }

// WithPool returns a store on pool.
func WithPool(pool *pgxpool.Pool) *DB { return &DB{pool: pool} }

// InTx runs fn in a transaction as the store's writes run theirs; exec
// runs a statement in it.
func InTx(ctx context.Context, db *DB, fn func(exec func(sql string, args ...any) error) error) error {
	return db.inTx(ctx, "test", func(tx querier) error {
		return fn(func(sql string, args ...any) error {
			_, err := tx.Exec(ctx, sql, args...)
			return err
		})
	})
}

// StoreError is storeError, for the table of what each driver error means.
var StoreError = storeError
