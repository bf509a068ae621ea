package service

import (
	"context"
	"errors"
	"strings"

	"github.com/magpie-sns/magpie"
)

// canModify reports whether u may edit or delete p: its owner or a
// superuser.
func canModify(u *magpie.User, p *magpie.Post) bool {
	return u.IsSuperuser || p.OwnerID == u.ID
}

// canView reports whether u may read p: anyone, unless p is hidden (then
// its owner) or its owner is deactivated; superusers always.
func canView(u *magpie.User, p *magpie.Post) bool {
	return u.IsSuperuser || p.OwnerActive && (!p.IsHidden || p.OwnerID == u.ID)
}

// NewPost is a post to write.
type NewPost struct {
	Title    string
	Body     string
	IsHidden bool
}

// Validate returns what is wrong with the fields; it is empty if nothing
// is.
func (in NewPost) Validate() magpie.FieldErrors {
	fe := magpie.FieldErrors{}
	validateTitle(fe, in.Title)
	validateBody(fe, in.Body)
	return fe
}

// PostEdit changes a post; a nil field is left as it is.
type PostEdit struct {
	Title    *string
	Body     *string
	IsHidden *bool
}

// Validate returns what is wrong with the fields given; it is empty if
// nothing is.
func (in PostEdit) Validate() magpie.FieldErrors {
	fe := magpie.FieldErrors{}
	if in.Title != nil {
		validateTitle(fe, *in.Title)
	}
	if in.Body != nil {
		validateBody(fe, *in.Body)
	}
	return fe
}

// CreatePost writes a post owned by the caller. EINVALID if a field breaks
// a rule.
func (s *Service) CreatePost(ctx context.Context, caller *magpie.User, in NewPost) (*magpie.Post, error) {
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	now := s.now()
	p := &magpie.Post{Title: in.Title, Body: in.Body, OwnerID: caller.ID, IsHidden: in.IsHidden, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreatePost(ctx, p); err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.PostCreated{Post: *p})
	return p, nil
}

// CreatePosts writes several posts of the caller in one transaction: all
// of them, or none. EINVALID, for the first post that breaks a rule.
func (s *Service) CreatePosts(ctx context.Context, caller *magpie.User, in []NewPost) ([]*magpie.Post, error) {
	posts := make([]*magpie.Post, len(in))
	for i, np := range in {
		if err := np.Validate().Err(); err != nil {
			return nil, err
		}
		now := s.now()
		posts[i] = &magpie.Post{Title: np.Title, Body: np.Body, OwnerID: caller.ID, IsHidden: np.IsHidden, CreatedAt: now, UpdatedAt: now}
	}
	if err := s.store.CreatePosts(ctx, posts); err != nil {
		return nil, err
	}
	for _, p := range posts {
		s.publish(ctx, magpie.PostCreated{Post: *p})
	}
	return posts, nil
}

// Post returns a post the caller may see. Someone else's hidden post is
// ENOTFOUND, like a post that does not exist, so its existence stays
// secret.
func (s *Service) Post(ctx context.Context, caller *magpie.User, id int64) (*magpie.Post, error) {
	p, err := s.store.PostByID(ctx, caller.ID, id)
	if errors.Is(err, magpie.ErrNotFound) || err == nil && !canView(caller, p) {
		return nil, NotFound()
	}
	return p, err
}

// PostToEdit returns a post the caller may edit or delete: ENOTFOUND as
// for Post, then EFORBIDDEN unless the caller owns it or is a superuser.
// It lets a client learn that before its changes are read, as the
// original service answered: 404, then 403, then 400.
func (s *Service) PostToEdit(ctx context.Context, caller *magpie.User, id int64) (*magpie.Post, error) {
	p, err := s.Post(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if !canModify(caller, p) {
		return nil, magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	return p, nil
}

// EditPost changes p, which PostToEdit returned to the caller, and
// returns it as it now is. EINVALID if a field breaks a rule, ENOTFOUND if
// it was deleted meanwhile.
func (s *Service) EditPost(ctx context.Context, caller *magpie.User, p *magpie.Post, in PostEdit) (*magpie.Post, error) {
	if !canModify(caller, p) {
		return nil, magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	updated, err := s.store.UpdatePost(ctx, caller.ID, p.ID, magpie.PostUpdate{
		Title: in.Title, Body: in.Body, IsHidden: in.IsHidden, UpdatedAt: s.now(),
	})
	if errors.Is(err, magpie.ErrNotFound) {
		return nil, NotFound()
	}
	if err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.PostUpdated{Before: *p, After: *updated})
	return updated, nil
}

// DeletePost deletes a post: ENOTFOUND and EFORBIDDEN as for PostToEdit.
func (s *Service) DeletePost(ctx context.Context, caller *magpie.User, id int64) error {
	p, err := s.PostToEdit(ctx, caller, id)
	if err != nil {
		return err
	}
	err = s.store.DeletePost(ctx, p.ID)
	if errors.Is(err, magpie.ErrNotFound) {
		return NotFound()
	}
	if err != nil {
		return err
	}
	s.publish(ctx, magpie.PostDeleted{Post: *p})
	return nil
}

// ListPosts lists every post that is not hidden, newest first.
func (s *Service) ListPosts(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.Post], error) {
	return list(page, func(p magpie.Page) ([]magpie.Post, error) {
		return s.store.ListPosts(ctx, caller.ID, nil, p)
	}, postCursor)
}

// SearchPosts lists the posts that are not hidden whose title or body has
// every word of the search text, newest first (by id). A blank text
// searches for nothing: it lists every post, as ListPosts does. EINVALID
// for a text with no words, or too long.
func (s *Service) SearchPosts(ctx context.Context, caller *magpie.User, text string, page magpie.Page) (List[magpie.Post], error) {
	if strings.TrimSpace(text) == "" {
		return s.ListPosts(ctx, caller, page)
	}
	words, err := searchWords(text)
	if err != nil {
		return List[magpie.Post]{}, err
	}
	return list(page, func(p magpie.Page) ([]magpie.Post, error) {
		return s.store.ListPosts(ctx, caller.ID, words, p)
	}, func(p magpie.Post) magpie.Cursor { return magpie.Cursor{ID: p.ID} })
}

// ListOwnPosts lists the caller's posts, hidden ones too, newest first.
func (s *Service) ListOwnPosts(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.Post], error) {
	return list(page, func(p magpie.Page) ([]magpie.Post, error) {
		return s.store.ListPostsByOwner(ctx, caller.ID, caller.ID, true, p)
	}, postCursor)
}

// Feed lists the posts that are not hidden of the active users the caller
// follows, newest first: the home feed.
func (s *Service) Feed(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.Post], error) {
	return list(page, func(p magpie.Page) ([]magpie.Post, error) {
		return s.store.ListFeed(ctx, caller.ID, p)
	}, postCursor)
}

func postCursor(p magpie.Post) magpie.Cursor { return magpie.Cursor{Time: p.CreatedAt, ID: p.ID} }
