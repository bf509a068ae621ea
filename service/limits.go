package service

import (
	"context"
	"errors"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/ratelimit"
)

// The service's limits, by the name of what they count: each count's key
// is the name, a colon, and whose it is (a client address, a username).
const (
	limitLogin           = "login"            // POST /auth/token/, per client address
	limitSignup          = "signup"           // POST /auth/signup/, per client address
	limitBasicFailures   = "basic-failures"   // failed HTTP Basic logins, per client address
	limitAccountFailures = "account-failures" // failed password checks, per username
)

// limit counts one event of name for subject against rate and refuses it
// with msg if it is one too many. A limiter that fails lets the event
// through: an outage of the counts' store must not lock everyone out.
func (s *Service) limit(ctx context.Context, name, subject string, rate ratelimit.Rate, msg string) error {
	return s.checkLimit(ctx, name, subject, rate, msg, true)
}

// overLimit refuses with msg if one more event would be too many, without
// counting one: for counts of failures, checked before the work whose
// failure they count.
func (s *Service) overLimit(ctx context.Context, name, subject string, rate ratelimit.Rate, msg string) error {
	return s.checkLimit(ctx, name, subject, rate, msg, false)
}

func (s *Service) checkLimit(ctx context.Context, name, subject string, rate ratelimit.Rate, msg string, count bool) error {
	if s.limiter == nil || !rate.On() || subject == "" {
		return nil
	}
	decide := s.limiter.Peek
	if count {
		decide = s.limiter.Allow
	}
	res, err := decide(ctx, name+":"+subject, rate)
	if err != nil {
		s.log.WarnContext(ctx, "rate limit not checked", "limit", name, "err", err)
		return nil
	}
	if res.Allowed {
		return nil
	}
	if s.onLimited != nil {
		s.onLimited(name)
	}
	return &magpie.Error{Kind: magpie.ELIMITED, Message: msg, RetryAfter: res.RetryAfter}
}

// countFailure counts a failed password check of name for subject.
func (s *Service) countFailure(ctx context.Context, name, subject string, rate ratelimit.Rate) {
	if s.limiter == nil || !rate.On() || subject == "" {
		return
	}
	if _, err := s.limiter.Allow(ctx, name+":"+subject, rate); err != nil {
		s.log.WarnContext(ctx, "failed login not counted", "limit", name, "err", err)
	}
}

// busyRetry is when to try again after the password queue was full.
const busyRetry = time.Second

// passwordError words the errors of hashing: a full queue is EUNAVAILABLE
// with a Retry-After; a context that ended passes as it is.
func passwordError(err error) error {
	if errors.Is(err, auth.ErrBusy) {
		return &magpie.Error{Kind: magpie.EUNAVAILABLE, Message: msgBusy, RetryAfter: busyRetry, Err: err}
	}
	return err
}
