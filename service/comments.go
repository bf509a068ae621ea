package service

import (
	"context"
	"errors"

	"github.com/magpie-sns/magpie"
)

// ListComments lists the comments on a post the caller may see, oldest
// first. ENOTFOUND for a post the caller may not see.
func (s *Service) ListComments(ctx context.Context, caller *magpie.User, postID int64, page magpie.Page) (List[magpie.Comment], error) {
	if _, err := s.Post(ctx, caller, postID); err != nil {
		return List[magpie.Comment]{}, err
	}
	return list(page, func(p magpie.Page) ([]magpie.Comment, error) {
		return s.store.ListComments(ctx, postID, p)
	}, func(c magpie.Comment) magpie.Cursor { return magpie.Cursor{Time: c.CreatedAt, ID: c.ID} })
}

// Comment writes the caller's comment on a post they may see. ENOTFOUND
// for a post the caller may not see, EINVALID for a blank or long body.
func (s *Service) Comment(ctx context.Context, caller *magpie.User, postID int64, body string) (*magpie.Comment, error) {
	if _, err := s.Post(ctx, caller, postID); err != nil {
		return nil, err
	}
	if err := CommentFields(body).Err(); err != nil {
		return nil, err
	}
	now := s.now()
	c := &magpie.Comment{PostID: postID, AuthorID: caller.ID, Body: body, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateComment(ctx, c); errors.Is(err, magpie.ErrNotFound) {
		return nil, NotFound() // the post was deleted meanwhile
	} else if err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.Commented{Comment: *c})
	return c, nil
}

// CommentFields returns what is wrong with a comment's body; it is empty
// if nothing is.
func CommentFields(body string) magpie.FieldErrors {
	fe := magpie.FieldErrors{}
	validateComment(fe, body)
	return fe
}

// commentOn returns the comment if it is on a post the caller may see,
// and the post: ENOTFOUND otherwise.
func (s *Service) commentOn(ctx context.Context, caller *magpie.User, postID, commentID int64) (*magpie.Comment, *magpie.Post, error) {
	p, err := s.Post(ctx, caller, postID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.CommentByID(ctx, commentID)
	if errors.Is(err, magpie.ErrNotFound) || err == nil && c.PostID != postID {
		return nil, nil, NotFound()
	}
	return c, p, err
}

// CommentToEdit returns a comment the caller may edit: ENOTFOUND if there
// is no such comment on that post or the post is not the caller's to see,
// then EFORBIDDEN unless the caller wrote it. It lets a client learn that
// before its change is read: 404, then 403, then 400.
func (s *Service) CommentToEdit(ctx context.Context, caller *magpie.User, postID, commentID int64) (*magpie.Comment, error) {
	c, _, err := s.commentOn(ctx, caller, postID, commentID)
	if err != nil {
		return nil, err
	}
	if c.AuthorID != caller.ID {
		return nil, magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	return c, nil
}

// EditComment changes the body of c, which CommentToEdit returned to the
// caller, and returns it as it now is. EINVALID for a blank or long body,
// ENOTFOUND if it was deleted meanwhile.
func (s *Service) EditComment(ctx context.Context, caller *magpie.User, c *magpie.Comment, body string) (*magpie.Comment, error) {
	if c.AuthorID != caller.ID {
		return nil, magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	if err := CommentFields(body).Err(); err != nil {
		return nil, err
	}
	updated, err := s.store.UpdateComment(ctx, c.ID, body, s.now())
	if errors.Is(err, magpie.ErrNotFound) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.CommentUpdated{Before: *c, After: *updated})
	return updated, nil
}

// DeleteComment deletes a comment: its author, the post's owner and
// superusers may. EFORBIDDEN for anyone else, ENOTFOUND as for
// CommentToEdit.
func (s *Service) DeleteComment(ctx context.Context, caller *magpie.User, postID, commentID int64) error {
	c, p, err := s.commentOn(ctx, caller, postID, commentID)
	if err != nil {
		return err
	}
	if c.AuthorID != caller.ID && p.OwnerID != caller.ID && !caller.IsSuperuser {
		return magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	if err := s.store.DeleteComment(ctx, commentID); errors.Is(err, magpie.ErrNotFound) {
		return NotFound()
	} else if err != nil {
		return err
	}
	s.publish(ctx, magpie.CommentDeleted{Comment: *c})
	return nil
}
