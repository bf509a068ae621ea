package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/magpie-sns/magpie"
)

// Home timelines (migration 5): for each user, every visible post of the
// people they follow at or above the user's floor, but the posts of heavy
// authors. Each write that changes a feed changes the timelines in its own
// transaction, so a feed is right as soon as the write commits. SQLite
// writes one transaction at a time, so a fan-out and a follow of the same
// author never run at once; reads check visibility, the author and the
// follow again all the same, as on PostgreSQL.

// trimOneIn is the chance that a fan-out trims a given follower's timeline,
// one in trimOneIn: a timeline grows by about trimOneIn entries past
// TimelineLength between trims, and a post trims about followers /
// trimOneIn timelines.
const trimOneIn = 32

// fanOut writes the post, if visible and its author not heavy, into the
// timelines of the author's followers whose floor it is not below, and
// trims a sample of those timelines if it wrote any.
func fanOut(ctx context.Context, tx querier, postID int64) error {
	// posts' primary key, users', follows_following, timeline_floors'.
	res, err := tx.ExecContext(ctx, `
		INSERT OR IGNORE INTO timelines (user_id, created_at, post_id, author_id)
		SELECT f.follower_id, p.created_at, p.id, p.owner_id
		FROM posts p
		JOIN users a ON a.id = p.owner_id AND a.fanout = 1
		JOIN follows f ON f.following_id = p.owner_id
		LEFT JOIN timeline_floors fl ON fl.user_id = f.follower_id
		WHERE p.id = ? AND p.is_hidden = 0
			AND (fl.user_id IS NULL OR (p.created_at, p.id) >= (fl.created_at, fl.post_id))`,
		postID)
	if err != nil {
		return err
	}
	if wrote, err := res.RowsAffected(); err != nil || wrote == 0 {
		return err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT f.follower_id FROM follows f
		WHERE f.following_id = (SELECT owner_id FROM posts WHERE id = ?) AND abs(random() % ?) = 0`,
		postID, trimOneIn)
	if err != nil {
		return err
	}
	sample, err := collect[int64](rows)
	if err != nil {
		return err
	}
	for _, userID := range sample {
		if err := trim(ctx, tx, userID); err != nil {
			return err
		}
	}
	return nil
}

// unfanOut takes the post out of every timeline.
func unfanOut(ctx context.Context, tx querier, postID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM timelines WHERE post_id = ?`, postID)
	return err
}

// backfill writes the newest visible posts of followee not below the
// follower's floor into the follower's timeline, then trims it: when
// followee had more than TimelineLength of them, the trim raises the floor
// to where the timeline is whole again.
func backfill(ctx context.Context, tx querier, followerID, followeeID int64) error {
	// posts_feed from the newest down.
	_, err := tx.ExecContext(ctx, `
		INSERT OR IGNORE INTO timelines (user_id, created_at, post_id, author_id)
		SELECT ?1, p.created_at, p.id, p.owner_id
		FROM posts p
		WHERE p.owner_id = ?2 AND p.is_hidden = 0
			AND (SELECT fanout FROM users a WHERE a.id = ?2) = 1
			AND NOT EXISTS (
				SELECT 1 FROM timeline_floors fl
				WHERE fl.user_id = ?1 AND (p.created_at, p.id) < (fl.created_at, fl.post_id))
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT ?3`,
		followerID, followeeID, magpie.TimelineLength)
	if err != nil {
		return err
	}
	return trim(ctx, tx, followerID)
}

// unfollowTimeline takes followee's posts out of the follower's timeline.
func unfollowTimeline(ctx context.Context, tx querier, followerID, followeeID int64) error {
	// The timeline's primary key: one user's entries.
	_, err := tx.ExecContext(ctx, `DELETE FROM timelines WHERE user_id = ? AND author_id = ?`, followerID, followeeID)
	return err
}

