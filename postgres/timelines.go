package postgres

import (
	"context"
	"errors"
	"strconv"

	"github.com/magpie-sns/magpie"
)

// Home timelines (migration 5): for each user, every visible post of the
// people they follow at or above the user's floor, but the posts of heavy
// authors. Each write that changes a feed changes the timelines in its own
// transaction, so a feed is right as soon as the write commits; reads
// check visibility, the author and the follow again, so that an entry a
// concurrent write left behind is never shown.
//
// A fan-out and a follow of the same author are serialised by the lock on
// the author's users row, which both take through the count triggers of
// migration 3 before they touch the timelines: whichever commits second
// reads the other's row.

// trimChance is the chance that a fan-out trims a given follower's
// timeline: a timeline grows by about 1/trimChance entries past
// TimelineLength between trims, and a post trims about followers ×
// trimChance timelines.
const trimChance = 1.0 / 32

// fanOutSQL writes the post whose id post gives, if visible and its
// author not heavy, into the timelines of the author's followers whose
// floor it is not below.
//
// Prepared, as every post runs it: planned for its parameters, planning
// cost more than running it (0.75 ms against 0.45 ms, for 14 followers),
// and its plan is the same for any post (the plan tests check both). A
// heavy author's post stops at users_pkey either way.
func fanOutSQL(post string) string {
	// posts_pkey, users_pkey, follows_following_created_idx.
	return `
		INSERT INTO timelines (user_id, created_at, post_id, author_id)
		SELECT f.follower_id, p.created_at, p.id, p.owner_id
		FROM posts p
		JOIN users a ON a.id = p.owner_id AND a.fanout
		JOIN follows f ON f.following_id = p.owner_id
		LEFT JOIN timeline_floors fl ON fl.user_id = f.follower_id
		WHERE p.id = ` + post + ` AND NOT p.is_hidden
			AND (fl.user_id IS NULL OR (p.created_at, p.id) >= (fl.created_at, fl.post_id))
		ON CONFLICT DO NOTHING`
}

// fanOutNewPostSQL fans out the post the connection inserted last, in the
// statement before (a subquery, evaluated once, so that posts_pkey serves
// it: currval is volatile).
var fanOutNewPostSQL = fanOutSQL(`(SELECT currval(pg_get_serial_sequence('posts', 'id')))`)

// fanOut fans out the post, as a post made visible again is.
func fanOut(ctx context.Context, q querier, postID int64) error {
	_, err := q.Exec(ctx, fanOutByIDSQL, prepared, postID)
	return err
}

var fanOutByIDSQL = fanOutSQL("$1")

// unfanOut takes the post out of every timeline.
func unfanOut(ctx context.Context, q querier, postID int64) error {
	// timelines_post_idx.
	_, err := q.Exec(ctx, `DELETE FROM timelines WHERE post_id = $1`, postID)
	return err
}

// backfill writes the newest visible posts of followee not below the
// follower's floor into the follower's timeline, then trims it: when
// followee had more than TimelineLength of them, the trim raises the floor
// to where the timeline is whole again.
func backfill(ctx context.Context, q querier, followerID, followeeID int64) error {
	// posts_feed_idx from the newest down, users_pkey, timeline_floors_pkey.
	_, err := q.Exec(ctx, `
		INSERT INTO timelines (user_id, created_at, post_id, author_id)
		SELECT $1, p.created_at, p.id, p.owner_id
		FROM posts p
		JOIN users a ON a.id = p.owner_id AND a.fanout
		WHERE p.owner_id = $2 AND NOT p.is_hidden
			AND NOT EXISTS (
				SELECT 1 FROM timeline_floors fl
				WHERE fl.user_id = $1 AND (p.created_at, p.id) < (fl.created_at, fl.post_id))
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $3
		ON CONFLICT DO NOTHING`,
		followerID, followeeID, magpie.TimelineLength)
	if err != nil {
		return err
	}
	return trim(ctx, q, `SELECT $1::bigint`, followerID)
}

// unfollowTimeline takes followee's posts out of the follower's timeline.
func unfollowTimeline(ctx context.Context, q querier, followerID, followeeID int64) error {
	// The timeline's primary key: one user's entries.
	_, err := q.Exec(ctx, `DELETE FROM timelines WHERE user_id = $1 AND author_id = $2`, followerID, followeeID)
	return err
}

// markHeavy stops fanning out an author with more than FanOutLimit
// followers.
func markHeavy(ctx context.Context, q querier, authorID int64) error {
	_, err := q.Exec(ctx, `UPDATE users SET fanout = false WHERE id = $1 AND fanout AND followers_count > $2`,
		authorID, magpie.FanOutLimit)
	return err
}

// trim cuts the timelines of the users that usersSQL (a query of one
// bigint column, taking args, which may start with an exec mode such as
// prepared) selects to their TimelineLength newest
// entries: the last one kept becomes the floor, and every entry below it
// goes. A timeline no longer than that is left as it is.
func trim(ctx context.Context, q querier, usersSQL string, args ...any) error {
	// The timeline's primary key, read from the newest down.
	_, err := q.Exec(ctx, `
		WITH cut AS (
			SELECT u.id AS user_id, k.created_at, k.post_id
			FROM (`+usersSQL+`) AS u (id)
			CROSS JOIN LATERAL (
				SELECT t.created_at, t.post_id
				FROM timelines t
				WHERE t.user_id = u.id
				ORDER BY t.created_at DESC, t.post_id DESC
				OFFSET `+strconv.Itoa(magpie.TimelineLength-1)+` LIMIT 1
			) k
		), floors AS (
			INSERT INTO timeline_floors AS fl (user_id, created_at, post_id)
			SELECT user_id, created_at, post_id FROM cut
			ON CONFLICT (user_id) DO UPDATE SET created_at = excluded.created_at, post_id = excluded.post_id
				WHERE (fl.created_at, fl.post_id) < (excluded.created_at, excluded.post_id)
		)
		DELETE FROM timelines t
		USING cut
		WHERE t.user_id = cut.user_id AND (t.created_at, t.post_id) < (cut.created_at, cut.post_id)`,
		args...)
	return err
}

