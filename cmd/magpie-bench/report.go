package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is every figure of a run; its JSON field names are documented in
// main.go's doc comment.
type report struct {
	URL               string              `json:"url"`
	Mode              string              `json:"mode"` // "closed" or "open"
	Concurrency       int                 `json:"concurrency,omitempty"`
	Rate              float64             `json:"rate,omitempty"`
	MaxInFlight       int                 `json:"max_in_flight,omitempty"`
	Mix               string              `json:"mix"`
	Users             int                 `json:"users"`
	LoginFailures     int                 `json:"login_failures"`
	WarmupSeconds     float64             `json:"warmup_seconds"`
	DurationSeconds   float64             `json:"duration_seconds"`
	Requests          int64               `json:"requests"`
	RequestsPerSecond float64             `json:"requests_per_second"`
	Latency           latency             `json:"latency_ms"`
	Statuses          map[int]int64       `json:"statuses"`
	Unexpected        int64               `json:"unexpected_responses"`
	TransportErrors   int64               `json:"transport_errors"`
	ErrorKinds        map[string]int64    `json:"transport_error_kinds"`
	Dropped           int64               `json:"dropped"`
	Operations        map[string]opReport `json:"operations"`
	Server            *serverReport       `json:"server,omitempty"`
	Database          *databaseReport     `json:"database,omitempty"`
}

// latency is a distribution of latencies in milliseconds.
type latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// opReport is the figures of one operation of the mix.
type opReport struct {
	Requests        int64         `json:"requests"`
	Latency         latency       `json:"latency_ms"`
	Statuses        map[int]int64 `json:"statuses"`
	Unexpected      int64         `json:"unexpected_responses"`
	TransportErrors int64         `json:"transport_errors"`
}

// serverReport is the server's resident memory in KiB after the run and
// before it (after the logins), and the CPU time it used during the run.
type serverReport struct {
	PID           int   `json:"pid"`
	PeakKiB       int64 `json:"vm_hwm_kib"` // VmHWM: the peak since the process started
	RSSKiB        int64 `json:"vm_rss_kib"`
	PeakBeforeKiB int64 `json:"vm_hwm_kib_before"`
	RSSBeforeKiB  int64 `json:"vm_rss_kib_before"`
	cpuReport
}

// cpuReport is the CPU time a process used during the run (not the
// warm-up), in all and for each request.
type cpuReport struct {
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUPerRequest float64 `json:"cpu_us_per_request"` // microseconds
}

// databaseReport is the CPU time of the database's processes during the
// run: --db-pid and its children.
type databaseReport struct {
	PID int `json:"pid"`
	cpuReport
}

// newCPUReport divides cpu, used by requests, between them.
func newCPUReport(cpu time.Duration, requests int64) cpuReport {
	r := cpuReport{CPUSeconds: cpu.Seconds()}
	if requests > 0 {
		r.CPUPerRequest = float64(cpu.Microseconds()) / float64(requests)
	}
	return r
}

func (c cpuReport) String() string {
	return fmt.Sprintf("CPU %.2f s during the run, %.0f µs a request", c.CPUSeconds, c.CPUPerRequest)
}

// summarize turns what rec holds after a run of elapsed into the figures
// of the report, filling the fields that come from the recorder.
func (r *report) summarize(rec *recorder, elapsed time.Duration) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	r.DurationSeconds = elapsed.Seconds()
	r.Statuses = map[int]int64{}
	r.ErrorKinds = map[string]int64{}
	maps.Copy(r.ErrorKinds, rec.errorKinds)
	r.Dropped = rec.dropped
	r.Operations = map[string]opReport{}
	var all []time.Duration
	for o := range numOps {
		orec := &rec.ops[o]
		n := int64(len(orec.latencies)) + orec.transportErrors
		if n == 0 {
			continue
		}
		sorted := slices.Clone(orec.latencies)
		slices.Sort(sorted)
		opr := opReport{Requests: n, Latency: latencyOf(sorted), Statuses: map[int]int64{}, TransportErrors: orec.transportErrors}
		for status, count := range orec.statuses {
			opr.Statuses[status] = count
			r.Statuses[status] += count
			if !o.expected(status) {
				opr.Unexpected += count
			}
		}
		r.Operations[o.String()] = opr
		r.Requests += n
		r.Unexpected += opr.Unexpected
		r.TransportErrors += orec.transportErrors
		all = append(all, sorted...)
	}
	slices.Sort(all)
	r.Latency = latencyOf(all)
	if elapsed > 0 {
		r.RequestsPerSecond = float64(r.Requests) / elapsed.Seconds()
	}
}