// markHeavy stops fanning out an author with more than FanOutLimit
// followers.
func markHeavy(ctx context.Context, tx querier, authorID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET fanout = 0 WHERE id = ? AND fanout = 1 AND followers_count > ?`,
		authorID, magpie.FanOutLimit)
	return err
}

// trim cuts the user's timeline to its TimelineLength newest entries: the
// last one kept becomes the floor, and every entry below it goes. A
// timeline no longer than that is left as it is.
func trim(ctx context.Context, tx querier, userID int64) error {
	var at, id int64
	err := tx.QueryRowContext(ctx, `
		SELECT created_at, post_id FROM timelines
		WHERE user_id = ?
		ORDER BY created_at DESC, post_id DESC
		LIMIT 1 OFFSET ?`,
		userID, magpie.TimelineLength-1).Scan(&at, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO timeline_floors (user_id, created_at, post_id) VALUES (?1, ?2, ?3)
		ON CONFLICT (user_id) DO UPDATE SET created_at = ?2, post_id = ?3
			WHERE (created_at, post_id) < (?2, ?3)`,
		userID, at, id)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM timelines WHERE user_id = ? AND (created_at, post_id) < (?, ?)`, userID, at, id)
	return err
}

// ListFeed returns the posts that are not hidden of the active users that
// userID follows: from the timeline and the heavy authors the user
// follows, down to the floor; below it, from the posts of everyone the
// user follows. One read transaction: the floor holds for every part.
func (db *DB) ListFeed(ctx context.Context, userID int64, page magpie.Page) ([]magpie.Post, error) {
	if page.Empty() {
		return nil, nil
	}
	var posts []magpie.Post
	err := db.inReadTx(ctx, "list feed", func(q querier) error {
		// No floor: from the beginning.
		floorAt, floorID := int64(math.MinInt64), int64(0)
		err := q.QueryRowContext(ctx, `SELECT created_at, post_id FROM timeline_floors WHERE user_id = ?`, userID).
			Scan(&floorAt, &floorID)
		hasFloor := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		at, id, limit := keyset(page)
		if posts, err = queryList(ctx, q, page, "list timeline", scanPost, listTimelineSQL,
			userID, at, id, limit, floorAt, floorID); err != nil {
			return err
		}
		// The heavy authors the user follows, each a range of posts_feed.
		rows, err := q.QueryContext(ctx, listHeavyFolloweesSQL, userID)
		if err != nil {
			return err
		}
		heavy, err := collect[int64](rows)
		if err != nil {
			return err
		}
		for _, author := range heavy {
			theirs, err := queryList(ctx, q, page, "list heavy author", scanPost, listHeavyAuthorSQL,
				userID, at, id, limit, floorAt, floorID, author)
			if err != nil {
				return err
			}
			posts = append(posts, theirs...)
		}
		slices.SortFunc(posts, func(a, b magpie.Post) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
		})
		posts = posts[:min(len(posts), page.Limit)]
		if len(posts) == page.Limit || !hasFloor {
			return nil // a full page, or no floor: the timeline is the whole feed
		}
		below := page.Below(magpie.Cursor{Time: time.UnixMicro(floorAt).UTC(), ID: floorID}, page.Limit-len(posts))
		at, id, limit = keyset(below)
		rest, err := queryList(ctx, q, below, "list feed from posts", scanPost, listFeedFromPostsSQL, userID, at, id, limit)
		posts = append(posts, rest...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return posts, nil
}

// listTimelineSQL walks the user's timeline (its primary key) from the
// cursor (?2, ?3) down to the floor (?5, ?6), at most ?4 entries, each
// checked against its post, its author and the follow.
const listTimelineSQL = `
	SELECT ` + postColumns + `
	FROM timelines t
	JOIN posts p ON p.id = t.post_id
	WHERE t.user_id = ?1 AND (t.created_at, t.post_id) < (?2, ?3) AND (t.created_at, t.post_id) >= (?5, ?6)
		AND p.is_hidden = 0
		AND (SELECT is_active AND fanout FROM users a WHERE a.id = t.author_id) = 1
		AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1 AND f.following_id = t.author_id)
	ORDER BY t.created_at DESC, t.post_id DESC
	LIMIT ?4`

// listHeavyFolloweesSQL lists the active heavy authors (index users_heavy)
// that ?1 follows.
const listHeavyFolloweesSQL = `
	SELECT h.id FROM users h
	WHERE h.fanout = 0 AND h.is_active = 1
		AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1 AND f.following_id = h.id)`

// listHeavyAuthorSQL walks posts_feed for author ?7 from the cursor down
// to the floor.
const listHeavyAuthorSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.owner_id = ?7 AND p.is_hidden = 0
		AND (p.created_at, p.id) < (?2, ?3) AND (p.created_at, p.id) >= (?5, ?6)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?4`

// listFeedFromPostsSQL: the index of UNIQUE (follower_id, following_id)
// lists the followed users; for each, a range of index posts_feed
// (partial: is_hidden = 0) gives their posts after the cursor, newest
// first. Those ranges are merged by a sort, so a page of it costs the
// followed users' posts after the cursor, not just the page: it serves
// only the pages below a timeline's floor.
const listFeedFromPostsSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.is_hidden = 0
		AND p.owner_id IN (
			SELECT f.following_id FROM follows f
			WHERE f.follower_id = ?1
				AND (SELECT is_active FROM users u WHERE u.id = f.following_id) = 1)
		AND (p.created_at, p.id) < (?2, ?3)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?4`
