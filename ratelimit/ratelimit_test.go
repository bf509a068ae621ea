package ratelimit_test

import (
	"testing"
	"time"

	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/ratelimit/limitertest"
)

func TestMemory(t *testing.T) {
	limitertest.Run(t, func(*testing.T) ratelimit.Limiter { return ratelimit.NewMemory() })
}

func TestParsePolicy(t *testing.T) {
	p, on, err := ratelimit.ParsePolicy("")
	if err != nil || !on || p != ratelimit.DefaultPolicy {
		t.Errorf("empty: %+v, %v, %v; want the default", p, on, err)
	}
	if _, on, err := ratelimit.ParsePolicy("off"); on || err != nil {
		t.Errorf("off: on=%v, %v", on, err)
	}
	p, on, err = ratelimit.ParsePolicy(" login=10/1m , requests=0")
	if err != nil || !on {
		t.Fatalf("items: %v", err)
	}
	want := ratelimit.DefaultPolicy
	want.Login = ratelimit.Rate{Limit: 10, Period: time.Minute}
	want.Requests = ratelimit.Rate{}
	if p != want {
		t.Errorf("items: %+v, want %+v", p, want)
	}
	for _, bad := range []string{"login", "login=10", "login=x/1m", "login=10/1ms", "login=-1/1m", "frobs=1/1m", "login=10/soon"} {
		if _, _, err := ratelimit.ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) accepted it", bad)
		}
	}
}
