package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/magpie-sns/magpie/api"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
)

const (
	defaultAddr        = "127.0.0.1:8000"
	defaultDrainDelay  = 5 * time.Second
	shutdownTimeout    = 30 * time.Second
	tokenCleanupPeriod = time.Hour
)

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) (err error) {
	env := &envFlags{getenv: getenv}
	fs := newFlagSet("serve", "serve [flags]", stderr)
	addr := fs.String("addr", env.string("MAGPIE_ADDR", defaultAddr),
		"`host:port` to listen on; port 0 picks a free one (env MAGPIE_ADDR)")
	dbURL := databaseFlag(fs, env)
	migrateFirst := fs.Bool("migrate", env.bool("MAGPIE_MIGRATE", true),
		"apply pending migrations at start; if false, refuse to start while any are pending (env MAGPIE_MIGRATE)")
	tokenTTL := fs.Duration("token-ttl", env.duration("MAGPIE_TOKEN_TTL", service.DefaultTokenTTL),
		"lifetime of a login token (env MAGPIE_TOKEN_TTL)")
	drainDelay := fs.Duration("drain-delay", env.duration("MAGPIE_DRAIN_DELAY", defaultDrainDelay),
		"on SIGTERM, stop accepting and give open connections this long to finish and close before shutting down (env MAGPIE_DRAIN_DELAY)")
	trustedProxies := fs.String("trusted-proxies", env.string("MAGPIE_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (env MAGPIE_TRUSTED_PROXIES)")
	logFormat := fs.String("log-format", env.string("MAGPIE_LOG_FORMAT", "text"),
		"log format: text or json (env MAGPIE_LOG_FORMAT)")
	logLevel := fs.String("log-level", env.string("MAGPIE_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (env MAGPIE_LOG_LEVEL)")
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := env.err(); err != nil {
		return err
	}
	if *drainDelay < 0 {
		return usageErrorf("serve: --drain-delay must not be negative, not %v", *drainDelay)
	}
	if *tokenTTL <= 0 {
		return usageErrorf("serve: --token-ttl must be positive, not %v", *tokenTTL)
	}
	proxies, err := server.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return usageErrorf("serve: --trusted-proxies: %v", err)
	}
	logger, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}

	db, engine, err := openDatabase(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	if *migrateFirst {
		if err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	} else {
		pending, err := db.Pending(ctx)
		if err != nil {
			return fmt.Errorf("check migrations: %w", err)
		}
		if pending {
			return errors.New("database schema is out of date; run `magpie migrate` (or serve with --migrate)")
		}
	}

	svc := service.New(service.Config{
		Store:     db,
		Passwords: auth.NewPasswords(auth.DefaultParams),
		TokenTTL:  *tokenTTL,
		Hooks:     []service.Hook{service.AuditLog(logger)},
	})
	handler := server.New(server.Config{Logger: logger, TrustedProxies: proxies})
	handler.Mount("/", api.New(api.Config{
		Service:  svc,
		Logger:   logger,
		Version:  buildVersion(),
		Draining: handler.Draining,
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
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	bound := ln.Addr().String()
	logger.Info("magpie listening", "addr", bound, "docs", "http://"+bound+"/api/docs/",
		"database", engine, "version", buildVersion())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	cleanupCtx, stopCleanup := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { deleteExpiredTokens(cleanupCtx, svc, logger, tokenCleanupPeriod) })
	// Deferred after closeDB, so they run before it: the cleanup goroutine
	// is done with the store before the store is closed.
	defer wg.Wait()
	defer stopCleanup()

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
	logger.Info("draining", "delay", *drainDelay)
	time.Sleep(*drainDelay)
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

// deleteExpiredTokens removes expired login tokens now and then every
// period until ctx is done.
func deleteExpiredTokens(ctx context.Context, svc *service.Service, logger *slog.Logger, period time.Duration) {
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
