package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleReport is a run of 12 requests in 2 s: ten feed reads of 1…10 ms,
// a follow answered 409 after 20 ms, and a refused unfollow.
func sampleReport() *report {
	var rec recorder
	for i := 1; i <= 10; i++ {
		rec.add(result{op: opFeed, status: 200, latency: time.Duration(i) * time.Millisecond})
	}
	rec.add(result{op: opFollow, status: 409, latency: 20 * time.Millisecond})
	rec.add(result{op: opUnfollow, err: errors.New("boom")})
	rec.drop()
	r := &report{URL: "http://127.0.0.1:8000", Mode: "open", Rate: 6, MaxInFlight: 10, Mix: defaultMix, Users: 3, LoginFailures: 1}
	r.summarize(&rec, 2*time.Second)
	r.Server = &serverReport{PID: 42, PeakKiB: 2048, RSSKiB: 1024, PeakBeforeKiB: 1536, RSSBeforeKiB: 512,
		cpuReport: newCPUReport(1500*time.Millisecond, 12)}
	r.Database = &databaseReport{PID: 7, cpuReport: newCPUReport(3*time.Second, 12)}
	return r
}

func TestReportJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().writeJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, buf.String())
	}
	want := map[string]any{
		"url":                   "http://127.0.0.1:8000",
		"mode":                  "open",
		"rate":                  6.0,
		"max_in_flight":         10.0,
		"mix":                   defaultMix,
		"users":                 3.0,
		"login_failures":        1.0,
		"warmup_seconds":        0.0,
		"duration_seconds":      2.0,
		"requests":              12.0,
		"requests_per_second":   6.0,
		"latency_ms":            map[string]any{"p50": 6.0, "p90": 10.0, "p99": 20.0, "max": 20.0},
		"statuses":              map[string]any{"200": 10.0, "409": 1.0},
		"unexpected_responses":  0.0,
		"transport_errors":      1.0,
		"transport_error_kinds": map[string]any{"boom": 1.0},
		"dropped":               1.0,
		"operations": map[string]any{
			"feed": map[string]any{
				"requests":             10.0,
				"latency_ms":           map[string]any{"p50": 5.0, "p90": 9.0, "p99": 10.0, "max": 10.0},
				"statuses":             map[string]any{"200": 10.0},
				"unexpected_responses": 0.0,
				"transport_errors":     0.0,
			},
			"follow": map[string]any{
				"requests":             1.0,
				"latency_ms":           map[string]any{"p50": 20.0, "p90": 20.0, "p99": 20.0, "max": 20.0},
				"statuses":             map[string]any{"409": 1.0},
				"unexpected_responses": 0.0,
				"transport_errors":     0.0,
			},
			"unfollow": map[string]any{
				"requests":             1.0,
				"latency_ms":           map[string]any{"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0},
				"statuses":             map[string]any{},
				"unexpected_responses": 0.0,
				"transport_errors":     1.0,
			},
		},
		"server": map[string]any{"pid": 42.0, "vm_hwm_kib": 2048.0, "vm_rss_kib": 1024.0, "vm_hwm_kib_before": 1536.0, "vm_rss_kib_before": 512.0,
			"cpu_seconds": 1.5, "cpu_us_per_request": 125000.0},
		"database": map[string]any{"pid": 7.0, "cpu_seconds": 3.0, "cpu_us_per_request": 250000.0},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s = %#v", k, got[k])
		}
	}
}

func TestReportText(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().writeText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"open loop at 6 requests/s (at most 10 in flight) against http://127.0.0.1:8000\n",
		"requests:   12 in 2.00 s = 6.0/s\n",
		"latency:    p50 6.00 ms, p90 10.00 ms, p99 20.00 ms, max 20.00 ms (from the time each request was due)\n",
		"statuses:   200: 10, 409: 1 (0 unexpected)\n",
		"transport errors: 1\n  1 × boom\n",
		"dropped:    1 ",
		"409: 1",
		"server pid 42: peak RSS 2.0 MiB",
		"; CPU 1.50 s during the run, 125000 µs a request\n",
		"database pid 7 and its children: CPU 3.00 s during the run, 250000 µs a request\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}
