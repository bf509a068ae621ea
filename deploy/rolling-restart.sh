#!/usr/bin/env bash
# Rolling restart of magpie, one host at a time, over SSH. CD runs it
# (.github/workflows/cd.yml) after CI has pushed the image of a commit:
#
#   DEPLOY_HOSTS="app1.example.com app2.example.com" DEPLOY_USER=deploy \
#     deploy/rolling-restart.sh ghcr.io/owner/magpie:<commit sha>
#
# What it does:
#   1. docker pull IMAGE on every host, so nothing is touched unless every
#      host has the new image;
#   2. magpie migrate, once, on the first host (the running instances keep
#      serving: a release's migrations must work with the previous release,
#      which stays up until its host's turn);
#   3. host after host: stop the container "magpie" (SIGTERM: it drains for
#      5 s, then finishes its requests), start IMAGE in its place with
#      serve --migrate=false, wait up to DEPLOY_READY_TIMEOUT seconds (60)
#      for GET /ready/ to answer 200 on the host, then DEPLOY_SETTLE seconds
#      (10) for the load balancer to see it. If it is not ready, print the
#      container's log, put the previous image back on that host, and stop
#      with exit status 1: the hosts after it stay on the old version.
#
# Each host needs:
#   - Docker Engine, and curl;
#   - DEPLOY_USER allowed to run docker (in the docker group, which is as
#     good as root on that host: give the deploy key nothing else);
#   - if the image is private, a login to its registry as DEPLOY_USER:
#     docker login ghcr.io -u USER (a token with read:packages);
#   - /etc/magpie/env, readable by DEPLOY_USER (the docker client reads it),
#     one VAR=value a line, for example:
#       MAGPIE_DATABASE_URL=postgres://magpie:…@db.internal:5432/magpie?sslmode=require
#       MAGPIE_TRUSTED_PROXIES=10.0.0.5,10.0.0.6   (the load balancer's addresses)
#       MAGPIE_LOG_FORMAT=json
#     and no MAGPIE_ADDR: the image listens on 0.0.0.0:8000, published on
#     the host's port 8000;
#   - a load balancer in front of all hosts that health-checks GET /ready/
#     on port 8000 and retries refused connections on another host (see
#     deploy/nginx/magpie-proxy.conf).
# The machine running this script needs ssh with the deploy key
# (DEPLOY_SSH_KEY_FILE, else ssh's defaults) and the hosts' keys in
# known_hosts: hosts are never trusted on first use.
set -euo pipefail

usage() {
	echo "usage: DEPLOY_HOSTS='host1 host2' DEPLOY_USER=user $0 IMAGE:TAG" >&2
	exit 2
}
[ "$#" -eq 1 ] || usage
image=$1
[ -n "${DEPLOY_HOSTS:-}" ] || usage
user=${DEPLOY_USER:-}
env_file=${DEPLOY_ENV_FILE:-/etc/magpie/env}
ready_timeout=${DEPLOY_READY_TIMEOUT:-60}
# Seconds to wait after a host is ready before stopping the next one, for
# the load balancer's health check to take it back into rotation.
settle=${DEPLOY_SETTLE:-10}
# The container's stop timeout: 5 s of drain plus up to 30 s of shutdown,
# and a margin.
stop_timeout=40
# Hosts are separated by spaces or newlines.
read -r -d '' -a hosts <<<"$DEPLOY_HOSTS" || true
[ "${#hosts[@]}" -gt 0 ] || usage

ssh_opts=(-o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o ServerAliveInterval=15)
if [ -n "${DEPLOY_SSH_KEY_FILE:-}" ]; then
	ssh_opts+=(-i "$DEPLOY_SSH_KEY_FILE" -o IdentitiesOnly=yes)
fi

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# remote HOST COMMAND [ARG…] runs the command on HOST, each argument quoted
# for the remote shell.
remote() {
	local host=$1
	shift
	local target=$host
	[ -z "$user" ] || target=$user@$host
	# DEPLOY_SSH replaces ssh, for a dry run against a stand-in.
	${DEPLOY_SSH:-ssh} "${ssh_opts[@]}" "$target" -- "$(printf '%q ' "$@")"
}

# run_magpie HOST IMAGE starts the serving container on HOST.
run_magpie() {
	remote "$1" docker run --detach --name magpie \
		--restart unless-stopped \
		--stop-timeout "$stop_timeout" \
		--env-file "$env_file" \
		--publish 8000:8000 \
		--read-only --tmpfs /tmp --tmpfs /var/lib/magpie \
		--cap-drop ALL --security-opt no-new-privileges:true \
		--log-opt max-size=10m --log-opt max-file=3 \
		"$2" serve --migrate=false
}

# replace HOST IMAGE stops and removes the container magpie on HOST, if
# any, and starts IMAGE in its place.
replace() {
	remote "$1" docker stop --time "$stop_timeout" magpie >/dev/null 2>&1 || true
	remote "$1" docker rm --force magpie >/dev/null 2>&1 || true
	run_magpie "$1" "$2" >/dev/null
}

# wait_ready HOST polls /ready/ on HOST until it answers 200, for at most
# ready_timeout seconds.
wait_ready() {
	local deadline=$((SECONDS + ready_timeout)) code
	while [ "$SECONDS" -lt "$deadline" ]; do
		code=$(remote "$1" curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://127.0.0.1:8000/ready/ || true)
		if [ "$code" = 200 ]; then
			return 0
		fi
		sleep 2
	done
	return 1
}

log "deploying $image to ${hosts[*]}"

for host in "${hosts[@]}"; do
	log "$host: pull"
	remote "$host" docker pull --quiet "$image" >/dev/null
done

log "${hosts[0]}: migrate"
remote "${hosts[0]}" docker run --rm --env-file "$env_file" --cap-drop ALL \
	--security-opt no-new-privileges:true --tmpfs /var/lib/magpie "$image" migrate

for host in "${hosts[@]}"; do
	previous=$(remote "$host" docker inspect --format '{{.Config.Image}}' magpie 2>/dev/null || true)
	log "$host: restart (was ${previous:-not running})"
	replace "$host" "$image"
	if wait_ready "$host"; then
		log "$host: ready"
		if [ "$host" != "${hosts[-1]}" ]; then
			sleep "$settle"
		fi
		continue
	fi
	log "$host: not ready after ${ready_timeout}s; its log:"
	remote "$host" docker logs --tail 50 magpie 2>&1 || true
	if [ -n "$previous" ]; then
		log "$host: back to $previous"
		replace "$host" "$previous" || log "$host: could not restart $previous"
	fi
	log "stopped: the hosts after $host still run the previous version"
	exit 1
done

log "done: ${hosts[*]} run $image"
