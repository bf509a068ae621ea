-- +goose Up
-- Constraints are named because the Go code maps violations to client
-- messages by constraint name (see formatError in postgres.go).

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL CONSTRAINT users_username_key UNIQUE, -- case-sensitive, as in the original service
    password_hash TEXT NOT NULL,
    is_superuser  BOOLEAN NOT NULL DEFAULT false,
    date_joined   TIMESTAMPTZ NOT NULL
);

CREATE TABLE tokens (
    hash       BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tokens_user_id_idx ON tokens (user_id);
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);

CREATE TABLE posts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      VARCHAR(100) NOT NULL CONSTRAINT posts_title_not_empty CHECK (char_length(title) >= 1),
    body       TEXT NOT NULL,
    owner_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_hidden  BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- One user's posts, hidden ones too (ListPostsByOwner).
CREATE INDEX posts_owner_created_idx ON posts (owner_id, created_at DESC, id DESC);
-- The public list (ListPosts).
CREATE INDEX posts_visible_created_idx ON posts (created_at DESC, id DESC) WHERE NOT is_hidden;
-- The newest visible posts of each followed user (ListFeed).
CREATE INDEX posts_feed_idx ON posts (owner_id, created_at DESC, id DESC) WHERE NOT is_hidden;

CREATE TABLE follows (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    follower_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    following_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT follows_follower_following_key UNIQUE (follower_id, following_id),
    CONSTRAINT follows_not_self CHECK (follower_id <> following_id)
);
-- Whom a user follows (ListFollowing, and the outer side of ListFeed).
CREATE INDEX follows_follower_created_idx ON follows (follower_id, created_at DESC, id DESC);
-- Who follows a user (ListFollowers).
CREATE INDEX follows_following_created_idx ON follows (following_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE follows;
DROP TABLE posts;
DROP TABLE tokens;
DROP TABLE users;