func latencyOf(sorted []time.Duration) latency {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return latency{
		P50: ms(percentile(sorted, 50)),
		P90: ms(percentile(sorted, 90)),
		P99: ms(percentile(sorted, 99)),
		Max: ms(percentile(sorted, 100)),
	}
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeText(w io.Writer) error {
	var b strings.Builder
	if r.Mode == "open" {
		fmt.Fprintf(&b, "open loop at %g requests/s (at most %d in flight) against %s\n", r.Rate, r.MaxInFlight, r.URL)
	} else {
		fmt.Fprintf(&b, "closed loop at concurrency %d against %s\n", r.Concurrency, r.URL)
	}
	fmt.Fprintf(&b, "mix:        %s, as %d users", r.Mix, r.Users)
	if r.LoginFailures > 0 {
		fmt.Fprintf(&b, " (%d more could not log in)", r.LoginFailures)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "requests:   %d in %.2f s = %.1f/s", r.Requests, r.DurationSeconds, r.RequestsPerSecond)
	if r.WarmupSeconds > 0 {
		fmt.Fprintf(&b, ", after a %gs warm-up", r.WarmupSeconds)
	}
	b.WriteString("\n")
	from := "the send"
	if r.Mode == "open" {
		from = "the time each request was due"
	}
	fmt.Fprintf(&b, "latency:    %s (from %s)\n", r.Latency, from)
	fmt.Fprintf(&b, "statuses:   %s (%d unexpected)\n", statusList(r.Statuses), r.Unexpected)
	fmt.Fprintf(&b, "transport errors: %d", r.TransportErrors)
	for _, kind := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
		fmt.Fprintf(&b, "\n  %d × %s", r.ErrorKinds[kind], kind)
	}
	b.WriteString("\n")
	if r.Mode == "open" {
		fmt.Fprintf(&b, "dropped:    %d (due while %d requests were in flight; not sent)\n", r.Dropped, r.MaxInFlight)
	}

	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Names padded to one width stay left-aligned in the right-aligned table.
	const nameWidth = len("create-post")
	fmt.Fprintf(tw, "%-*s\trequests\tp50 ms\tp90 ms\tp99 ms\tmax ms\t\tstatuses\n", nameWidth, "operation")
	for o := range numOps {
		opr, ok := r.Operations[o.String()]
		if !ok {
			continue
		}
		var answers []string
		if len(opr.Statuses) > 0 {
			answers = append(answers, statusList(opr.Statuses))
		}
		if opr.TransportErrors > 0 {
			answers = append(answers, fmt.Sprintf("transport errors: %d", opr.TransportErrors))
		}
		l := opr.Latency
		fmt.Fprintf(tw, "%-*s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t\t%s\n", nameWidth, o, opr.Requests, l.P50, l.P90, l.P99, l.Max, strings.Join(answers, ", "))
	}
	tw.Flush()

	if s := r.Server; s != nil {
		fmt.Fprintf(&b, "\nserver pid %d: peak RSS %s (VmHWM: since the process started; %s before the load, after the logins), RSS now %s (%s before); %s\n",
			s.PID, kib(s.PeakKiB), kib(s.PeakBeforeKiB), kib(s.RSSKiB), kib(s.RSSBeforeKiB), s.cpuReport)
	}
	if d := r.Database; d != nil {
		fmt.Fprintf(&b, "database pid %d and its children: %s\n", d.PID, d.cpuReport)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (l latency) String() string {
	return fmt.Sprintf("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", l.P50, l.P90, l.P99, l.Max)
}

// statusList is "200: 9000, 409: 12", by status.
func statusList(statuses map[int]int64) string {
	if len(statuses) == 0 {
		return "none"
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("%d: %d", s, statuses[s]))
	}
	return strings.Join(parts, ", ")
}

func kib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/1024) }
