package main

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// result is the outcome of one request.
type result struct {
	op      op
	status  int // 0 when err is set
	latency time.Duration
	err     error // a transport error: no complete response
}

// maxErrorKinds bounds the distinct transport error texts kept; the rest
// are counted as "other".
const maxErrorKinds = 20

// recorder collects results; it is safe for concurrent use.
//
// It keeps every latency, exactly: 8 bytes a response, so its memory is
// bounded by --requests, or by --duration times the rate reached (ten
// minutes at 10,000 requests a second is 48 MB). Exact samples give exact
// percentiles, with no histogram precision to account for.
type recorder struct {
	mu         sync.Mutex
	ops        [numOps]opRecord
	errorKinds map[string]int64
	dropped    int64
}

// opRecord is what the recorder holds for one operation.
type opRecord struct {
	latencies       []time.Duration // of responses, whatever their status
	statuses        map[int]int64
	transportErrors int64
}

func (r *recorder) add(res result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := &r.ops[res.op]
	if res.err != nil {
		rec.transportErrors++
		if r.errorKinds == nil {
			r.errorKinds = map[string]int64{}
		}
		kind := errorKind(res.err)
		if _, ok := r.errorKinds[kind]; !ok && len(r.errorKinds) >= maxErrorKinds {
			kind = "other"
		}
		r.errorKinds[kind]++
		return
	}
	rec.latencies = append(rec.latencies, res.latency)
	if rec.statuses == nil {
		rec.statuses = map[int]int64{}
	}
	rec.statuses[res.status]++
}

// drop counts a request of the open loop that was due but not sent.
func (r *recorder) drop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dropped++
}

// errorKind names a transport error by its cause, without the addresses
// and ports that would make every error of a kind distinct.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the response ended"
	}
	// The request's method and URL are the same for every request of a
	// kind: keep only the cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest sample that at least p% of the
// samples are less than or equal to. It is 0 when there are no samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
