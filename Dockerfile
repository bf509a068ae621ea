# syntax=docker/dockerfile:1
#
# Magpie's container image: the static magpie binary on distroless.
#
#   docker build -t magpie --build-arg VERSION=$(git rev-parse --short HEAD) .
#   docker run --rm -p 8000:8000 -v magpie-data:/var/lib/magpie magpie
#
# With no configuration it serves on 0.0.0.0:8000 with SQLite in the volume
# /var/lib/magpie. In production set MAGPIE_DATABASE_URL=postgres://… and run
# `magpie migrate` once per release (see deploy/).

# The build runs on the builder's own platform and cross-compiles (the
# binary is pure Go), so a multi-platform build needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src

# Modules first, in their own layer: source edits do not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
ARG VERSION=dev
ARG TARGETOS TARGETARCH
# The same flags as the build step of .ci/run.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/magpie ./cmd/magpie

# The SQLite directory, made here because the final image has no shell; it
# is copied with the owner of the nonroot user.
RUN mkdir -p /out/data

# static-debian12 has CA certificates, tzdata and /etc/passwd with the user
# nonroot (65532), and nothing else: no shell, no package manager, so the
# health check is done by the binary itself ("magpie healthcheck").
# Pinned by tag (Debian 12, the nonroot variant), not by digest: each
# rebuild then picks up Debian's security fixes to CA certificates and
# tzdata. For bit-for-bit reproducible images append the digest,
# "…:nonroot@sha256:…" from `docker buildx imagetools inspect`, and let
# Dependabot or Renovate bump it.
FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
LABEL org.opencontainers.image.title="magpie" \
      org.opencontainers.image.description="Magpie, a small social network API server" \
      org.opencontainers.image.source="https://github.com/magpie-sns/magpie" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"

COPY --from=build /out/magpie /magpie
COPY --from=build --chown=65532:65532 /out/data /var/lib/magpie

USER nonroot:nonroot
# /metrics for Prometheus on its own port, reachable from the container's
# network but not published.
ENV MAGPIE_ADDR=0.0.0.0:8000 \
    MAGPIE_METRICS_ADDR=0.0.0.0:9464 \
    MAGPIE_DATABASE_URL=sqlite:///var/lib/magpie/magpie.db
# Only used with SQLite; a named volume mounted here starts with the
# directory's owner (nonroot), a bind mount must be writable by uid 65532.
VOLUME ["/var/lib/magpie"]
EXPOSE 8000 9464

# GET /ready/ on MAGPIE_ADDR (0.0.0.0 is asked on 127.0.0.1); exit 0 on 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/magpie", "healthcheck"]

# On SIGTERM magpie drains for 5 s and then waits up to 30 s for requests in
# flight: stop it with `docker stop --time 40` (compose: stop_grace_period).
ENTRYPOINT ["/magpie"]
CMD ["serve"]
