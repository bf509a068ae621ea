-- +goose Up
-- Home timelines: each user's feed, written when a post is (fan-out on
-- write), so that reading a page of it is one index range whoever the user
-- follows. The store keeps, for each user, every visible post of the
-- people they follow whose (created_at, id) is at or above the user's floor
-- (timeline_floors; none: from the beginning), except the posts of heavy
-- authors (users.fanout false), which are merged in when the feed is read.
-- Below the floor the feed is read from posts directly. Trimming a
-- timeline raises its floor.
CREATE TABLE timelines (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  BIGINT NOT NULL,
    PRIMARY KEY (user_id, created_at, post_id)
);
-- A post's entries, for hiding and deleting it.
CREATE INDEX timelines_post_idx ON timelines (post_id);

CREATE TABLE timeline_floors (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    post_id    BIGINT NOT NULL
);

-- An author with many followers is not fanned out: a post would cost a
-- row per follower. Once heavy, always heavy (the posts written while
-- heavy are in no timeline).
ALTER TABLE users ADD COLUMN fanout BOOLEAN NOT NULL DEFAULT true;
CREATE INDEX users_heavy_idx ON users (id) WHERE NOT fanout;

-- A user's likes by post: for deleting an account, as before, and an exact
-- probe when the planner reads whether the viewer likes a post by user.
DROP INDEX likes_user_idx;
CREATE INDEX likes_user_post_idx ON likes (user_id, post_id);

-- A follow counts itself on both users in one statement, which locks the
-- two rows in the order of their ids: two users following each other at
-- once no longer lock them in opposite orders, which deadlocked.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_follows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    f follows;
    d INTEGER;
BEGIN
    IF TG_OP = 'INSERT' THEN f := NEW; d := 1; ELSE f := OLD; d := -1; END IF;
    UPDATE users SET
        following_count = following_count + CASE WHEN id = f.follower_id THEN d ELSE 0 END,
        followers_count = followers_count + CASE WHEN id = f.following_id THEN d ELSE 0 END
    WHERE id IN (f.follower_id, f.following_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Existing feeds are read from posts until new posts fill the timelines:
-- every user's floor is now. Migration 5's threshold of heavy authors is
-- magpie.FanOutLimit's at the time.
INSERT INTO timeline_floors (user_id, created_at, post_id)
    SELECT id, now(), 0 FROM users;
UPDATE users SET fanout = false WHERE followers_count > 1000;

-- +goose Down
DROP INDEX likes_user_post_idx;
CREATE INDEX likes_user_idx ON likes (user_id);
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION count_follows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE users SET following_count = following_count + 1 WHERE id = NEW.follower_id;
        UPDATE users SET followers_count = followers_count + 1 WHERE id = NEW.following_id;
    ELSE
        UPDATE users SET following_count = following_count - 1 WHERE id = OLD.follower_id;
        UPDATE users SET followers_count = followers_count - 1 WHERE id = OLD.following_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP INDEX users_heavy_idx;
ALTER TABLE users DROP COLUMN fanout;
DROP TABLE timeline_floors;
DROP TABLE timelines;
