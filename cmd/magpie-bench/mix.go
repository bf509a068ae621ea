package main

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// op is one kind of request the bench sends.
type op int

const (
	opFeed op = iota
	opPosts
	opMyPosts
	opUsers
	opCreatePost
	opFollow
	opUnfollow
	numOps
)

// opNames are the names --endpoint and --mix take, in the order of op.
var opNames = [numOps]string{"feed", "posts", "my-posts", "users", "create-post", "follow", "unfollow"}

// defaultMix is a feed-heavy social network: mostly home-feed reads, some
// browsing of all posts, some writing, a little following and unfollowing.
const defaultMix = "feed=70,posts=10,create-post=10,follow=5,unfollow=5"

func (o op) String() string { return opNames[o] }

func parseOp(name string) (op, error) {
	for o, n := range opNames {
		if n == name {
			return op(o), nil
		}
	}
	return 0, fmt.Errorf("unknown endpoint %q: want one of %s", name, strings.Join(opNames[:], ", "))
}

// expected reports whether status is a normal answer to o. Follow and
// unfollow target a random user, so in a mix they meet 409 "Already
// following" and 404 "not following" by design.
func (o op) expected(status int) bool {
	switch o {
	case opCreatePost:
		return status == http.StatusCreated
	case opFollow:
		return status == http.StatusCreated || status == http.StatusConflict
	case opUnfollow:
		return status == http.StatusNoContent || status == http.StatusNotFound
	default:
		return status == http.StatusOK
	}
}

// needsOther reports whether o acts on a second user.
func (o op) needsOther() bool { return o == opFollow || o == opUnfollow }

// mix is a weighted choice of operations.
type mix struct {
	ops     []op
	weights []int
	total   int
}

// parseMix reads "feed=70,posts=10,…": operation names with positive
// integer weights, each named once.
func parseMix(s string) (mix, error) {
	var m mix
	if strings.TrimSpace(s) == "" {
		return m, errors.New("empty mix")
	}
	for part := range strings.SplitSeq(s, ",") {
		name, weight, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return mix{}, fmt.Errorf("mix entry %q: want NAME=WEIGHT", part)
		}
		o, err := parseOp(name)
		if err != nil {
			return mix{}, err
		}
		w, err := strconv.Atoi(weight)
		if err != nil || w < 1 {
			return mix{}, fmt.Errorf("mix entry %q: the weight must be a positive integer", part)
		}
		if slices.Contains(m.ops, o) {
			return mix{}, fmt.Errorf("mix names %s twice", o)
		}
		m.ops = append(m.ops, o)
		m.weights = append(m.weights, w)
		m.total += w
	}
	return m, nil
}

// pick returns the operation that n, uniform in [0, m.total), falls on:
// each operation gets as many values of n as its weight.
func (m mix) pick(n int) op {
	for i, w := range m.weights {
		if n < w {
			return m.ops[i]
		}
		n -= w
	}
	panic(fmt.Sprintf("mix.pick(%d) out of range [0, %d)", n, m.total))
}

// needsOther reports whether any operation of the mix acts on a second
// user.
func (m mix) needsOther() bool {
	for _, o := range m.ops {
		if o.needsOther() {
			return true
		}
	}
	return false
}

// String is the mix as parseMix reads it.
func (m mix) String() string {
	parts := make([]string, len(m.ops))
	for i, o := range m.ops {
		parts[i] = o.String() + "=" + strconv.Itoa(m.weights[i])
	}
	return strings.Join(parts, ",")
}
