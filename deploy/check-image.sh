#!/bin/sh
# Builds deploy/Dockerfile without a Docker engine and runs the image the way a cluster runs it:
# as UID 10001 on a read-only root filesystem with only /tmp writable. It migrates a new
# database, starts `serve` and `worker`, asks its HEALTHCHECK command and /health/ready,
# provisions a user with one call, opens the booking page, books, waits for the worker to take
# the booking's jobs, then stops both with SIGTERM and requires a clean exit.
#
# Needs root (chroot and mounts), buildah and debootstrap (Debian: apt-get install buildah
# debootstrap), and PostgreSQL and Redis on this machine. From the repository root:
#   sh deploy/check-image.sh
# PYTHON_IMAGE=python:3.11-slim takes the image's usual base from a registry. Without it the
# base is made here from Debian bookworm's own Python 3.11 with debootstrap, for machines that
# reach Debian's mirror but no container registry; it trusts the certificates this machine adds
# in /usr/local/share/ca-certificates (an egress proxy's, say), so the build reaches PyPI.
set -eu

PG_ADMIN_URL=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/15}
PORT=${PORT:-18123}
DB=slotwise_image_check
IMAGE=localhost/slotwise:check
BASE=localhost/slotwise-check-base:bookworm
B="buildah --storage-driver vfs"
WORK=$(mktemp -d)
ROOT="$WORK/root"
CTR=""
SERVE_PID=""
WORKER_PID=""

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
    for pid in $SERVE_PID $WORKER_PID; do kill -KILL "$pid" 2>/dev/null || true; done
    for m in "$ROOT/proc" "$ROOT/dev" "$ROOT/tmp" "$ROOT"; do umount -l "$m" 2>/dev/null || true; done
    if [ -n "$CTR" ]; then $B umount "$CTR" >/dev/null 2>&1 || true; $B rm "$CTR" >/dev/null 2>&1 || true; fi
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ -z "${PYTHON_IMAGE:-}" ]; then
    PYTHON_IMAGE=$BASE
    if ! $B inspect --type image "$BASE" >/dev/null 2>&1; then
        step "base image from Debian bookworm (debootstrap)"
        debootstrap --variant=minbase \
            --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
            bookworm "$WORK/base" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
            || { tail -n 20 "$WORK/debootstrap.log"; fail "debootstrap"; }
        # Like python:3.11-slim: pip may install into the interpreter the image builds with.
        rm -f "$WORK"/base/usr/lib/python3*/EXTERNALLY-MANAGED
        rm -rf "$WORK"/base/var/lib/apt/lists/* "$WORK"/base/var/cache/apt/*.bin
        if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
            cp /usr/local/share/ca-certificates/*.crt "$WORK/base/usr/local/share/ca-certificates/"
            chroot "$WORK/base" update-ca-certificates >/dev/null
        fi
        mkdir "$WORK/basectx"
        tar -C "$WORK/base" -cf "$WORK/basectx/rootfs.tar" .
        rm -rf "$WORK/base"
        printf '%s\n' 'FROM scratch' 'ADD rootfs.tar /' \
            'ENV LANG=C.UTF-8 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
            'CMD ["python3"]' >"$WORK/basectx/Containerfile"
        $B bud --quiet --isolation chroot -t "$BASE" "$WORK/basectx" >/dev/null
        rm -rf "$WORK/basectx"
    fi
fi

step "build deploy/Dockerfile on $PYTHON_IMAGE"
started=$(date +%s)
$B bud --format docker --isolation chroot --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" \
    -f deploy/Dockerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
    || { tail -n 30 "$WORK/build.log"; fail "image build"; }
echo "built in $(($(date +%s) - started)) s"
$B images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$IMAGE"
$B inspect --type image "$IMAGE" >"$WORK/image.json"
python3 - "$WORK/image.json" "$WORK/healthcheck" <<'EOF'
import json, shlex, sys
config = json.load(open(sys.argv[1]))["Docker"]["config"]
assert config["User"] == "10001:10001", config["User"]
assert config["Entrypoint"] == ["slotwise"] and config["Cmd"] == ["serve"], config
test = config["Healthcheck"]["Test"]
assert test[0] == "CMD", test
open(sys.argv[2], "w").write(shlex.join(test[1:]))
print("user", config["User"], "entrypoint", config["Entrypoint"], "cmd", config["Cmd"])
EOF

step "mount it read-only, /tmp on tmpfs"
CTR=$($B from "$IMAGE")
mkdir "$ROOT"
mount --bind "$($B mount "$CTR")" "$ROOT"
mount -o remount,bind,ro "$ROOT"
mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
mount --rbind /dev "$ROOT/dev"
mount -t proc proc "$ROOT/proc"
if touch "$ROOT/app/written" 2>/dev/null; then fail "the root filesystem is writable"; fi

psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
DATABASE_URL=$(python3 -c "import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p._replace(path='/$DB').geturl())" "$PG_ADMIN_URL")
SECRET_KEYS=""

# Runs a command in the image as its user, with the image's environment and working directory.
in_image() {
    chroot --userspec=10001:10001 "$ROOT" /usr/bin/env -i \
        PATH=/app/.venv/bin:/usr/local/bin:/usr/bin:/bin \
        PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 \
        SLOTWISE_HOST=127.0.0.1 SLOTWISE_PORT="$PORT" SLOTWISE_DATA_DIR=/tmp/slotwise \
        SLOTWISE_PUBLIC_URL="http://127.0.0.1:$PORT" SLOTWISE_SECRET_KEYS="$SECRET_KEYS" \
        DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" \
        /bin/sh -c 'cd /app && exec "$@"' sh "$@"
}

step "migrate, twice (the second finds the schema current)"
in_image slotwise migrate
in_image slotwise migrate
SECRET_KEYS=$(in_image slotwise secrets new-key | tail -n 1)

step "serve and worker as UID 10001"
in_image slotwise serve >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
in_image slotwise worker >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
tries=0
until curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { cat "$WORK/serve.log"; fail "/health/live never answered"; }
    sleep 0.5
done
# chroot drops to the image's user before the program starts: no slotwise process is root's.
[ -n "$(pgrep -u 10001 -f '/app/.venv/bin/slotwise serve')" ] || fail "serve is not UID 10001"
[ -n "$(pgrep -u 10001 -f '/app/.venv/bin/slotwise worker')" ] || fail "worker is not UID 10001"
[ -z "$(pgrep -u 0 -f '/app/.venv/bin/slotwise')" ] || fail "a slotwise process runs as root"
eval "in_image $(cat "$WORK/healthcheck")" && echo "HEALTHCHECK command: healthy"
curl -fsS "http://127.0.0.1:$PORT/health/ready"; echo

step "provision a user with one call, open the booking page, book"
in_image slotwise company create --name "Image Check" --owner-email owner@image-check.test \
    >"$WORK/company.json"
python3 - "$WORK" "$PORT" <<'EOF'
import datetime, json, sys, urllib.request

work, port = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
key = json.load(open(f"{work}/company.json"))["apiKey"]


def call(method, path, body=None, user=None):
    headers = {"Authorization": f"Bearer {key}", "content-type": "application/json"}
    if user:
        headers["x-meetergo-api-user-id"] = user
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


status, user = call("POST", "/v4/user", {"email": "host@image-check.test", "givenName": "Hanna",
                                         "familyName": "Host", "timezone": "Europe/Berlin"})
assert status == 201, status
with urllib.request.urlopen(user["bookingUrl"], timeout=10) as page:
    html = page.read().decode()
    assert page.status == 200 and "<html" in html, page.status
print("booking page", user["bookingUrl"], page.status, len(html), "bytes")
first = datetime.date.today() + datetime.timedelta(days=7)
last = first + datetime.timedelta(days=7)
query = f"/v4/booking-availability?meetingTypeId={user['meetingTypeId']}&start={first}&end={last}"
_, slots = call("GET", query, user=user["userId"])
start = next(spot["startTime"] for day in slots["dates"] for spot in day["spots"])
status, booking = call("POST", "/v4/booking", {
    "meetingTypeId": user["meetingTypeId"], "start": start,
    "attendee": {"email": "ann@example.com", "firstname": "Ann", "lastname": "Lee",
                 "timezone": "Europe/Berlin"}}, user=user["userId"])
assert status == 201 and booking["appointmentId"], (status, booking)
print("booked", start, "appointment", booking["appointmentId"])
EOF
tries=0
until grep -q '"outcome":"done"' "$WORK/worker.log"; do
    tries=$((tries + 1))
    [ "$tries" -lt 40 ] || { cat "$WORK/worker.log"; fail "the worker took no job"; }
    sleep 0.5
done
echo "worker: $(grep -c '"outcome":"done"' "$WORK/worker.log") job(s) done"

step "SIGTERM: both stop on their own"
kill -TERM "$(pgrep -o -u 10001 -f '/app/.venv/bin/slotwise serve')" \
    "$(pgrep -u 10001 -f '/app/.venv/bin/slotwise worker')"
for pid in $SERVE_PID $WORKER_PID; do
    tries=0
    while kill -0 "$pid" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -lt 40 ] || fail "process $pid still runs 20 s after SIGTERM"
        sleep 0.5
    done
    wait "$pid" || fail "process $pid exited with status $?"
done
SERVE_PID=""
WORKER_PID=""
echo "stopped cleanly"
printf '\nimage check passed: %s\n' "$IMAGE"
