package service_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
)

var cheapPasswords = auth.NewPasswords(auth.Params{Time: 1, MemoryKiB: 64, Threads: 1})

// recorder is a hook that keeps the names of the events it is handed.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Handle(_ context.Context, e magpie.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e.Name())
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// newService returns a service on a fresh database whose clock
// moves one second at each reading, and the hook that sees its events.
func newService(t *testing.T) (*service.Service, *recorder) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), sqlitetest.NewFile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var mu sync.Mutex
	now := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	rec := &recorder{}
	return service.New(service.Config{Store: db, Passwords: cheapPasswords, Now: clock, Hooks: []service.Hook{rec}}), rec
}

func mustUser(t *testing.T, svc *service.Service, name string, superuser bool) *magpie.User {
	t.Helper()
	u, err := svc.CreateUser(t.Context(), service.NewUser{Username: name, Password: name + "-password", Superuser: superuser})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func wantKind(t *testing.T, what string, err error, kind string) {
	t.Helper()
	if got := magpie.ErrorKind(err); err == nil || got != kind {
		t.Errorf("%s: err = %v, want kind %s", what, err, kind)
	}
}

// Every successful write hands its event to the hooks, in order; a write
// that fails hands none.
func TestHooksSeeEveryWrite(t *testing.T) {
	ctx := t.Context()
	svc, rec := newService(t)
	alice := mustUser(t, svc, "alice", false)
	bob := mustUser(t, svc, "bob", false)
	p, err := svc.CreatePost(ctx, alice, service.NewPost{Title: "t", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	title := "t2"
	if _, err := svc.EditPost(ctx, alice, p, service.PostEdit{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Follow(ctx, bob, service.FollowTarget{Username: "alice", ByUsername: true, Field: "username"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Unfollow(ctx, bob, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeletePost(ctx, alice, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreatePosts(ctx, bob, []service.NewPost{{Title: "a", Body: "b"}, {Title: "c", Body: "d"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"user.created", "user.created", "post.created", "post.updated", "follow.created", "follow.deleted", "post.deleted", "post.created", "post.created"}
	if got := rec.take(); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}

	// Failures: a taken name, a bad post, someone else's post, a double
	// follow, a batch with one bad post.
	q, err := svc.CreatePost(ctx, alice, service.NewPost{Title: "mine", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Follow(ctx, bob, service.FollowTarget{ID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	rec.take()
	for what, err := range map[string]error{
		"taken name":  second(svc.CreateUser(ctx, service.NewUser{Username: "alice", Password: "another-password"})),
		"bad post":    second(svc.CreatePost(ctx, alice, service.NewPost{Title: "", Body: "b"})),
		"not yours":   svc.DeletePost(ctx, bob, q.ID),
		"followed":    second(svc.Follow(ctx, bob, service.FollowTarget{ID: alice.ID})),
		"a bad batch": second(svc.CreatePosts(ctx, bob, []service.NewPost{{Title: "ok", Body: "b"}, {Title: "", Body: "b"}})),
	} {
		if err == nil {
			t.Errorf("%s: no error", what)
		}
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("failed writes published %v", got)
	}
}

// second returns the error of a call that returns a value and an error.
func second[T any](_ T, err error) error { return err }

// The rules of posts, decided here whichever client asks.
func TestPostRules(t *testing.T) {
	ctx := t.Context()
	svc, _ := newService(t)
	alice := mustUser(t, svc, "alice", false)
	bob := mustUser(t, svc, "bob", false)
	root := mustUser(t, svc, "root", true)
	hidden, err := svc.CreatePost(ctx, alice, service.NewPost{Title: "secret", Body: "b", IsHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	public, err := svc.CreatePost(ctx, alice, service.NewPost{Title: "hello", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = svc.Post(ctx, bob, hidden.ID)
	wantKind(t, "bob reads alice's hidden post", err, magpie.ENOTFOUND)
	_, err = svc.PostToEdit(ctx, bob, hidden.ID)
	wantKind(t, "bob edits alice's hidden post", err, magpie.ENOTFOUND)
	_, err = svc.PostToEdit(ctx, bob, public.ID)
	wantKind(t, "bob edits alice's post", err, magpie.EFORBIDDEN)
	_, err = svc.EditPost(ctx, bob, public, service.PostEdit{})
	wantKind(t, "bob edits alice's post he was handed", err, magpie.EFORBIDDEN)
	wantKind(t, "bob deletes alice's post", svc.DeletePost(ctx, bob, public.ID), magpie.EFORBIDDEN)
	if _, err := svc.Post(ctx, root, hidden.ID); err != nil {
		t.Errorf("a superuser reads a hidden post: %v", err)
	}

	// The clock is the service's: created and updated times come from it.
	blank := ""
	_, err = svc.EditPost(ctx, root, public, service.PostEdit{Title: &blank})
	wantKind(t, "a blank title", err, magpie.EINVALID)
	title := "edited by root"
	edited, err := svc.EditPost(ctx, root, public, service.PostEdit{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	if !edited.UpdatedAt.After(public.UpdatedAt) || !edited.CreatedAt.Equal(public.CreatedAt) {
		t.Errorf("edit times: created %v → %v, updated %v → %v", public.CreatedAt, edited.CreatedAt, public.UpdatedAt, edited.UpdatedAt)
	}
	if err := svc.DeletePost(ctx, root, public.ID); err != nil {
		t.Errorf("a superuser deletes a post: %v", err)
	}
	_, err = svc.EditPost(ctx, alice, public, service.PostEdit{Title: &title})
	wantKind(t, "edit a deleted post", err, magpie.ENOTFOUND)
}

func TestFollowRules(t *testing.T) {
	ctx := t.Context()
	svc, _ := newService(t)
	alice := mustUser(t, svc, "alice", false)
	mustUser(t, svc, "bob", false)

	_, err := svc.Follow(ctx, alice, service.FollowTarget{Username: "alice", ByUsername: true, Field: "username"})
	var e *magpie.Error
	if !errors.As(err, &e) || len(e.Fields["username"]) != 1 {
		t.Errorf("following yourself: %v, want a field error on username", err)
	}
	_, err = svc.Follow(ctx, alice, service.FollowTarget{ID: 999, Field: "following"})
	wantKind(t, "follow a missing id", err, magpie.ENOTFOUND)
	_, err = svc.Follow(ctx, alice, service.FollowTarget{Username: "bo\x00b", ByUsername: true})
	wantKind(t, "follow an impossible name", err, magpie.ENOTFOUND)
	if _, err := svc.Follow(ctx, alice, service.FollowTarget{Username: "bob", ByUsername: true}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Follow(ctx, alice, service.FollowTarget{Username: "bob", ByUsername: true})
	wantKind(t, "follow twice", err, magpie.ECONFLICT)
	wantKind(t, "unfollow a stranger", svc.Unfollow(ctx, alice, "nobody"), magpie.ENOTFOUND)
	if err := svc.Unfollow(ctx, alice, "bob"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "unfollow twice", svc.Unfollow(ctx, alice, "bob"), magpie.ENOTFOUND)
}

// Lists come in pages: Next is where the following page starts, nil on the
// last; a page of no rows asks nothing.
func TestListPages(t *testing.T) {
	ctx := t.Context()
	svc, _ := newService(t)
	alice := mustUser(t, svc, "alice", false)
	for range 5 {
		if _, err := svc.CreatePost(ctx, alice, service.NewPost{Title: "t", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	var seen int
	page := magpie.Page{Limit: 2}
	for pages := 1; ; pages++ {
		l, err := svc.ListOwnPosts(ctx, alice, page)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(l.Items)
		if l.Next == nil {
			if pages != 3 || seen != 5 {
				t.Errorf("%d pages, %d posts; want 3 and 5", pages, seen)
			}
			break
		}
		if len(l.Items) != 2 {
			t.Fatalf("page %d: %d rows before the last page", pages, len(l.Items))
		}
		page.After = l.Next
	}
	for _, limit := range []int{0, -1} {
		l, err := svc.ListPosts(ctx, alice, magpie.Page{Limit: limit})
		if err != nil || len(l.Items) != 0 || l.Next != nil {
			t.Errorf("Limit %d: %+v, %v; want nothing", limit, l, err)
		}
	}
}

func TestLogInAndOut(t *testing.T) {
	ctx := t.Context()
	svc, _ := newService(t)
	mustUser(t, svc, "alice", false)
	_, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "wrong-password"})
	wantKind(t, "wrong password", err, magpie.EUNAUTHORIZED)
	_, err = svc.LogIn(ctx, service.Credentials{Username: "nobody", Password: "alice-password"})
	wantKind(t, "unknown user", err, magpie.EUNAUTHORIZED)
	tok, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "alice-password"})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := svc.TokenSession(ctx, tok.Token)
	if err != nil || sess.User.Username != "alice" {
		t.Fatalf("TokenSession: %+v, %v", sess, err)
	}
	if err := svc.LogOut(ctx, sess); err != nil {
		t.Fatal(err)
	}
	_, err = svc.TokenSession(ctx, tok.Token)
	wantKind(t, "token after logout", err, magpie.EUNAUTHORIZED)
}
