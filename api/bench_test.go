package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/api"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/service"
)

// BenchmarkAuthenticatedRequest compares the cost of one authenticated
// request with a bearer token and with HTTP Basic, whose password is
// verified with argon2id on the first request only, using production's
// argon2id costs.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	db := openSQLite(b)
	passwords := auth.NewPasswords(auth.DefaultParams)
	svc := service.New(service.Config{Store: db, Passwords: passwords})
	if _, err := svc.CreateUser(b.Context(), service.NewUser{Username: "alice", Password: "correct-horse-battery"}); err != nil {
		b.Fatal(err)
	}
	srv := api.New(api.Config{Service: svc})
	login := httptest.NewRequest(http.MethodPost, "/auth/token/", strings.NewReader(`{"username": "alice", "password": "correct-horse-battery"}`))
	login.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, login)
	token, _, _ := strings.Cut(strings.TrimPrefix(rec.Body.String(), `{"token":"`), `"`)

	for _, c := range []struct{ name, authz string }{
		{"bearer", "Bearer " + token},
		{"basic", basic("alice", "correct-horse-battery")},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/users/me/", nil)
				req.Header.Set("Authorization", c.authz)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// benchPost is a post with fields of a plausible size: a title of about 50
// characters, and a body of about 1,200 bytes in a few paragraphs with
// quotes, an ampersand and some non-ASCII text, which the encoder escapes
// or checks.
func benchPost(i int) magpie.Post {
	at := time.Date(2026, 11, 26, 5, 7, 55, 78465000, time.UTC).Add(-time.Duration(i) * time.Minute)
	paragraph := `The magpie came back to the fence this morning, "bold as brass" as my grandmother used to say, ` +
		`and stayed long enough for a photo & a cup of tea. Café au lait, croissant, and a jay arguing in the oak. ` +
		`Nothing much happens here, which is the point; écrire un peu chaque jour. `
	return magpie.Post{
		ID:            int64(10_000 - i),
		Title:         fmt.Sprintf("A magpie on the fence, and other news (day %d)", i),
		Body:          strings.Repeat(paragraph+"\n\n", 4),
		OwnerID:       int64(1 + i%37),
		OwnerUsername: fmt.Sprintf("user%03d", 1+i%37),
		OwnerActive:   true,
		CreatedAt:     at,
		UpdatedAt:     at.Add(time.Duration(i%3) * time.Hour),
		LikeCount:     int64(i * 7 % 120),
		CommentCount:  int64(i * 3 % 40),
		Liked:         i%4 == 0,
	}
}

// discard is a ResponseWriter that keeps nothing but how many bytes it was
// given, so that the benchmarks measure the encoding only.
type discard struct {
	header http.Header
	n      int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// BenchmarkWriteFeedPage encodes a page of the feed as its handler does
// (every post list writes the same way), at the default page size and at
// the largest.
func BenchmarkWriteFeedPage(b *testing.B) {
	for _, n := range []int{20, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			posts := make([]magpie.Post, n)
			for i := range posts {
				posts[i] = benchPost(i)
			}
			rec := httptest.NewRecorder()
			api.WritePosts(rec, posts)
			var decoded []map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &decoded); err != nil || len(decoded) != n {
				b.Fatalf("%d posts decoded from the page, %v; want %d", len(decoded), err, n)
			}
			size := rec.Body.Len()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			w := &discard{header: http.Header{}}
			for b.Loop() {
				w.n = 0
				api.WritePosts(w, posts)
				if w.n != size {
					b.Fatalf("wrote %d bytes, want %d", w.n, size)
				}
			}
		})
	}
}

// BenchmarkFeedRequest is a whole authenticated GET of the home feed
// through the handler, with a bearer token: authentication, the store's
// query, the Link header and the encoding, on each engine. Bob, whom
// alice follows, has 100 posts.
func BenchmarkFeedRequest(b *testing.B) {
	for _, eng := range []engine{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(eng.name, func(b *testing.B) {
			ctx := b.Context()
			db := eng.open(b)
			svc := service.New(service.Config{Store: db, Passwords: cheapPasswords})
			var users []*magpie.User
			for _, name := range []string{"alice", "bob"} {
				u, err := svc.CreateUser(ctx, service.NewUser{Username: name, Password: name + "-password"})
				if err != nil {
					b.Fatal(err)
				}
				users = append(users, u)
			}
			alice, bob := users[0], users[1]
			if err := db.CreateFollow(ctx, &magpie.Follow{FollowerID: alice.ID, FollowingID: bob.ID, CreatedAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
			var posts []*magpie.Post
			for i := range 100 {
				p := benchPost(i)
				p.OwnerID = bob.ID
				posts = append(posts, &p)
			}
			if err := db.CreatePosts(ctx, posts); err != nil {
				b.Fatal(err)
			}
			newest := fmt.Sprintf(`[{"id":%d,`, posts[0].ID) // benchPost(0) is the newest
			srv := api.New(api.Config{Service: svc})
			login := httptest.NewRequest(http.MethodPost, "/auth/token/", strings.NewReader(`{"username": "alice", "password": "alice-password"}`))
			login.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, login)
			var tok struct{ Token string }
			if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.Token == "" {
				b.Fatalf("login: %d %s", rec.Code, rec.Body)
			}

			for _, limit := range []int{20, 100} {
				b.Run(fmt.Sprint(limit), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/blog/post/following_post/?limit=%d", limit), nil)
						req.Header.Set("Authorization", "Bearer "+tok.Token)
						rec := httptest.NewRecorder()
						srv.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
						// A full page, starting with bob's newest post.
						if !strings.HasPrefix(rec.Body.String(), newest) || strings.Count(rec.Body.String(), `"owner_username":"bob"`) != limit {
							b.Fatalf("not a page of %d of bob's posts: %.200s", limit, rec.Body)
						}
					}
				})
			}
		})
	}
}
