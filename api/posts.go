package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/magpie-sns/magpie"
)

type postJSON struct {
	ID            int64     `json:"id"`
	Title         string    `json:"title"`
	Body          string    `json:"body"`
	Owner         int64     `json:"owner"`
	OwnerUsername string    `json:"owner_username"`
	IsHidden      bool      `json:"is_hidden"`
	CreatedAt     timestamp `json:"created_at"`
	UpdatedAt     timestamp `json:"updated_at"`
}

func newPostJSON(p magpie.Post) postJSON {
	return postJSON{
		ID:            p.ID,
		Title:         p.Title,
		Body:          p.Body,
		Owner:         p.OwnerID,
		OwnerUsername: p.OwnerUsername,
		IsHidden:      p.IsHidden,
		CreatedAt:     timestamp(p.CreatedAt),
		UpdatedAt:     timestamp(p.UpdatedAt),
	}
}

// publicPosts are every visible post: GET /blog/post/.
func (s *Server) publicPosts(ctx context.Context, _ *magpie.User, page magpie.Page) ([]magpie.Post, error) {
	return s.store.ListPosts(ctx, page)
}

// ownPosts are the caller's posts, hidden ones too: GET /blog/post/my_post/.
func (s *Server) ownPosts(ctx context.Context, u *magpie.User, page magpie.Page) ([]magpie.Post, error) {
	return s.store.ListPostsByOwner(ctx, u.ID, page)
}

// feedPosts are the posts of the users the caller follows:
// GET /blog/post/following_post/.
func (s *Server) feedPosts(ctx context.Context, u *magpie.User, page magpie.Page) ([]magpie.Post, error) {
	return s.store.ListFeed(ctx, u.ID, page)
}

// createPost: POST /blog/post/ {"title", "body", "is_hidden"?}. The owner is
// always the caller; an "owner" field in the body is ignored.
func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	upd := readPostFields(in, true)
	if err := in.errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	p := &magpie.Post{Title: *upd.Title, Body: *upd.Body, OwnerID: currentUser(r).ID, CreatedAt: now, UpdatedAt: now}
	if upd.IsHidden != nil {
		p.IsHidden = *upd.IsHidden
	}
	if err := s.store.CreatePost(r.Context(), p); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/blog/post/%d/", p.ID))
	writeJSON(w, http.StatusCreated, newPostJSON(*p))
}

// readPostFields reads title, body and is_hidden; with required, title and
// body must be present (create and PUT), otherwise any may be (PATCH).
func readPostFields(in *input, required bool) magpie.PostUpdate {
	var upd magpie.PostUpdate
	if title, ok := in.string("title", required); ok {
		magpie.ValidateTitle(in.errs, title)
		upd.Title = &title
	}
	if body, ok := in.string("body", required); ok {
		magpie.ValidateBody(in.errs, body)
		upd.Body = &body
	}
	if hidden, ok := in.bool("is_hidden"); ok {
		upd.IsHidden = &hidden
	}
	return upd
}

// findPost returns the post named in the path if the caller may see it. A
// hidden post of someone else is "not found", so its existence stays secret.
func (s *Server) findPost(r *http.Request) (*magpie.Post, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	p, err := s.store.PostByID(r.Context(), id)
	if magpie.IsKind(err, magpie.ENOTFOUND) {
		return nil, errNotFound
	} else if err != nil {
		return nil, err
	}
	if !magpie.CanView(currentUser(r), p) {
		return nil, errNotFound
	}
	return p, nil
}

// findOwnPost is findPost for a change: only the owner or a superuser.
func (s *Server) findOwnPost(r *http.Request) (*magpie.Post, error) {
	p, err := s.findPost(r)
	if err != nil {
		return nil, err
	}
	if !magpie.CanModify(currentUser(r), p) {
		return nil, magpie.Errorf(magpie.EFORBIDDEN, msgForbidden)
	}
	return p, nil
}

// getPost: GET /blog/post/{id}/.
func (s *Server) getPost(w http.ResponseWriter, r *http.Request) {
	p, err := s.findPost(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newPostJSON(*p))
}

// replacePost: PUT /blog/post/{id}/, title and body required.
func (s *Server) replacePost(w http.ResponseWriter, r *http.Request) { s.updatePost(w, r, true) }

// patchPost: PATCH /blog/post/{id}/, any of title, body, is_hidden.
func (s *Server) patchPost(w http.ResponseWriter, r *http.Request) { s.updatePost(w, r, false) }

// updatePost checks existence and permission before reading the body, as
// the original did: 404, then 403, then 400.
func (s *Server) updatePost(w http.ResponseWriter, r *http.Request, full bool) {
	p, err := s.findOwnPost(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := readInput(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	upd := readPostFields(in, full)
	if err := in.errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	upd.UpdatedAt = s.now()
	updated, err := s.store.UpdatePost(r.Context(), p.ID, upd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newPostJSON(*updated))
}

// deletePost: DELETE /blog/post/{id}/.
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) {
	p, err := s.findOwnPost(r)
	if err == nil {
		err = s.store.DeletePost(r.Context(), p.ID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
