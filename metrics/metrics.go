// Package metrics is Magpie's Prometheus metrics: requests by route and
// status, their latency, the password-hash queue, rate-limit refusals,
// the database connection pools, and the Go runtime. They are served on
// an address of their own, apart from the API.
package metrics

import (
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/server"
)

// Metrics holds Magpie's metrics, in a registry of their own. Its methods
// are safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	hashWait prometheus.Histogram
	limited  *prometheus.CounterVec
}

// New returns the metrics, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "magpie_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "magpie_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "magpie_password_queue_wait_seconds",
			Help:    "Time a password hash waited for a free slot.",
			Buckets: []float64{0, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "magpie_rate_limited_total",
			Help: "Requests refused by a rate limit, by limit.",
		}, []string{"limit"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.hashWait, m.limited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest counts an answered request; it is server.Config's
// OnRequest. Requests no route served are counted under "unmatched", so
// that unknown paths cannot make new series.
func (m *Metrics) ObserveRequest(info server.RequestInfo) {
	route := info.Route
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, info.Method, strconv.Itoa(info.Status)).Inc()
	m.latency.WithLabelValues(route, info.Method).Observe(info.Duration.Seconds())
}

// ObserveHashWait records how long a password hash waited for a slot.
func (m *Metrics) ObserveHashWait(d time.Duration) {
	m.hashWait.Observe(d.Seconds())
}

// CountLimited counts a request a rate limit refused.
func (m *Metrics) CountLimited(limit string) {
	m.limited.WithLabelValues(limit).Inc()
}

// WatchPasswordQueue reports the password-hash queue as queue tells it.
func (m *Metrics) WatchPasswordQueue(queue func() (running, waiting int)) {
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "magpie_password_hashes_running",
			Help: "Password hashes being computed now.",
		}, func() float64 { running, _ := queue(); return float64(running) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "magpie_password_hashes_waiting",
			Help: "Password hashes waiting for a free slot.",
		}, func() float64 { _, waiting := queue(); return float64(waiting) }),
	)
}

// WatchPools reports the database connection pools that stats describes.
func (m *Metrics) WatchPools(stats func() []magpie.PoolStats) {
	m.registry.MustRegister(&poolCollector{stats: stats})
}

// Handler serves the metrics, and with pprof the profiles of
// net/http/pprof under /debug/pprof/.
func (m *Metrics) Handler(pprofToo bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	if pprofToo {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// poolCollector reads the pools' statistics when scraped.
type poolCollector struct {
	stats func() []magpie.PoolStats
}

var (
	poolMax     = prometheus.NewDesc("magpie_db_pool_max_connections", "Most connections the pool opens.", []string{"pool"}, nil)
	poolOpen    = prometheus.NewDesc("magpie_db_pool_open_connections", "Connections open now.", []string{"pool"}, nil)
	poolInUse   = prometheus.NewDesc("magpie_db_pool_in_use_connections", "Connections in use now.", []string{"pool"}, nil)
	poolWaits   = prometheus.NewDesc("magpie_db_pool_waits_total", "Times a query waited for a free connection.", []string{"pool"}, nil)
	poolWaitSec = prometheus.NewDesc("magpie_db_pool_wait_seconds_total", "Time queries waited for a free connection.", []string{"pool"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolMax, poolOpen, poolInUse, poolWaits, poolWaitSec} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxOpen), s.Name)
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.Open), s.Name)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(s.InUse), s.Name)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.WaitCount), s.Name)
		ch <- prometheus.MustNewConstMetric(poolWaitSec, prometheus.CounterValue, s.WaitDuration.Seconds(), s.Name)
	}
}
