package magpie

import (
	"context"
	"time"
)

// Loader loads a large data set fast, for benchmarks: `magpie seed
// --bulk`. Each Load call writes its rows whole or not at all, without
// the per-row work of ordinary writes (counters, timelines, events); FinishLoad then derives all of that from the
// rows at once, so that the store is as ordinary writes would have left
// it. It is for a database nobody is using meanwhile.
type Loader interface {
	// LoadProgress reports how far a load got: the highest user id, and
	// the highest id of a user with posts or follows.
	LoadProgress(ctx context.Context) (LoadProgress, error)
	// LoadUsers writes users with the ids they carry, all with one
	// password hash.
	LoadUsers(ctx context.Context, users []User, passwordHash string) error
	// LoadPostsAndFollows writes posts and follows in one transaction;
	// the store assigns their ids. ready, if not nil, is called before the
	// transaction commits, and its error rolls it back: with it the
	// caller runs several at once and orders their commits. The first
	// call of a load must not run beside others: it may change the
	// schema.
	LoadPostsAndFollows(ctx context.Context, posts []Post, follows []Follow, ready func(context.Context) error) error
	// FinishLoad recounts every counter, marks heavy authors, rebuilds
	// every timeline from the posts at or after since (each user's floor),
	// moves each id sequence past the ids loaded and refreshes the
	// planner's statistics. It may be run again, and after a cut-off it
	// goes on where it stopped. step, if not nil, is told the name of each
	// step as it begins.
	FinishLoad(ctx context.Context, since time.Time, step func(name string)) error
}

// LoadProgress is how far a load got.
type LoadProgress struct {
	Users          int64 // the highest user id; 0: none
	UsersWithPosts int64 // the highest id of a user with posts or follows
}
