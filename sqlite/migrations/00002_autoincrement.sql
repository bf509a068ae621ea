-- Ids are never given twice: without AUTOINCREMENT, SQLite gives a new row
-- the largest id plus one, so the id of the newest post, once deleted,
-- went to the next post, and an old link to it opened someone else's.
-- PostgreSQL never reuses ids, nor did the original service. The tables
-- with an id are rebuilt, as SQLite's ALTER TABLE cannot add it, keeping
-- every row and id; the follows table also names its CHECK constraint, so
-- that the store maps its violation by name, as on PostgreSQL. An id that
-- was the largest and deleted before this migration can still be given
-- once more: SQLite did not record it.
--
-- Foreign keys are switched off while the tables are swapped, as SQLite's
-- "making other kinds of table schema changes" procedure says (otherwise
-- dropping the old users would delete every post by cascade), and checked
-- before the transaction commits.

-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    is_superuser  INTEGER NOT NULL DEFAULT 0,
    date_joined   INTEGER NOT NULL
) STRICT;
INSERT INTO users_new (id, username, password_hash, is_superuser, date_joined)
    SELECT id, username, password_hash, is_superuser, date_joined FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE posts_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body       TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_hidden  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO posts_new (id, title, body, owner_id, is_hidden, created_at, updated_at)
    SELECT id, title, body, owner_id, is_hidden, created_at, updated_at FROM posts;
DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;
CREATE INDEX posts_owner ON posts (owner_id, created_at DESC, id DESC);
CREATE INDEX posts_public ON posts (created_at DESC, id DESC) WHERE is_hidden = 0;
CREATE INDEX posts_feed ON posts (owner_id, created_at DESC, id DESC) WHERE is_hidden = 0;

CREATE TABLE follows_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    follower_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    following_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    UNIQUE (follower_id, following_id),
    CONSTRAINT follows_not_self CHECK (follower_id <> following_id)
) STRICT;
INSERT INTO follows_new (id, follower_id, following_id, created_at)
    SELECT id, follower_id, following_id, created_at FROM follows;
DROP TABLE follows;
ALTER TABLE follows_new RENAME TO follows;
CREATE INDEX follows_follower ON follows (follower_id, created_at DESC, id DESC);
CREATE INDEX follows_following ON follows (following_id, created_at DESC, id DESC);

-- A row that refers to nothing stops the migration here.
CREATE TEMP TABLE fk_problems AS SELECT * FROM pragma_foreign_key_check;
CREATE TEMP TRIGGER fk_problems_stop BEFORE INSERT ON fk_problems BEGIN SELECT RAISE(ABORT, 'foreign key check failed'); END;
INSERT INTO fk_problems SELECT * FROM pragma_foreign_key_check;
DROP TABLE fk_problems;

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE users_old (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    is_superuser  INTEGER NOT NULL DEFAULT 0,
    date_joined   INTEGER NOT NULL
) STRICT;
INSERT INTO users_old SELECT id, username, password_hash, is_superuser, date_joined FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;

CREATE TABLE posts_old (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body       TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_hidden  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO posts_old SELECT id, title, body, owner_id, is_hidden, created_at, updated_at FROM posts;
DROP TABLE posts;
ALTER TABLE posts_old RENAME TO posts;
CREATE INDEX posts_owner ON posts (owner_id, created_at DESC, id DESC);
CREATE INDEX posts_public ON posts (created_at DESC, id DESC) WHERE is_hidden = 0;
CREATE INDEX posts_feed ON posts (owner_id, created_at DESC, id DESC) WHERE is_hidden = 0;

CREATE TABLE follows_old (
    id           INTEGER PRIMARY KEY,
    follower_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    following_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    UNIQUE (follower_id, following_id),
    CHECK (follower_id <> following_id)
) STRICT;
INSERT INTO follows_old SELECT id, follower_id, following_id, created_at FROM follows;
DROP TABLE follows;
ALTER TABLE follows_old RENAME TO follows;
CREATE INDEX follows_follower ON follows (follower_id, created_at DESC, id DESC);
CREATE INDEX follows_following ON follows (following_id, created_at DESC, id DESC);

COMMIT;
PRAGMA foreign_keys = ON;
