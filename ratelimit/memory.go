package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is a Limiter that keeps its counts in this process: for a single
// instance, such as one on SQLite. Behind a load balancer each instance
// would count alone; use Redis or PostgreSQL there.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	tats    map[string]time.Time
	checked time.Time // when old keys were last dropped
}

// NewMemory returns an empty Memory limiter.
func NewMemory() *Memory {
	return &Memory{now: time.Now, tats: map[string]time.Time{}}
}

// Allow counts one event of key, if rate allows it now.
func (m *Memory) Allow(_ context.Context, key string, rate Rate) (Result, error) {
	return m.take(key, rate, true), nil
}

// Peek reports whether rate would allow an event of key now.
func (m *Memory) Peek(_ context.Context, key string, rate Rate) (Result, error) {
	return m.take(key, rate, false), nil
}

func (m *Memory) take(key string, rate Rate, count bool) Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	res, tat := gcra(m.tats[key], now, rate)
	if res.Allowed && count {
		m.tats[key] = tat
	}
	// A key whose tat has passed is a full bucket, the same as no key:
	// drop those now and then, so that the map holds only the keys of
	// the last few minutes.
	if now.Sub(m.checked) > time.Minute {
		m.checked = now
		for k, t := range m.tats {
			if !t.After(now) {
				delete(m.tats, k)
			}
		}
	}
	return res
}
