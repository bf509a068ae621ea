-- +goose Up
-- Home timelines: each user's feed, written when a post is (fan-out on
-- write), so that reading a page of it is one index range whoever the user
-- follows. The store keeps, for each user, every visible post of the
-- people they follow whose (created_at, id) is at or above the user's floor
-- (timeline_floors; none: from the beginning), except the posts of heavy
-- authors (users.fanout 0), which are merged in when the feed is read.
-- Below the floor the feed is read from posts directly. Trimming a
-- timeline raises its floor. Without rowid: the table is its index.
CREATE TABLE timelines (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL,
    PRIMARY KEY (user_id, created_at, post_id)
) WITHOUT ROWID;
-- A post's entries, for hiding and deleting it.
CREATE INDEX timelines_post ON timelines (post_id);

CREATE TABLE timeline_floors (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    post_id    INTEGER NOT NULL
);

-- An author with many followers is not fanned out: a post would cost a
-- row per follower. Once heavy, always heavy (the posts written while
-- heavy are in no timeline).
ALTER TABLE users ADD COLUMN fanout INTEGER NOT NULL DEFAULT 1;
CREATE INDEX users_heavy ON users (id) WHERE fanout = 0;

-- Existing feeds are read from posts until new posts fill the timelines:
-- every user's floor is now (in microseconds). Migration 5's threshold of
-- heavy authors is magpie.FanOutLimit's at the time.
INSERT INTO timeline_floors (user_id, created_at, post_id)
    SELECT id, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), 0 FROM users;
UPDATE users SET fanout = 0 WHERE followers_count > 1000;

-- +goose Down
DROP INDEX users_heavy;
ALTER TABLE users DROP COLUMN fanout;
DROP TABLE timeline_floors;
DROP TABLE timelines;
