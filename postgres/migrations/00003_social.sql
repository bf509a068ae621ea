-- +goose Up
-- Profiles, likes, comments, search and account control.

-- Profiles; counts kept by the triggers below, so that a profile reads
-- one row; is_active is false for an account a superuser deactivated;
-- name_key is the PRECIS comparison key of the username (see
-- magpie.UsernameKey), unique so that case and width variants are one name.
-- Migration 4 fills it for the accounts made before.
ALTER TABLE users
    ADD COLUMN display_name    TEXT    NOT NULL DEFAULT '',
    ADD COLUMN bio             TEXT    NOT NULL DEFAULT '',
    ADD COLUMN is_active       BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN posts_count     INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN followers_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN following_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN name_key        TEXT;
CREATE UNIQUE INDEX users_name_key ON users (name_key);
-- User search: the words of the username and display name ('simple': no
-- stemming, any language), matched by prefix. The punctuation that joins
-- words into one token for the parser (alice.smith, a@b.c, 3.14, URLs) is
-- read as a space, as SQLite's tokenizer and the service's search words
-- read it.
ALTER TABLE users
    ADD COLUMN search tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', translate(username || ' ' || display_name, '@./+_-:', '       '))) STORED;
CREATE INDEX users_search_idx ON users USING gin (search);

-- Counts on posts, kept by the triggers below; the words of title and body
-- for full-text search ('simple': no stemming, any language; punctuation
-- read as for users).
ALTER TABLE posts
    ADD COLUMN like_count    INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN search        tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', translate(title || ' ' || body, '@./+_-:', '       '))) STORED;
CREATE INDEX posts_search_idx ON posts USING gin (search) WHERE NOT is_hidden;

CREATE TABLE likes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT likes_post_user_key UNIQUE (post_id, user_id)
);
-- Who liked a post, most recent first (ListLikes).
CREATE INDEX likes_post_created_idx ON likes (post_id, created_at DESC, id DESC);
-- A user's likes, for deleting an account.
CREATE INDEX likes_user_idx ON likes (user_id);

CREATE TABLE comments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- A post's comments, oldest first (ListComments).
CREATE INDEX comments_post_created_idx ON comments (post_id, created_at, id);
CREATE INDEX comments_author_idx ON comments (author_id);

-- The counts, kept in the transaction of each write, so that they are
-- right under concurrency and whatever deletes the rows (a cascade from a
-- deleted post or account included). posts_count counts the posts others
-- may see: not hidden.
-- +goose StatementBegin
CREATE FUNCTION count_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.is_hidden THEN
        UPDATE users SET posts_count = posts_count + 1 WHERE id = NEW.owner_id;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') AND NOT OLD.is_hidden THEN
        UPDATE users SET posts_count = posts_count - 1 WHERE id = OLD.owner_id;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_follows() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION count_likes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE posts SET like_count = like_count + 1 WHERE id = NEW.post_id;
    ELSE
        UPDATE posts SET like_count = like_count - 1 WHERE id = OLD.post_id;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE posts SET comment_count = comment_count + 1 WHERE id = NEW.post_id;
    ELSE
        UPDATE posts SET comment_count = comment_count - 1 WHERE id = OLD.post_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER posts_count AFTER INSERT OR DELETE OR UPDATE OF is_hidden ON posts
    FOR EACH ROW EXECUTE FUNCTION count_posts();
CREATE TRIGGER follows_count AFTER INSERT OR DELETE ON follows
    FOR EACH ROW EXECUTE FUNCTION count_follows();
CREATE TRIGGER likes_count AFTER INSERT OR DELETE ON likes
    FOR EACH ROW EXECUTE FUNCTION count_likes();
CREATE TRIGGER comments_count AFTER INSERT OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION count_comments();

-- The counts of what is there already.
UPDATE users u SET
    posts_count = (SELECT count(*) FROM posts p WHERE p.owner_id = u.id AND NOT p.is_hidden),
    followers_count = (SELECT count(*) FROM follows f WHERE f.following_id = u.id),
    following_count = (SELECT count(*) FROM follows f WHERE f.follower_id = u.id);

-- +goose Down
DROP TRIGGER comments_count ON comments;
DROP TRIGGER likes_count ON likes;
DROP TRIGGER follows_count ON follows;
DROP TRIGGER posts_count ON posts;
DROP FUNCTION count_comments();
DROP FUNCTION count_likes();
DROP FUNCTION count_follows();
DROP FUNCTION count_posts();
DROP TABLE comments;
DROP TABLE likes;
DROP INDEX posts_search_idx;
ALTER TABLE posts DROP COLUMN search, DROP COLUMN comment_count, DROP COLUMN like_count;
DROP INDEX users_search_idx;
DROP INDEX users_name_key;
ALTER TABLE users DROP COLUMN search, DROP COLUMN name_key, DROP COLUMN following_count, DROP COLUMN followers_count,
    DROP COLUMN posts_count, DROP COLUMN is_active, DROP COLUMN bio, DROP COLUMN display_name;
