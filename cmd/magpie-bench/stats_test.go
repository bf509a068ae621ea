package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		ds := make([]time.Duration, len(ns))
		for i, n := range ns {
			ds[i] = time.Duration(n) * time.Millisecond
		}
		return ds
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 100, 7 * time.Millisecond},
		{ms(1, 2), 50, 1 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 75, 3 * time.Millisecond},
		{ms(1, 2, 3, 4), 76, 4 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 90, 90 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
		{ms(hundred...), 0.001, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("percentile(%d samples, %g) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
		}
	}
}

func TestErrorKind(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1:8000/users/", Err: err} }
	tests := []struct {
		err  error
		want string
	}{
		{wrap(context.DeadlineExceeded), "timeout"},
		{wrap(fmt.Errorf("dial tcp 127.0.0.1:8000: connect: %w", syscall.ECONNREFUSED)), "connection refused"},
		{wrap(fmt.Errorf("read tcp 127.0.0.1:50123->127.0.0.1:8000: %w", syscall.ECONNRESET)), "connection reset"},
		{wrap(errors.New("something new")), "something new"},
	}
	for _, tt := range tests {
		if got := errorKind(tt.err); got != tt.want {
			t.Errorf("errorKind(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestRecorderBoundsErrorKinds(t *testing.T) {
	var rec recorder
	for i := range maxErrorKinds + 5 {
		rec.add(result{op: opFeed, err: fmt.Errorf("error %d", i)})
	}
	if len(rec.errorKinds) != maxErrorKinds+1 || rec.errorKinds["other"] != 5 {
		t.Errorf("%d error kinds, %d other; want %d and 5", len(rec.errorKinds), rec.errorKinds["other"], maxErrorKinds+1)
	}
	if rec.ops[opFeed].transportErrors != maxErrorKinds+5 {
		t.Errorf("%d transport errors, want %d", rec.ops[opFeed].transportErrors, maxErrorKinds+5)
	}
}
