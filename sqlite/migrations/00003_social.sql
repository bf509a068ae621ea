-- +goose Up
-- Profiles, likes, comments, search and account control.

-- Profiles; counts kept by the triggers below, so that a profile reads
-- one row; is_active is 0 for an account a superuser deactivated;
-- name_key is the PRECIS comparison key of the username (see
-- magpie.UsernameKey), unique so that case and width variants are one name.
-- Migration 4 fills it for the accounts made before.
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN is_active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN posts_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN followers_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN following_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN name_key TEXT;
CREATE UNIQUE INDEX users_name_key ON users (name_key);
-- User search: the words of the username and display name, without case,
-- matched by prefix. Diacritics and other combining marks are part of
-- words, as PostgreSQL's 'simple' configuration keeps them, so that both
-- engines find the same.
CREATE VIRTUAL TABLE users_fts USING fts5(username, display_name, content='users', content_rowid='id',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");

ALTER TABLE posts ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;
-- Post search: the words of title and body, without case.
CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");

CREATE TABLE likes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (post_id, user_id)
) STRICT;
-- Who liked a post, most recent first (ListLikes).
CREATE INDEX likes_post_created ON likes (post_id, created_at DESC, id DESC);
-- A user's likes, for deleting an account.
CREATE INDEX likes_user ON likes (user_id);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
-- A post's comments, oldest first (ListComments).
CREATE INDEX comments_post_created ON comments (post_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id);

-- The search tables follow their content tables.
-- +goose StatementBegin
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts (rowid, username, display_name) VALUES (new.id, new.username, new.display_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, username, display_name) VALUES ('delete', old.id, old.username, old.display_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_fts_update AFTER UPDATE OF username, display_name ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, username, display_name) VALUES ('delete', old.id, old.username, old.display_name);
    INSERT INTO users_fts (rowid, username, display_name) VALUES (new.id, new.username, new.display_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, body ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- +goose StatementEnd

-- The counts, kept in the transaction of each write, so that they are
-- right whatever deletes the rows (a cascade from a deleted post or
-- account included: SQLite runs triggers for those too). posts_count
-- counts the posts others may see: not hidden.
-- +goose StatementBegin
CREATE TRIGGER posts_count_insert AFTER INSERT ON posts WHEN new.is_hidden = 0 BEGIN
    UPDATE users SET posts_count = posts_count + 1 WHERE id = new.owner_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_count_delete AFTER DELETE ON posts WHEN old.is_hidden = 0 BEGIN
    UPDATE users SET posts_count = posts_count - 1 WHERE id = old.owner_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_count_update AFTER UPDATE OF is_hidden ON posts WHEN old.is_hidden <> new.is_hidden BEGIN
    UPDATE users SET posts_count = posts_count + (CASE WHEN new.is_hidden = 0 THEN 1 ELSE -1 END) WHERE id = new.owner_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER follows_count_insert AFTER INSERT ON follows BEGIN
    UPDATE users SET following_count = following_count + 1 WHERE id = new.follower_id;
    UPDATE users SET followers_count = followers_count + 1 WHERE id = new.following_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER follows_count_delete AFTER DELETE ON follows BEGIN
    UPDATE users SET following_count = following_count - 1 WHERE id = old.follower_id;
    UPDATE users SET followers_count = followers_count - 1 WHERE id = old.following_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER likes_count_insert AFTER INSERT ON likes BEGIN
    UPDATE posts SET like_count = like_count + 1 WHERE id = new.post_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER likes_count_delete AFTER DELETE ON likes BEGIN
    UPDATE posts SET like_count = like_count - 1 WHERE id = old.post_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comments_count_insert AFTER INSERT ON comments BEGIN
    UPDATE posts SET comment_count = comment_count + 1 WHERE id = new.post_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments BEGIN
    UPDATE posts SET comment_count = comment_count - 1 WHERE id = old.post_id;
END;
-- +goose StatementEnd

-- What is there already: the search tables and the counts.
INSERT INTO users_fts (users_fts) VALUES ('rebuild');
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
UPDATE users SET
    posts_count = (SELECT count(*) FROM posts p WHERE p.owner_id = users.id AND p.is_hidden = 0),
    followers_count = (SELECT count(*) FROM follows f WHERE f.following_id = users.id),
    following_count = (SELECT count(*) FROM follows f WHERE f.follower_id = users.id);

-- +goose Down
DROP TRIGGER comments_count_delete;
DROP TRIGGER comments_count_insert;
DROP TRIGGER likes_count_delete;
DROP TRIGGER likes_count_insert;
DROP TRIGGER follows_count_delete;
DROP TRIGGER follows_count_insert;
DROP TRIGGER posts_count_update;
DROP TRIGGER posts_count_delete;
DROP TRIGGER posts_count_insert;
DROP TRIGGER posts_fts_update;
DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_insert;
DROP TRIGGER users_fts_update;
DROP TRIGGER users_fts_delete;
DROP TRIGGER users_fts_insert;
DROP TABLE comments;
DROP TABLE likes;
DROP TABLE posts_fts;
ALTER TABLE posts DROP COLUMN comment_count;
ALTER TABLE posts DROP COLUMN like_count;
DROP TABLE users_fts;
DROP INDEX users_name_key;
ALTER TABLE users DROP COLUMN name_key;
ALTER TABLE users DROP COLUMN following_count;
ALTER TABLE users DROP COLUMN followers_count;
ALTER TABLE users DROP COLUMN posts_count;
ALTER TABLE users DROP COLUMN is_active;
ALTER TABLE users DROP COLUMN bio;
ALTER TABLE users DROP COLUMN display_name;
