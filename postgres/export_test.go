package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Pool returns the pool of db, for TestQueryPlans to fill the database and
// trace the queries a store sends.
func Pool(db *DB) *pgxpool.Pool { return db.pool }

// WithPool returns a store on pool.
func WithPool(pool *pgxpool.Pool) *DB { return &DB{pool: pool} }
