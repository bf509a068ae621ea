package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/service"
)

// like: POST /blog/post/{id}/like/. The answer is the post as it now is:
// 201 when this made the like, 200 when the caller liked it already.
func (a *API) like(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	id, err := postID(r)
	if err != nil {
		return err
	}
	p, created, err := a.svc.Like(r.Context(), caller.User, id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, newPostJSON(*p))
	return nil
}

// unlike: DELETE /blog/post/{id}/like/. The answer is the post as it now
// is, 200, whether or not the caller liked it.
func (a *API) unlike(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	id, err := postID(r)
	if err != nil {
		return err
	}
	p, err := a.svc.Unlike(r.Context(), caller.User, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPostJSON(*p))
	return nil
}

type likeEntryJSON struct {
	ID        int64     `json:"id"`
	User      int64     `json:"user"`
	Username  string    `json:"username"`
	CreatedAt timestamp `json:"created_at"`
}

func newLikeEntryJSON(e magpie.UserEntry) likeEntryJSON {
	return likeEntryJSON{ID: e.ID, User: e.UserID, Username: e.Username, CreatedAt: timestamp(e.CreatedAt)}
}

// likes lists who likes the post of the path: GET /blog/post/{id}/likes/.
func (a *API) likes(r *http.Request) lister[magpie.UserEntry] {
	id, err := postID(r)
	return func(ctx context.Context, caller *magpie.User, page magpie.Page) (service.List[magpie.UserEntry], error) {
		if err != nil {
			return service.List[magpie.UserEntry]{}, err
		}
		return a.svc.ListLikes(ctx, caller, id, page)
	}
}

type commentJSON struct {
	ID             int64     `json:"id"`
	Post           int64     `json:"post"`
	Author         int64     `json:"author"`
	AuthorUsername string    `json:"author_username"`
	Body           string    `json:"body"`
	CreatedAt      timestamp `json:"created_at"`
	UpdatedAt      timestamp `json:"updated_at"`
}

func newCommentJSON(c magpie.Comment) commentJSON {
	return commentJSON{ID: c.ID, Post: c.PostID, Author: c.AuthorID, AuthorUsername: c.AuthorUsername,
		Body: c.Body, CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt)}
}

// comments lists the comments on the post of the path, oldest first:
// GET /blog/post/{id}/comments/.
func (a *API) comments(r *http.Request) lister[magpie.Comment] {
	id, err := postID(r)
	return func(ctx context.Context, caller *magpie.User, page magpie.Page) (service.List[magpie.Comment], error) {
		if err != nil {
			return service.List[magpie.Comment]{}, err
		}
		return a.svc.ListComments(ctx, caller, id, page)
	}
}

// comment: POST /blog/post/{id}/comments/ {"body"}.
func (a *API) comment(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	id, err := postID(r)
	if err != nil {
		return err
	}
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	body, _ := in.string("body", true)
	if err := in.check(service.CommentFields(body)); err != nil {
		return err
	}
	c, err := a.svc.Comment(r.Context(), caller.User, id, body)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/blog/post/%d/comments/%d/", id, c.ID))
	writeJSON(w, http.StatusCreated, newCommentJSON(*c))
	return nil
}

// commentIDs reads the post and comment ids of the path; ids that are not
// integers name nothing.
func commentIDs(r *http.Request) (postID, commentID int64, err error) {
	postID, err = strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		commentID, err = strconv.ParseInt(r.PathValue("comment_id"), 10, 64)
	}
	if err != nil {
		return 0, 0, service.NotFound()
	}
	return postID, commentID, nil
}

// editComment: PATCH /blog/post/{id}/comments/{comment_id}/ {"body"}, by
// its author. 404, then 403, then 400, as for a post.
func (a *API) editComment(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	postID, commentID, err := commentIDs(r)
	if err != nil {
		return err
	}
	c, err := a.svc.CommentToEdit(r.Context(), caller.User, postID, commentID)
	if err != nil {
		return err
	}
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	body, _ := in.string("body", true)
	if err := in.check(service.CommentFields(body)); err != nil {
		return err
	}
	updated, err := a.svc.EditComment(r.Context(), caller.User, c, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newCommentJSON(*updated))
	return nil
}

// deleteComment: DELETE /blog/post/{id}/comments/{comment_id}/, by its
// author, the post's owner or a superuser.
func (a *API) deleteComment(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	postID, commentID, err := commentIDs(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteComment(r.Context(), caller.User, postID, commentID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
