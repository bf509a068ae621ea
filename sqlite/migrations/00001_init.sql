-- Times are microseconds since the Unix epoch, UTC. Tables are STRICT so
-- that SQLite checks column types the way PostgreSQL does.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    is_superuser  INTEGER NOT NULL DEFAULT 0,
    date_joined   INTEGER NOT NULL
) STRICT;

-- hash is NOT NULL explicitly: unlike PostgreSQL, SQLite lets a PRIMARY KEY
-- that is not an INTEGER PRIMARY KEY hold NULL.
CREATE TABLE tokens (
    hash       BLOB    NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX tokens_user_id ON tokens (user_id);
CREATE INDEX tokens_expires_at ON tokens (expires_at);

CREATE TABLE posts (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body       TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_hidden  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- One user's posts, hidden ones too (ListPostsByOwner).
CREATE INDEX posts_owner ON posts (owner_id, created_at DESC, id DESC);
-- The public list (ListPosts).
CREATE INDEX posts_public ON posts (created_at DESC, id DESC) WHERE is_hidden = 0;
-- The feed: visible posts of each followed user (ListFeed).
CREATE INDEX posts_feed ON posts (owner_id, created_at DESC, id DESC) WHERE is_hidden = 0;

CREATE TABLE follows (
    id           INTEGER PRIMARY KEY,
    follower_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    following_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    UNIQUE (follower_id, following_id),
    CHECK (follower_id <> following_id)
) STRICT;

-- ListFollowing. (The feed finds followed users through the UNIQUE index.)
CREATE INDEX follows_follower ON follows (follower_id, created_at DESC, id DESC);
-- ListFollowers.
CREATE INDEX follows_following ON follows (following_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE follows;
DROP TABLE posts;
DROP TABLE tokens;
DROP TABLE users;
