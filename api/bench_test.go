package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