// trimAfterFanOut trims the timelines of a sample of the author's
// followers (trimChance each), after the post's transaction: it keeps
// timelines bounded without making a post wait on the locks of its
// followers' timelines. Two of these trimming overlapping timelines may
// deadlock; PostgreSQL then cancels one, whose timelines wait for the next
// trim. So a failure here is no failure of the post, and is not reported.
// Prepared, as fanOut is.
func (db *DB) trimAfterFanOut(ctx context.Context, authorID int64) {
	_ = trim(ctx, db.pool, `
		SELECT f.follower_id FROM follows f
		WHERE f.following_id = $1 AND random() < $2`,
		prepared, authorID, trimChance)
}

// ListFeed returns the posts that are not hidden of the active users that
// userID follows: from the timeline and the heavy authors the user
// follows, down to the floor; below it, from the posts of everyone the
// user follows.
func (db *DB) ListFeed(ctx context.Context, userID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	posts, err := queryList(ctx, db.pool, page, "list feed", scanPost, listTimelineSQL, prepared, userID, at, id, limit)
	if err != nil || len(posts) == page.Limit {
		return posts, err
	}
	// The timeline ran out: is there more below its floor?
	var floor magpie.Cursor
	err = db.pool.QueryRow(ctx, `SELECT created_at, post_id FROM timeline_floors WHERE user_id = $1`, userID).
		Scan(&floor.Time, &floor.ID)
	if err != nil {
		if err = storeError("list feed", err); errors.Is(err, magpie.ErrNotFound) {
			return posts, nil // no floor: the timeline is the whole feed
		}
		return nil, err
	}
	below := page.Below(floor, page.Limit-len(posts))
	at, id, limit = keyset(below)
	rest, err := queryList(ctx, db.pool, below, "list feed", scanPost, listFeedFromPostsSQL, userID, at, id, limit)
	return append(posts, rest...), err
}

// listTimelineSQL reads a page of the feed of $1 after the cursor ($2,
// $3), at most $4 posts, down to the user's floor: the timeline by its
// primary key, and for each heavy author the user follows (users_heavy_idx,
// then follows_follower_following_key) posts_feed_idx. Each entry is
// checked against the post (posts_pkey), its author (users_pkey) and the
// follow.
const listTimelineSQL = `
	WITH floor AS (
		SELECT COALESCE(max(created_at), '-infinity') AS at, COALESCE(max(post_id), 0) AS id
		FROM timeline_floors
		WHERE user_id = $1
	), top AS (
		(SELECT t.post_id AS id, t.created_at
		FROM floor, timelines t
		JOIN posts p ON p.id = t.post_id AND NOT p.is_hidden
		JOIN users a ON a.id = t.author_id AND a.is_active AND a.fanout
		WHERE t.user_id = $1 AND (t.created_at, t.post_id) < ($2, $3)
			AND (t.created_at, t.post_id) >= (floor.at, floor.id)
			AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.following_id = t.author_id)
		ORDER BY t.created_at DESC, t.post_id DESC
		LIMIT $4)
		UNION ALL
		(SELECT c.id, c.created_at
		FROM floor, users h
		CROSS JOIN LATERAL (
			SELECT p.id, p.created_at
			FROM posts p
			WHERE p.owner_id = h.id AND NOT p.is_hidden
				AND (p.created_at, p.id) < ($2, $3) AND (p.created_at, p.id) >= (floor.at, floor.id)
			ORDER BY p.created_at DESC, p.id DESC
			LIMIT $4
		) c
		WHERE NOT h.fanout AND h.is_active
			AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.following_id = h.id))
		ORDER BY created_at DESC, id DESC
		LIMIT $4
	)
	SELECT ` + postColumns + `
	FROM top
	JOIN posts p ON p.id = top.id
	JOIN users u ON u.id = p.owner_id
	ORDER BY top.created_at DESC, top.id DESC`

// listFeedFromPostsSQL reads a page of the feed of $1 from the posts of
// everyone the user follows. An index on follows leading with follower_id
// (follows_follower_following_key or follows_follower_created_idx) lists
// whom the user follows, users_pkey keeps the active ones; for each,
// posts_feed_idx yields at most $4 visible posts after the cursor, so the
// work is bounded by follows × limit however deep the page, and only the
// ids of those candidates are sorted. The final $4 are then fetched whole
// by posts_pkey.
const listFeedFromPostsSQL = `
	WITH top AS (
		SELECT c.id, c.created_at
		FROM follows f
		JOIN users fu ON fu.id = f.following_id AND fu.is_active
		CROSS JOIN LATERAL (
			SELECT p.id, p.created_at
			FROM posts p
			WHERE p.owner_id = f.following_id AND NOT p.is_hidden
				AND (p.created_at, p.id) < ($2, $3)
			ORDER BY p.created_at DESC, p.id DESC
			LIMIT $4
		) c
		WHERE f.follower_id = $1
		ORDER BY c.created_at DESC, c.id DESC
		LIMIT $4
	)
	SELECT ` + postColumns + `
	FROM top
	JOIN posts p ON p.id = top.id
	JOIN users u ON u.id = p.owner_id
	ORDER BY top.created_at DESC, top.id DESC`
