package service

import (
	"context"
	"errors"

	"github.com/magpie-sns/magpie"
)

// Like makes the caller like a post they may see, and returns the post as
// it now is; created is false if they liked it already, which changes
// nothing. ENOTFOUND for a post the caller may not see.
func (s *Service) Like(ctx context.Context, caller *magpie.User, postID int64) (p *magpie.Post, created bool, err error) {
	if _, err := s.Post(ctx, caller, postID); err != nil {
		return nil, false, err
	}
	l := &magpie.Like{PostID: postID, UserID: caller.ID, CreatedAt: s.now()}
	switch err := s.store.CreateLike(ctx, l); {
	case err == nil:
		created = true
		s.publish(ctx, magpie.Liked{Like: *l})
	case errors.Is(err, magpie.ErrAlreadyLiked):
	case errors.Is(err, magpie.ErrNotFound):
		return nil, false, NotFound() // deleted meanwhile
	default:
		return nil, false, err
	}
	p, err = s.Post(ctx, caller, postID)
	return p, created, err
}

// Unlike takes the caller's like of a post back, if there is one, and
// returns the post as it now is. ENOTFOUND for a post the caller may not
// see.
func (s *Service) Unlike(ctx context.Context, caller *magpie.User, postID int64) (*magpie.Post, error) {
	if _, err := s.Post(ctx, caller, postID); err != nil {
		return nil, err
	}
	switch err := s.store.DeleteLike(ctx, postID, caller.ID); {
	case err == nil:
		s.publish(ctx, magpie.Unliked{PostID: postID, UserID: caller.ID})
	case !errors.Is(err, magpie.ErrNotFound):
		return nil, err
	}
	return s.Post(ctx, caller, postID)
}

// ListLikes lists who likes a post the caller may see, most recent first.
// ENOTFOUND for a post the caller may not see.
func (s *Service) ListLikes(ctx context.Context, caller *magpie.User, postID int64, page magpie.Page) (List[magpie.UserEntry], error) {
	if _, err := s.Post(ctx, caller, postID); err != nil {
		return List[magpie.UserEntry]{}, err
	}
	return list(page, func(p magpie.Page) ([]magpie.UserEntry, error) {
		return s.store.ListLikes(ctx, postID, p)
	}, entryCursor)
}
