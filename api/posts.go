package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/service"
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
	LikeCount     int64     `json:"like_count"`
	CommentCount  int64     `json:"comment_count"`
	Liked         bool      `json:"liked"`
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
		LikeCount:     p.LikeCount,
		CommentCount:  p.CommentCount,
		Liked:         p.Liked,
	}
}

// postsOrSearch lists every visible post (GET /blog/post/) or, with
// ?search=, those with its words.
func (a *API) postsOrSearch(r *http.Request) lister[magpie.Post] {
	text := r.URL.Query().Get("search")
	return func(ctx context.Context, caller *magpie.User, page magpie.Page) (service.List[magpie.Post], error) {
		return a.svc.SearchPosts(ctx, caller, text, page)
	}
}

// createPost: POST /blog/post/ {"title", "body", "is_hidden"?}. The owner is
// always the caller; an "owner" field in the body is ignored.
func (a *API) createPost(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	edit := readPostFields(in, true)
	np := service.NewPost{}
	if edit.Title != nil {
		np.Title = *edit.Title
	}
	if edit.Body != nil {
		np.Body = *edit.Body
	}
	if edit.IsHidden != nil {
		np.IsHidden = *edit.IsHidden
	}
	if err := in.check(edit.Validate()); err != nil {
		return err
	}
	p, err := a.svc.CreatePost(r.Context(), caller.User, np)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/blog/post/%d/", p.ID))
	writeJSON(w, http.StatusCreated, newPostJSON(*p))
	return nil
}

// readPostFields reads title, body and is_hidden; with required, title and
// body must be present (create and PUT), otherwise any may be (PATCH).
func readPostFields(in *input, required bool) service.PostEdit {
	var edit service.PostEdit
	if title, ok := in.string("title", required); ok {
		edit.Title = &title
	}
	if body, ok := in.string("body", required); ok {
		edit.Body = &body
	}
	if hidden, ok := in.bool("is_hidden"); ok {
		edit.IsHidden = &hidden
	}
	return edit
}

// postID reads the post id of the path. One that is not an integer names
// no post.
func postID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, service.NotFound()
	}
	return id, nil
}

// getPost: GET /blog/post/{id}/.
func (a *API) getPost(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	id, err := postID(r)
	if err != nil {
		return err
	}
	p, err := a.svc.Post(r.Context(), caller.User, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPostJSON(*p))
	return nil
}

// replacePost: PUT /blog/post/{id}/, title and body required.
func (a *API) replacePost(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	return a.updatePost(w, r, caller, true)
}

// patchPost: PATCH /blog/post/{id}/, any of title, body, is_hidden.
func (a *API) patchPost(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	return a.updatePost(w, r, caller, false)
}

// updatePost checks existence and permission before reading the body, as
// the original did: 404, then 403, then 400.
func (a *API) updatePost(w http.ResponseWriter, r *http.Request, caller *service.Session, full bool) error {
	id, err := postID(r)
	if err != nil {
		return err
	}
	p, err := a.svc.PostToEdit(r.Context(), caller.User, id)
	if err != nil {
		return err
	}
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	edit := readPostFields(in, full)
	if err := in.check(edit.Validate()); err != nil {
		return err
	}
	updated, err := a.svc.EditPost(r.Context(), caller.User, p, edit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPostJSON(*updated))
	return nil
}

// deletePost: DELETE /blog/post/{id}/.
func (a *API) deletePost(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	id, err := postID(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeletePost(r.Context(), caller.User, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
