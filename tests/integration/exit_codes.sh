# Exit statuses as docker's CLI gives them: 1 for a command other than run/create that fails on
# what it was given (no such container, image, object or volume; a bad signal name; a missing
# `load -i` file; exec in a stopped container), 125 for every failure of run and create
# themselves (a missing image or --volumes-from container included), 126 for `exec -u` of an
# unknown user, 126/127 for a command that cannot be run. Each is compared with docker's status
# where a daemon answers; the messages are ferry's own (one line, `ferry: error: ...`).
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

# same_status_as_docker STATUS DOCKER_ARGS...: docker exits with STATUS too (no-op without it).
same_status_as_docker() {
    local want=$1 status=0
    shift
    [ -n "$DOCKER_BB" ] || return 0
    "$DOCKER" "$@" >/dev/null 2>&1 || status=$?
    expect_eq "$status" "$want" "docker $* exit status"
}

note "no such container: status 1 for every command that names one"
for cmd in "inspect --type container" "container inspect" rm stop start restart kill logs wait \
    top attach commit export; do
    # shellcheck disable=SC2086
    expect_fail 1 'ferry: error: no such container `nosuch`' ferry $cmd nosuch
    # shellcheck disable=SC2086
    same_status_as_docker 1 $cmd nosuch
done
expect_fail 1 'ferry: error: no such container `nosuch`' ferry exec nosuch true
same_status_as_docker 1 exec nosuch true
expect_fail 1 'ferry: error: No such container:path: nosuch:/x' ferry cp nosuch:/x "$TEST_TMP/x"
same_status_as_docker 1 cp nosuch:/x "$TEST_TMP/x"
expect_fail 1 'ferry: error: no such object `nosuch`' ferry inspect nosuch
same_status_as_docker 1 inspect nosuch
# docker's rm -f: a missing container is reported, not a failure.
expect_fail 0 'ferry: error: no such container `nosuch`' ferry rm -f nosuch
same_status_as_docker 0 rm -f nosuch
# Several names: each failure reported, status 1 when any failed (the others are done).
ctr_create c1 bb:1 true
expect_fail 1 'ferry: error: no such container `nosuch`' ferry rm nosuch c1
expect_eq "$(cat "$TEST_TMP/.out")" c1 "rm of the container that exists"

note "no such image or volume: status 1"
for cmd in rmi "image rm" "image inspect" save; do
    # shellcheck disable=SC2086
    expect_fail 1 'ferry: error: no such image `nosuch`' ferry $cmd nosuch
done
same_status_as_docker 1 rmi nosuch
same_status_as_docker 1 image inspect nosuch
same_status_as_docker 1 save nosuch
expect_fail 1 'ferry: error: no such image `nosuch`' ferry tag nosuch x:1
same_status_as_docker 1 tag nosuch x:1
expect_fail 1 'ferry: error: No such volume: nosuch' ferry volume inspect nosuch
expect_fail 1 'ferry: error: No such volume: nosuch' ferry volume rm nosuch
same_status_as_docker 1 volume inspect nosuch
same_status_as_docker 1 volume rm nosuch

note "load -i of a file that is not there: status 1"
expect_fail 1 'ferry: error: loading `/nonexistent.tar`: open `/nonexistent.tar`: No such file or directory' \
    ferry load -i /nonexistent.tar
same_status_as_docker 1 load -i /nonexistent.tar

note "a bad signal name: status 1 (and the container is left running)"
ferry run -d --name sig bb:1 sleep 300 >/dev/null
expect_fail 1 'ferry: error: invalid signal: BOGUS' ferry kill -s BOGUS sig
expect_fail 1 'ferry: error: invalid signal: 99' ferry kill -s 99 sig
expect_fail 1 'ferry: error: invalid signal: BOGUS' ferry stop -s BOGUS sig
expect_eq "$(ctr_status sig)" running "container after the bad signals"
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" run -d --network none --name "$DOCKER_PREFIX-sig" "$DOCKER_BB" sleep 300 >/dev/null
    same_status_as_docker 1 kill -s BOGUS "$DOCKER_PREFIX-sig"
    same_status_as_docker 1 kill -s 99 "$DOCKER_PREFIX-sig"
fi

note "exec: 126 for an unknown user or group, 1 for a stopped container"
expect_fail 126 'ferry: error: unable to find user nosuch: no matching entries in passwd file' \
    ferry exec -u nosuch sig true
expect_fail 126 'ferry: error: unable to find group nosuch: no matching entries in group file' \
    ferry exec -u 1000:nosuch sig true
if [ -n "$DOCKER_BB" ]; then
    same_status_as_docker 126 exec -u nosuch "$DOCKER_PREFIX-sig" true
    same_status_as_docker 126 exec -u 1000:nosuch "$DOCKER_PREFIX-sig" true
fi
expect_fail 127 'ferry: error: exec in container: exec `nosuchcmd`: executable file not found in $PATH' \
    ferry exec sig nosuchcmd
expect_fail 126 'ferry: error: exec in container: exec `/etc`: Permission denied' ferry exec sig /etc
ctr_create c2 bb:1 true
id=$(full_id c2)
expect_fail 1 "ferry: error: Container $id is not running" ferry exec c2 true
if [ -n "$DOCKER_BB" ]; then
    "$DOCKER" create --network none --name "$DOCKER_PREFIX-c1" "$DOCKER_BB" true >/dev/null
    same_status_as_docker 1 exec "$DOCKER_PREFIX-c1" true
fi
ferry rm -f sig >/dev/null

note "run and create: 125 for their own failures, whatever failed"
expect_fail 125 'ferry: error: no such image `nosuch:1`' ferry run --rm --pull never nosuch:1 true
expect_fail 125 'ferry: error: no such image `nosuch:1`' ferry create --pull never nosuch:1 true
expect_fail 125 'ferry: error: no such container `nosuch`' ferry run --rm --volumes-from nosuch bb:1 true
expect_fail 125 'ferry: error: invalid signal: BOGUS' ferry run --rm --stop-signal BOGUS bb:1 true
expect_fail 125 'ferry: error: invalid signal: BOGUS' ferry create --stop-signal BOGUS bb:1 true
same_status_as_docker 125 run --rm --network none --pull never nosuch:1 true
same_status_as_docker 125 run --rm --network none --volumes-from nosuch "${DOCKER_BB:-x}" true
# ... and the container's status for its own: 126 and 127 when the command cannot be run.
expect_fail 127 'ferry: error: container init: exec `nosuchcmd`: executable file not found in $PATH' ferry run --rm bb:1 nosuchcmd
same_status_as_docker 127 run --rm --network none "${DOCKER_BB:-x}" nosuchcmd
expect_fail 126 'ferry: error: container init: exec `/etc`: Permission denied' ferry run --rm bb:1 /etc
same_status_as_docker 126 run --rm --network none "${DOCKER_BB:-x}" /etc
expect_eq "$(ferry ps -aq | wc -l)" 1 "containers left (c2 only)"
