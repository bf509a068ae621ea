package redis_test

import (
	"os"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/ratelimit/limitertest"
	"github.com/magpie-sns/magpie/redis"
)

// envURL names the environment variable of a Redis for the tests, such as
// redis://127.0.0.1:6379/0. The tests make keys of their own and leave
// them to expire.
const envURL = "MAGPIE_TEST_REDIS_URL"

func TestLimiter(t *testing.T) {
	url := os.Getenv(envURL)
	if url == "" {
		t.Skip(envURL + " not set")
	}
	limitertest.Run(t, func(t *testing.T) ratelimit.Limiter {
		l, err := redis.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	})
}

func TestOpenErrors(t *testing.T) {
	for _, url := range []string{"redis://:s3cret@127.0.0.1:1/0", "http://127.0.0.1:6379", "redis://:s3cret@[::1"} {
		l, err := redis.Open(t.Context(), url)
		if err == nil {
			l.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): the error shows the password: %v", url, err)
		}
	}
}
