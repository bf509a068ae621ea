package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the mix as String writes it
		wantErr string // a part of the error; "" for none
	}{
		{defaultMix, defaultMix, ""},
		{"feed=1", "feed=1", ""},
		{" users=3 , my-posts=1", "users=3,my-posts=1", ""},
		{"", "", "empty mix"},
		{"feed", "", "want NAME=WEIGHT"},
		{"feed=0", "", "positive integer"},
		{"feed=-2", "", "positive integer"},
		{"feed=x", "", "positive integer"},
		{"timeline=1", "", `unknown endpoint "timeline"`},
		{"feed=1,feed=2", "", "names feed twice"},
	}
	for _, tt := range tests {
		m, err := parseMix(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseMix(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseMix(%q): %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("parseMix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMixPick checks that each operation gets exactly as many of the
// values pick is given as its weight: the share the mix promises.
func TestMixPick(t *testing.T) {
	m, err := parseMix(defaultMix)
	if err != nil {
		t.Fatal(err)
	}
	if m.total != 100 {
		t.Fatalf("total %d, want 100", m.total)
	}
	got := map[op]int{}
	for n := range m.total {
		got[m.pick(n)]++
	}
	want := map[op]int{opFeed: 70, opPosts: 10, opCreatePost: 10, opFollow: 5, opUnfollow: 5}
	for o, w := range want {
		if got[o] != w {
			t.Errorf("%s picked %d times in 100, want %d", o, got[o], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("picked %v, want only %v", got, want)
	}
	if !m.needsOther() {
		t.Error("the default mix follows, but needsOther is false")
	}
	if feed, _ := parseMix("feed=1,users=2"); feed.needsOther() {
		t.Error("feed and users need no other user")
	}
}

func TestOpExpected(t *testing.T) {
	tests := []struct {
		op     op
		status int
		want   bool
	}{
		{opFeed, http.StatusOK, true},
		{opFeed, http.StatusUnauthorized, false},
		{opCreatePost, http.StatusCreated, true},
		{opCreatePost, http.StatusOK, false},
		{opFollow, http.StatusCreated, true},
		{opFollow, http.StatusConflict, true},
		{opFollow, http.StatusBadRequest, false},
		{opUnfollow, http.StatusNoContent, true},
		{opUnfollow, http.StatusNotFound, true},
		{opUsers, http.StatusFound, false},
		{opPosts, http.StatusInternalServerError, false},
	}
	for _, tt := range tests {
		if got := tt.op.expected(tt.status); got != tt.want {
			t.Errorf("%s expected(%d) = %v, want %v", tt.op, tt.status, got, tt.want)
		}
	}
}
