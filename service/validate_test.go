package service

import (
	"slices"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie"
)

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		name     string
		username string
		want     []string
	}{
		{"letters digits and symbols", "alice.b+c-d_e@9", nil},
		{"unicode letters", "jürgen_日本", nil},
		{"150 characters", strings.Repeat("é", 150), nil},
		{"blank", "", []string{"This field may not be blank."}},
		{"151 characters", strings.Repeat("a", 151), []string{"Ensure this field has no more than 150 characters."}},
		{"space", "a b", []string{"Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."}},
		{"slash", "a/b", []string{"Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."}},
		{"NUL", "a\x00b", []string{"Null characters are not allowed."}},
		{"invalid UTF-8", "a\xffb", []string{"Enter valid UTF-8 text."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := magpie.FieldErrors{}
			validateUsername(fe, tt.username)
			if got := fe["username"]; !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	const short = "This password is too short. It must contain at least 8 characters."
	const numeric = "This password is entirely numeric."
	const similar = "The password is too similar to the username."
	tests := []struct {
		name, password, username string
		want                     []string
	}{
		{"good", "correct-horse", "alice", nil},
		{"eight characters", "abcdefg1", "alice", nil},
		{"short", "abc1", "alice", []string{short}},
		{"short and numeric", "1234", "alice", []string{short, numeric}},
		{"numeric", "12345678901", "alice", []string{numeric}},
		{"same as username, other case", "AliceAlice", "alicealice", []string{similar}},
		{"blank", "", "alice", []string{"This field may not be blank."}},
		{"too long", strings.Repeat("p", magpie.MaxPasswordLen+1), "alice", []string{"Ensure this field has no more than 1024 characters."}},
		{"NUL", "correct\x00horse", "alice", []string{"Null characters are not allowed."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := magpie.FieldErrors{}
			validatePassword(fe, tt.password, tt.username)
			if got := fe["password"]; !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidatePostFields(t *testing.T) {
	tests := []struct {
		name, title, body string
		want              magpie.FieldErrors
	}{
		{"good", "Hello", "World", magpie.FieldErrors{}},
		{"100 multi-byte characters", strings.Repeat("🐦", 100), "b", magpie.FieldErrors{}},
		{"blank title", "  ", "b", magpie.FieldErrors{"title": {"This field may not be blank."}}},
		{"long title", strings.Repeat("x", 101), "b", magpie.FieldErrors{"title": {"Ensure this field has no more than 100 characters."}}},
		{"blank body", "t", "\n", magpie.FieldErrors{"body": {"This field may not be blank."}}},
		{"long body", "t", strings.Repeat("x", magpie.MaxBodyLen+1), magpie.FieldErrors{"body": {"Ensure this field has no more than 100000 characters."}}},
		{"both bad", "", "", magpie.FieldErrors{"title": {"This field may not be blank."}, "body": {"This field may not be blank."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := magpie.FieldErrors{}
			validateTitle(fe, tt.title)
			validateBody(fe, tt.body)
			if len(fe) != len(tt.want) {
				t.Fatalf("got %q, want %q", fe, tt.want)
			}
			for k, v := range tt.want {
				if !slices.Equal(fe[k], v) {
					t.Errorf("%s: got %q, want %q", k, fe[k], v)
				}
			}
			if (fe.Err() == nil) != (len(tt.want) == 0) || (fe.Err() != nil && magpie.ErrorKind(fe.Err()) != magpie.EINVALID) {
				t.Errorf("Err() = %v", fe.Err())
			}
		})
	}
}

func TestPostPermissions(t *testing.T) {
	owner := &magpie.User{ID: 1}
	other := &magpie.User{ID: 2}
	admin := &magpie.User{ID: 3, IsSuperuser: true}
	public := &magpie.Post{OwnerID: 1}
	hidden := &magpie.Post{OwnerID: 1, IsHidden: true}
	tests := []struct {
		name             string
		user             *magpie.User
		post             *magpie.Post
		canView, canEdit bool
	}{
		{"owner, public", owner, public, true, true},
		{"owner, hidden", owner, hidden, true, true},
		{"other, public", other, public, true, false},
		{"other, hidden", other, hidden, false, false},
		{"superuser, hidden", admin, hidden, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canView(tt.user, tt.post); got != tt.canView {
				t.Errorf("CanView = %v", got)
			}
			if got := canModify(tt.user, tt.post); got != tt.canEdit {
				t.Errorf("CanModify = %v", got)
			}
		})
	}
}
