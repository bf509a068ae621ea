package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/api"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/metrics"
	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/redis"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
)

const (
	defaultAddr           = "127.0.0.1:8000"
	defaultMetricsAddr    = "127.0.0.1:9464"
	defaultDrainDelay     = 5 * time.Second
	defaultRequestTimeout = 10 * time.Second
	shutdownTimeout       = 30 * time.Second
	cleanupPeriod         = 10 * time.Minute
)

// serveFlags are serve's settings, from flags and the environment.
type serveFlags struct {
	addr, dbURL          string
	migrate              bool
	tokenTTL, drainDelay time.Duration
	requestTimeout       time.Duration
	trustedProxies       []netip.Prefix
	publicURL            *url.URL
	corsOrigins          []string
	rateLimit            string
	policy               ratelimit.Policy
	limits               bool
	redisURL             string
	metricsAddr          string
	pprof                bool
	logFormat, logLevel  string
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (*serveFlags, error) {
	env := &envFlags{getenv: getenv}
	f := &serveFlags{}
	fs := newFlagSet("serve", "serve [flags]", stderr)
	fs.StringVar(&f.addr, "addr", env.string("MAGPIE_ADDR", defaultAddr),
		"`host:port` to listen on; port 0 picks a free one (env MAGPIE_ADDR)")
	dbURL := databaseFlag(fs, env)
	fs.BoolVar(&f.migrate, "migrate", env.bool("MAGPIE_MIGRATE", true),
		"apply pending migrations at start; if false, refuse to start while any are pending (env MAGPIE_MIGRATE)")
	fs.DurationVar(&f.tokenTTL, "token-ttl", env.duration("MAGPIE_TOKEN_TTL", service.DefaultTokenTTL),
		"lifetime of a login token (env MAGPIE_TOKEN_TTL)")
	fs.DurationVar(&f.drainDelay, "drain-delay", env.duration("MAGPIE_DRAIN_DELAY", defaultDrainDelay),
		"on SIGTERM, stop accepting and give open connections this long to finish and close before shutting down (env MAGPIE_DRAIN_DELAY)")
	fs.DurationVar(&f.requestTimeout, "request-timeout", env.duration("MAGPIE_REQUEST_TIMEOUT", defaultRequestTimeout),
		"the longest a request waits on the database or a password check before it is answered 503 (env MAGPIE_REQUEST_TIMEOUT)")
	trustedProxies := fs.String("trusted-proxies", env.string("MAGPIE_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For, -Proto and -Host are believed (env MAGPIE_TRUSTED_PROXIES)")
	publicURL := fs.String("public-url", env.string("MAGPIE_PUBLIC_URL", ""),
		"the URL clients reach the API at, such as https://api.example.org, for the links it writes (env MAGPIE_PUBLIC_URL)")
	corsOrigins := fs.String("cors-origins", env.string("MAGPIE_CORS_ORIGINS", ""),
		"comma-separated origins whose browser pages may call the API, or * for any; none by default (env MAGPIE_CORS_ORIGINS)")
	fs.StringVar(&f.rateLimit, "rate-limit", env.string("MAGPIE_RATE_LIMIT", ""),
		"rate limits: off, or NAME=LIMIT/PERIOD,… changing the defaults requests=1200/1m, login=25/5m, signup=5/30m, basic-failures=25/5m, account-failures=10/15m (env MAGPIE_RATE_LIMIT)")
	fs.StringVar(&f.redisURL, "redis", env.string("MAGPIE_REDIS_URL", ""),
		"redis:// URL of the Redis that keeps the rate-limit counts; without it they are kept in PostgreSQL, or in memory on SQLite (env MAGPIE_REDIS_URL)")
	fs.StringVar(&f.metricsAddr, "metrics-addr", env.string("MAGPIE_METRICS_ADDR", defaultMetricsAddr),
		"`host:port` of /metrics (Prometheus), apart from the API; empty for none (env MAGPIE_METRICS_ADDR)")
	fs.BoolVar(&f.pprof, "pprof", env.bool("MAGPIE_PPROF", false),
		"also serve net/http/pprof's /debug/pprof/ on the metrics address (env MAGPIE_PPROF)")
	fs.StringVar(&f.logFormat, "log-format", env.string("MAGPIE_LOG_FORMAT", "text"),
		"log format: text or json (env MAGPIE_LOG_FORMAT)")
	fs.StringVar(&f.logLevel, "log-level", env.string("MAGPIE_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (env MAGPIE_LOG_LEVEL)")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageErrorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := env.err(); err != nil {
		return nil, err
	}
	f.dbURL = *dbURL
	switch {
	case f.drainDelay < 0:
		return nil, usageErrorf("serve: --drain-delay must not be negative, not %v", f.drainDelay)
	case f.tokenTTL <= 0:
		return nil, usageErrorf("serve: --token-ttl must be positive, not %v", f.tokenTTL)
	case f.requestTimeout <= 0:
		return nil, usageErrorf("serve: --request-timeout must be positive, not %v", f.requestTimeout)
	case f.pprof && f.metricsAddr == "":
		return nil, usageErrorf("serve: --pprof needs --metrics-addr")
	}
	var err error
	if f.trustedProxies, err = server.ParseTrustedProxies(*trustedProxies); err != nil {
		return nil, usageErrorf("serve: --trusted-proxies: %v", err)
	}
	if f.corsOrigins, err = server.ParseCORSOrigins(*corsOrigins); err != nil {
		return nil, usageErrorf("serve: --cors-origins: %v", err)
	}
	if f.policy, f.limits, err = ratelimit.ParsePolicy(f.rateLimit); err != nil {
		return nil, usageErrorf("serve: --rate-limit: %v", err)
	}
	if *publicURL != "" {
		u, err := url.Parse(*publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, usageErrorf("serve: --public-url %q: want http(s)://host[:port][/path]", *publicURL)
		}
		f.publicURL = u
	}
	if f.redisURL != "" && !strings.HasPrefix(f.redisURL, "redis://") && !strings.HasPrefix(f.redisURL, "rediss://") {
		return nil, usageErrorf("serve: --redis: want a redis:// or rediss:// URL")
	}
	return f, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) (err error) {
	f, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return helpOK(err)
	}
	logger, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}

	// Bind first: a port already taken fails before the database is
	// touched. Connections wait in the backlog until serving starts.
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", f.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	db, engine, err := openDatabase(ctx, f.dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	if err := prepareSchema(ctx, db, f.migrate); err != nil {
		return err
	}
	limiter, closeLimiter, err := openLimiter(ctx, f, db, engine)
	if err != nil {
		return err
	}
	defer closeLimiter()

	m := metrics.New()
	passwords := auth.NewPasswords(auth.DefaultParams)
	passwords.OnWait = m.ObserveHashWait
	m.WatchPasswordQueue(passwords.Queue)
	if p, ok := db.(interface{ PoolStats() []magpie.PoolStats }); ok {
		m.WatchPools(p.PoolStats)
	}
	svc := service.New(service.Config{
		Store:     db,
		Passwords: passwords,
		TokenTTL:  f.tokenTTL,
		Hooks:     []service.Hook{service.AuditLog(logger)},
		Logger:    logger,
		Limiter:   limiter,
		Policy:    f.policy,
		OnLimited: m.CountLimited,
	})
	handler := server.New(server.Config{
		Logger:         logger,
		TrustedProxies: f.trustedProxies,
		CORSOrigins:    f.corsOrigins,
		Limiter:        limiter,
		Requests:       f.policy.Requests,
		Unlimited:      []string{"/health/", "/ready/"},
		RequestTimeout: f.requestTimeout,
		OnRequest:      m.ObserveRequest,
	})
	bound := ln.Addr().String()
	handler.Mount("/", api.New(api.Config{
		Service:   svc,
		Logger:    logger,
		Version:   buildVersion(),
		Draining:  handler.Draining,
		PublicURL: publicURL(f.publicURL, bound),
	}))
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	var background sync.WaitGroup
	backgroundCtx, stopBackground := context.WithCancel(context.Background())
	// Deferred after closeDB and closeLimiter, so they run before them:
	// the background goroutines are done with the store first.
	defer background.Wait()
	defer stopBackground()
	if f.metricsAddr != "" {
		metricsAddr, err := serveMetrics(backgroundCtx, &background, f.metricsAddr, m.Handler(f.pprof), logger)
		if err != nil {
			return err
		}
		logger.Info("metrics listening", "addr", metricsAddr, "pprof", f.pprof)
	}
	background.Go(func() { cleanUp(backgroundCtx, svc, db, logger, cleanupPeriod) })

	logger.Info("magpie listening", "addr", bound, "docs", "http://"+bound+"/api/docs/",
		"database", engine, "rate_limits", limitsName(f, engine), "version", buildVersion())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Stop accepting at once: a proxy's new connections are refused before
	// any byte of a request is sent, so it can retry them on another
	// instance, even a POST. The connections already open keep working
	// while draining, but each closes after its next response, and /ready/
	// fails; after the delay no idle connection is left for Shutdown to
	// close under a proxy that is just sending on it (see deploy/nginx).
	handler.Drain()
	ln.Close()
	logger.Info("draining", "delay", f.drainDelay)
	time.Sleep(f.drainDelay)
	logger.Info("shutting down", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, net.ErrClosed) && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// prepareSchema migrates, or makes sure no migration is pending.
func prepareSchema(ctx context.Context, db database, migrate bool) error {
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	pending, err := db.Pending(ctx)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if pending {
		return errors.New("database schema is out of date; run `magpie migrate` (or serve with --migrate)")
	}
	return nil
}

// openLimiter returns the store of rate-limit counts: Redis if given, else
// the PostgreSQL database, which every instance shares, else memory (one
// SQLite instance); nil if limits are off.
func openLimiter(ctx context.Context, f *serveFlags, db database, engine string) (ratelimit.Limiter, func(), error) {
	switch {
	case !f.limits:
		return nil, func() {}, nil
	case f.redisURL != "":
		l, err := redis.Open(ctx, f.redisURL)
		if err != nil {
			return nil, nil, err
		}
		return l, func() { l.Close() }, nil
	case engine == "postgres":
		return db.(ratelimit.Limiter), func() {}, nil
	default:
		return ratelimit.NewMemory(), func() {}, nil
	}
}

// limitsName says, for the log, where rate limits are counted.
func limitsName(f *serveFlags, engine string) string {
	switch {
	case !f.limits:
		return "off"
	case f.redisURL != "":
		return "redis"
	case engine == "postgres":
		return "postgres"
	default:
		return "memory"
	}
}

// publicURL is where clients reach the API: the configured URL, or the
// address serve listens on if it names one host (127.0.0.1:8000); nil
// when it listens on every address, which names none: links are then
// relative, or on the host a trusted proxy passes on.
func publicURL(configured *url.URL, bound string) *url.URL {
	if configured != nil {
		return configured
	}
	host, _, err := net.SplitHostPort(bound)
	if ip, perr := netip.ParseAddr(host); err != nil || perr != nil || ip.IsUnspecified() {
		return nil
	}
	return &url.URL{Scheme: "http", Host: bound}
}

// serveMetrics serves h on addr until ctx ends.
func serveMetrics(ctx context.Context, wg *sync.WaitGroup, addr string, h http.Handler, logger *slog.Logger) (string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metrics: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server", "err", err)
		}
	})
	wg.Go(func() {
		<-ctx.Done()
		srv.Close()
	})
	return ln.Addr().String(), nil
}

// cleanUp removes expired login tokens, and on PostgreSQL the rate-limit
// counts that have run out, now and then every period until ctx is done.
func cleanUp(ctx context.Context, svc *service.Service, db database, logger *slog.Logger, period time.Duration) {
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	for {
		n, err := svc.DeleteExpiredTokens(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Error("delete expired tokens", "err", err)
		case n > 0:
			logger.Info("deleted expired tokens", "count", n)
		}
		if pg, ok := db.(interface {
			DeleteSpentRateLimits(context.Context) (int64, error)
		}); ok {
			if _, err := pg.DeleteSpentRateLimits(ctx); err != nil && ctx.Err() == nil {
				logger.Error("delete spent rate-limit counts", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// newLogger returns a slog logger writing to w in the given format
// (text or json) from the given level up.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(server.LogHandler(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(server.LogHandler(slog.NewJSONHandler(w, opts))), nil
	default:
		return nil, usageErrorf("--log-format %q: want text or json", format)
	}
}
