package service

import (
	"context"
	"errors"

	"github.com/magpie-sns/magpie"
)

// FollowTarget names the user to follow: by id, or by username if
// ByUsername. Field is the request field that named them, under which a
// field error is reported.
type FollowTarget struct {
	ID         int64
	Username   string
	ByUsername bool
	Field      string
}

// Follow makes the caller follow the target. ENOTFOUND if there is no
// such user, EINVALID if it is the caller, ECONFLICT if the caller
// follows them already.
func (s *Service) Follow(ctx context.Context, caller *magpie.User, target FollowTarget) (*magpie.Follow, error) {
	var (
		u   *magpie.User
		err error
	)
	if target.ByUsername {
		u, err = s.userByName(ctx, target.Username)
	} else {
		u, err = s.store.UserByID(ctx, target.ID)
		if errors.Is(err, magpie.ErrNotFound) {
			err = magpie.Errorf(magpie.ENOTFOUND, msgUserNotFound)
		}
	}
	if err != nil {
		return nil, err
	}
	if u.ID == caller.ID {
		return nil, magpie.FieldErrors{target.Field: {msgSelfFollow}}.Err()
	}
	f := &magpie.Follow{FollowerID: caller.ID, FollowingID: u.ID, CreatedAt: s.now()}
	switch err := s.store.CreateFollow(ctx, f); {
	case errors.Is(err, magpie.ErrAlreadyFollowing):
		return nil, magpie.Errorf(magpie.ECONFLICT, msgAlreadyFollowing)
	case errors.Is(err, magpie.ErrNotFound):
		return nil, magpie.Errorf(magpie.ENOTFOUND, msgUserNotFound) // deleted meanwhile
	case err != nil:
		return nil, err
	}
	s.publish(ctx, magpie.Followed{Follow: *f})
	return f, nil
}

// Unfollow makes the caller stop following the user with this name.
// ENOTFOUND if there is no such user or the caller does not follow them.
func (s *Service) Unfollow(ctx context.Context, caller *magpie.User, username string) error {
	u, err := s.userByName(ctx, username)
	if err != nil {
		return err
	}
	err = s.store.DeleteFollow(ctx, caller.ID, u.ID)
	if errors.Is(err, magpie.ErrNotFound) {
		return magpie.Errorf(magpie.ENOTFOUND, msgNotFollowing)
	}
	if err != nil {
		return err
	}
	s.publish(ctx, magpie.Unfollowed{FollowerID: caller.ID, FollowingID: u.ID})
	return nil
}

// User returns the user with this name. ENOTFOUND if there is none.
func (s *Service) User(ctx context.Context, username string) (*magpie.User, error) {
	return s.userByName(ctx, username)
}

// userByName finds a user by name. A name that no user can have, such as
// one with a NUL character, is not found without asking the store.
func (s *Service) userByName(ctx context.Context, name string) (*magpie.User, error) {
	if !storable(name) {
		return nil, magpie.Errorf(magpie.ENOTFOUND, msgUserNotFound)
	}
	u, err := s.store.UserByUsername(ctx, name)
	if errors.Is(err, magpie.ErrNotFound) {
		return nil, magpie.Errorf(magpie.ENOTFOUND, msgUserNotFound)
	}
	return u, err
}

// ListFollowing lists the users the caller follows, most recent first.
func (s *Service) ListFollowing(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.UserEntry], error) {
	return list(page, func(p magpie.Page) ([]magpie.UserEntry, error) {
		return s.store.ListFollowing(ctx, caller.ID, p)
	}, entryCursor)
}

// ListFollowers lists the users who follow the caller, most recent first.
func (s *Service) ListFollowers(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.UserEntry], error) {
	return list(page, func(p magpie.Page) ([]magpie.UserEntry, error) {
		return s.store.ListFollowers(ctx, caller.ID, p)
	}, entryCursor)
}

func entryCursor(e magpie.UserEntry) magpie.Cursor {
	return magpie.Cursor{Time: e.CreatedAt, ID: e.ID}
}
