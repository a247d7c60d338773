# Registry servers for the pull/push/login tests (issue 9, point 10), sourced after lib.sh and
# container_lib.sh. Everything listens on 127.0.0.1 only, keeps its files under $TEST_TMP and is
# stopped when the test ends (through RUN_CLEANUPS, run before docker_down).
#
#   start_registry MODE [NAME]   MODE: plain | tls | htpasswd | token. Runs Debian's
#       docker-registry (distribution 2.8) on a free port with its own storage, waits until /v2/
#       answers, and sets (for the last one started; NAME, default `reg`, keys the others):
#         REG          127.0.0.1:PORT (with REG_OFF_LOOPBACK=1: ADDR:5000, the registry in a
#                      network namespace of its own, reached over a veth pair at ADDR, an
#                      address of 198.19.0.0/16: what a real remote registry is to a client,
#                      never loopback; root only; it answers on NETNS_ADDR2:5000 too)
#         REG_DIR      its directory (config.yml, storage/, log)
#         REG_STORAGE  the storage root (docker/registry/v2/... below it)
#         REG_SCHEME   http or https
#       tls: a CA made here with openssl signs a server certificate for 127.0.0.1, localhost
#         (and ADDR off loopback);
#         REG_CA is the CA's certificate, FERRY_CERTS_D (exported) a directory with
#         REG/ca.crt and localhost:PORT/ca.crt for ferry, and docker's
#         /etc/docker/certs.d/REG/ca.crt is written too (removed at the end).
#       htpasswd: Basic auth; users from REG_USERS ("user:password ...", default
#         "alice:alice-pw bob:bob-pw"), hashed with `htpasswd -Bbn`.
#       token: Bearer token auth. A token service of the test's own (registry_token_server.py,
#         python3's http.server, JWTs signed RS256 with python3-cryptography, the certificate in
#         the x5c header, its CA in the registry's rootcertbundle) checks REG_USERS with Basic
#         and grants per REG_GRANTS: lines "USER REPO-GLOB ACTIONS" (USER `*` is anyone,
#         `anonymous` is a request without credentials; ACTIONS comma-separated, `*` all; default
#         "* * pull,push"), read at each request from $REG_DIR/grants, so set_grants can change
#         them while it runs. REG_TOKEN_URL is its realm; REG_TOKEN_LOG lists each request:
#         "account scope -> granted" (never the password).
#   The NAME arguments below default to the last registry started or selected (REG_NAME);
#   registry_select NAME sets the variables above to NAME's.
#   stop_registry [NAME]        kills it (SIGKILL: as a crash) and waits until it is gone.
#   restart_registry [NAME]     stops it if running and starts it again, same port and storage.
#   set_grants [NAME] < LINES   replaces the token service's grant table.
#   corrupt_blob DIGEST [NAME]  flips bytes in the middle of a blob in the registry's storage
#                               (same size: the registry serves it, its digest no longer matches).
#   blob_path DIGEST [NAME]     the blob's data file in the storage.
#   registry_curl [NAME] ARGS.. curl against it (its CA, -s), for raw protocol checks.

command -v docker-registry >/dev/null || skip "docker-registry is not installed (Debian package docker-registry)"
command -v curl >/dev/null || skip "curl is not installed"

# Debian's python3 (its python3-cryptography signs the tokens), not another python3 on the PATH.
REG_PYTHON=/usr/bin/python3
[ -x "$REG_PYTHON" ] || REG_PYTHON=python3
declare -A REGISTRY_PID=() REGISTRY_DIR=() REGISTRY_ADDR=() REGISTRY_TOKEN_PID=() REGISTRY_NETNS=()
REG_NAME=reg
PROXY_ADDRS=()

# free_port: a TCP port free on 127.0.0.1 now (the kernel's choice for a bind to port 0).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_cleanup: stops every registry and token service, removes docker's certs.d entries.
registry_cleanup() {
    local name pid
    for name in "${!REGISTRY_PID[@]}"; do
        stop_registry "$name"
    done
    for pid in "${REGISTRY_TOKEN_PID[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for name in "${!REGISTRY_ADDR[@]}"; do
        [ -f "${REGISTRY_DIR[$name]}/docker-certs" ] && rm -rf "/etc/docker/certs.d/${REGISTRY_ADDR[$name]}"
    done
    for name in "${!REGISTRY_NETNS[@]}"; do  # (its veth pair goes with it)
        ip netns del "${REGISTRY_NETNS[$name]}" 2>/dev/null || true
    done
    return 0
}
if declare -p RUN_CLEANUPS >/dev/null 2>&1; then
    RUN_CLEANUPS=(registry_cleanup "${RUN_CLEANUPS[@]}")
else
    trap registry_cleanup EXIT
fi

# registry_ca DIR [ADDR]: a CA (ca.crt, ca.key) and a certificate for 127.0.0.1, localhost (and
# ADDR) signed by it (server.crt, server.key) in DIR.
registry_ca() {
    local dir=$1 extra=${2:+,IP:$2}
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ferry test CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null || fail "openssl: cannot make the test CA"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null || fail "openssl: csr"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost%s\nextendedKeyUsage=serverAuth\n' "$extra" >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null ||
        fail "openssl: cannot sign the server certificate"
}

# registry_users FILE: REG_USERS hashed with bcrypt into an htpasswd FILE.
registry_users() {
    local u
    : >"$1"
    for u in ${REG_USERS:-alice:alice-pw bob:bob-pw}; do
        htpasswd -Bbn "${u%%:*}" "${u#*:}" | sed '/^$/d' >>"$1" || fail "htpasswd failed"
    done
}

# start_token_service DIR: the token service for a token-mode registry in DIR (signing key and
# certificate made here); sets TOKEN_PORT.
start_token_service() {
    local dir=$1
    command -v htpasswd >/dev/null || skip "htpasswd is not installed (apache2-utils)"
    "$REG_PYTHON" -c 'import cryptography' 2>/dev/null || skip "python3-cryptography is not installed"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ferry test token issuer" \
        -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null || fail "openssl: token key"
    printf '%s\n' ${REG_USERS:-alice:alice-pw bob:bob-pw} >"$dir/users"
    printf '%s\n' "${REG_GRANTS:-* * pull,push}" >"$dir/grants"
    TOKEN_PORT=$(free_port)
    "$REG_PYTHON" "$FERRY_SRC/tests/integration/registry_token_server.py" --port "$TOKEN_PORT" \
        --key "$dir/token.key" --cert "$dir/token.crt" --users "$dir/users" \
        --grants "$dir/grants" --issuer ferry-test-issuer --service ferry-test-registry \
        --log "$dir/token.log" >"$dir/token.out" 2>&1 &
    REGISTRY_TOKEN_PID[$(basename "$dir")]=$!
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$TOKEN_PORT/health" && return 0
        sleep 0.1
    done
    fail "the token service did not answer: $(tail -3 "$dir/token.out")"
}

# registry_config DIR MODE ADDR:PORT: writes DIR/config.yml.
registry_config() {
    local dir=$1 mode=$2 addr=$3
    {
        printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n'
        printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/storage"
        printf '  maintenance:\n    uploadpurging:\n      enabled: false\n'
        printf 'compatibility:\n  schema1:\n    enabled: true\n'  # skopeo --format v2s1 pushes
        printf 'http:\n  addr: %s\n  secret: ferry-test-secret\n' "$addr"
        printf '  headers:\n    X-Content-Type-Options: [nosniff]\n'
        if [ "$mode" = tls ]; then
            printf '  tls:\n    certificate: %s\n    key: %s\n' "$dir/server.crt" "$dir/server.key"
        fi
        case $mode in
            htpasswd)
                printf 'auth:\n  htpasswd:\n    realm: ferry-test-realm\n    path: %s\n' "$dir/htpasswd" ;;
            token)
                printf 'auth:\n  token:\n    realm: http://127.0.0.1:%s/token\n' "$TOKEN_PORT"
                printf '    service: ferry-test-registry\n    issuer: ferry-test-issuer\n'
                printf '    rootcertbundle: %s\n' "$dir/token.crt" ;;
        esac
    } >"$dir/config.yml"
}

# registry_launch NAME: starts the registry of NAME's directory and waits (10 s at most) until
# /v2/ answers.
registry_launch() {
    local name=$1 dir=${REGISTRY_DIR[$1]} addr=${REGISTRY_ADDR[$1]} scheme=http i code ca=()
    [ -f "$dir/server.crt" ] && { scheme=https; ca=(--cacert "$dir/ca.crt"); }
    local netns=()
    [ -z "${REGISTRY_NETNS[$name]:-}" ] || netns=(ip netns exec "${REGISTRY_NETNS[$name]}")
    "${netns[@]}" docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 &
    REGISTRY_PID[$name]=$!
    for i in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "${ca[@]}" "$scheme://$addr/v2/" 2>/dev/null) || true
        case $code in 200 | 401) return 0 ;; esac
        kill -0 "${REGISTRY_PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    fail "docker-registry ($name) did not answer on $addr: $(tail -3 "$dir/registry.log")"
}

# registry_select NAME: sets REG, REG_DIR, REG_STORAGE, REG_SCHEME, REG_CA, REG_TOKEN_URL and
# REG_TOKEN_LOG to NAME's.
registry_select() {
    local dir=${REGISTRY_DIR[$1]}
    REG_NAME=$1
    REG=${REGISTRY_ADDR[$1]}
    REG_DIR=$dir
    REG_STORAGE=$dir/storage
    REG_SCHEME=http
    REG_CA=""
    [ -f "$dir/server.crt" ] && { REG_SCHEME=https; REG_CA=$dir/ca.crt; }
    REG_TOKEN_URL=""
    REG_TOKEN_LOG=""
    if [ -f "$dir/token.crt" ]; then
        REG_TOKEN_URL=$(sed -n 's/^    realm: //p' "$dir/config.yml")
        REG_TOKEN_LOG=$dir/token.log
    fi
}

start_registry() {
    local mode=$1 name=${2:-$REG_NAME} dir port
    case $mode in plain | tls | htpasswd | token) ;; *) fail "start_registry: unknown mode $mode" ;; esac
    [ -z "${REGISTRY_DIR[$name]:-}" ] || fail "start_registry: $name is already started"
    dir=$TEST_TMP/registry-$name
    mkdir -p "$dir/storage"
    REGISTRY_DIR[$name]=$dir
    local host=127.0.0.1 off="" listen
    if [ "${REG_OFF_LOOPBACK:-}" = 1 ]; then
        registry_netns "$name"
        host=$NETNS_ADDR off=$NETNS_ADDR
        port=5000
        listen=:$port  # (every address of its own namespace)
    else
        port=$(free_port)
        listen=$host:$port
    fi
    REGISTRY_ADDR[$name]=$host:$port
    case $mode in
        tls)
            registry_ca "$dir" "$off"
            mkdir -p "$TEST_TMP/certs.d/$host:$port" "$TEST_TMP/certs.d/localhost:$port"
            cp "$dir/ca.crt" "$TEST_TMP/certs.d/$host:$port/ca.crt"
            cp "$dir/ca.crt" "$TEST_TMP/certs.d/localhost:$port/ca.crt"
            export FERRY_CERTS_D=$TEST_TMP/certs.d
            if [ "$(id -u)" = 0 ]; then
                mkdir -p "/etc/docker/certs.d/$host:$port"
                cp "$dir/ca.crt" "/etc/docker/certs.d/$host:$port/ca.crt"
                touch "$dir/docker-certs"
            fi ;;
        htpasswd)
            command -v htpasswd >/dev/null || skip "htpasswd is not installed (apache2-utils)"
            registry_users "$dir/htpasswd" ;;
        token)
            start_token_service "$dir" ;;
    esac
    registry_config "$dir" "$mode" "$listen"
    registry_launch "$name"
    registry_select "$name"
    note "registry $name ($mode) on $REG"
}

# registry_netns NAME: a network namespace for NAME's registry, joined to this one by a veth
# pair on a free /29 of 198.19.0.0/16; sets NETNS_ADDR and NETNS_ADDR2, the registry's side's
# two addresses (its certificate names only the first).
registry_netns() {
    local name=$1 ns="ferry-reg-$$-$1" link="frg$$" i third
    [ "$(id -u)" = 0 ] || skip "a registry off loopback needs root (a network namespace)"
    command -v ip >/dev/null || skip "ip is not installed (iproute2)"
    for i in $(seq 20); do
        third=$((RANDOM % 250 + 1))
        ip -4 route | grep -q "^198\.19\.$third\." || break
    done
    ip netns add "$ns" || fail "ip netns add $ns"
    REGISTRY_NETNS[$name]=$ns
    ip link add "${link}a" type veth peer name "${link}b" netns "$ns" || fail "ip link add veth"
    ip addr add "198.19.$third.1/29" dev "${link}a"
    ip link set "${link}a" up
    ip -n "$ns" addr add "198.19.$third.2/29" dev "${link}b"
    ip -n "$ns" addr add "198.19.$third.3/29" dev "${link}b"
    ip -n "$ns" link set "${link}b" up
    ip -n "$ns" link set lo up
    NETNS_ADDR=198.19.$third.2
    NETNS_ADDR2=198.19.$third.3
}

stop_registry() {
    local name=${1:-$REG_NAME} pid=${REGISTRY_PID[${1:-$REG_NAME}]:-}
    [ -n "$pid" ] || return 0
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    REGISTRY_PID[$name]=""
}

restart_registry() {
    local name=${1:-$REG_NAME}
    stop_registry "$name"
    registry_launch "$name"
    registry_select "$name"
}

set_grants() {
    local name=${1:-$REG_NAME}
    cat >"${REGISTRY_DIR[$name]}/grants.tmp"
    mv "${REGISTRY_DIR[$name]}/grants.tmp" "${REGISTRY_DIR[$name]}/grants"
}

blob_path() {
    local hex=${1#sha256:} dir=${REGISTRY_DIR[${2:-$REG_NAME}]}
    echo "$dir/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

corrupt_blob() {
    local path size
    path=$(blob_path "$1" "${2:-$REG_NAME}")
    [ -f "$path" ] || fail "corrupt_blob: no blob $1 in the registry's storage"
    size=$(stat -c %s "$path")
    python3 - "$path" "$size" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    at = size // 2
    f.seek(at)
    chunk = f.read(16)
    f.seek(at)
    f.write(bytes(b ^ 0xFF for b in chunk))
PY
}

registry_curl() {
    local name=$REG_NAME
    if [ -n "${REGISTRY_DIR[${1:-}]:-}" ]; then name=$1; shift; fi
    local dir=${REGISTRY_DIR[$name]}
    if [ -f "$dir/ca.crt" ]; then
        curl -s --cacert "$dir/ca.crt" "$@"
    else
        curl -s "$@"
    fi
}

# ---------------------------------------------------------------------------------------------
# Fixtures pushed by the real tools (each into the current registry, REG; for an auth registry
# the test logs the tool in first, or gives skopeo --dest-creds in SKOPEO_DEST_FLAGS).

# fixture_archive: $FIXTURE_ARCHIVE, a docker-archive of the busybox image tagged
# ferry-fixture/busybox:latest (tests/fixtures/registry_images.py; made once per test).
FIXTURE_ARCHIVE=""
fixture_archive() {
    [ -n "$FIXTURE_ARCHIVE" ] && return 0
    FIXTURE_ARCHIVE=$TEST_TMP/fixture-bb.tar
    fixture registry_images.py archive "$FIXTURE_ARCHIVE" >/dev/null ||
        fail "cannot make the fixture archive"
}

# skopeo_dest_tls: skopeo's flags for REG as destination (tls: its CA; plain: no TLS).
skopeo_dest_tls() {
    if [ "$REG_SCHEME" = https ]; then echo "--dest-cert-dir $FERRY_CERTS_D/$REG"; else echo "--dest-tls-verify=false"; fi
}
skopeo_src_tls() {
    if [ "$REG_SCHEME" = https ]; then echo "--cert-dir $FERRY_CERTS_D/$REG"; else echo "--tls-verify=false"; fi
}

# push_with_docker REPO:TAG: docker loads the fixture archive and pushes it to $REG/REPO:TAG
# (its local tag removed after). Needs docker_up.
push_with_docker() {
    fixture_archive
    "$DOCKER" load -q -i "$FIXTURE_ARCHIVE" >/dev/null || fail "docker load of the fixture failed"
    "$DOCKER" tag ferry-fixture/busybox:latest "$REG/$1" || fail "docker tag failed"
    "$DOCKER" push -q "$REG/$1" >/dev/null || fail "docker push $REG/$1 failed"
    "$DOCKER" rmi "$REG/$1" ferry-fixture/busybox:latest >/dev/null || fail "docker rmi $REG/$1 failed"
}

# push_with_skopeo REPO:TAG [SKOPEO_COPY_FLAGS...]: skopeo copy of the fixture archive
# (docker-archive:) to $REG/REPO:TAG; e.g. --format v2s1 (signed schema 1), --format oci,
# --dest-compress-format zstd.
push_with_skopeo() {
    command -v skopeo >/dev/null || skip "skopeo is not installed"
    fixture_archive
    # shellcheck disable=SC2046
    skopeo copy -q $(skopeo_dest_tls) ${SKOPEO_DEST_FLAGS:-} "${@:2}" \
        "docker-archive:$FIXTURE_ARCHIVE" "docker://$REG/$1" >/dev/null ||
        fail "skopeo copy to $REG/$1 failed"
}

# podman_cmd ARGS...: podman with a private store under $TEST_TMP and runc, ulimits lowered
# (this machine's root lacks CAP_SYS_RESOURCE), as bench/lib.sh's setup_podman.
podman_cmd() {
    local dir=$TEST_TMP/podman
    if [ ! -f "$dir/containers.conf" ]; then
        mkdir -p "$dir"
        printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n' \
            >"$dir/containers.conf"
    fi
    CONTAINERS_CONF=$dir/containers.conf podman --root "$dir/root" --runroot "$dir/run" \
        --storage-driver vfs "$@"
}
# podman_cleanup: removes podman's private store (its vfs layers are plain directories).
podman_cleanup() { [ -d "$TEST_TMP/podman/root" ] && podman_cmd system reset -f >/dev/null 2>&1; return 0; }

# push_with_podman REPO:TAG: podman loads the fixture archive and pushes it (skips without
# podman).
push_with_podman() {
    command -v podman >/dev/null || skip "podman is not installed"
    fixture_archive
    RUN_CLEANUPS=(podman_cleanup "${RUN_CLEANUPS[@]}")
    podman_cmd load -q -i "$FIXTURE_ARCHIVE" >/dev/null || fail "podman load of the fixture failed"
    local tls=--tls-verify=false
    [ "$REG_SCHEME" = https ] && tls="--cert-dir=$FERRY_CERTS_D/$REG"
    podman_cmd push -q "$tls" ferry-fixture/busybox:latest "$REG/$1" >/dev/null ||
        fail "podman push to $REG/$1 failed"
}

# push_by_hand REPO:TAG [registry_images.py upload FLAGS...]: the hand-made fixtures
# (--compression zstd|none, --index amd64,arm64 [--oci]); prints what registry_images.py does.
push_by_hand() {
    local flags=(--scheme "$REG_SCHEME")
    [ -n "$REG_CA" ] && flags+=(--cacert "$REG_CA")
    fixture registry_images.py upload "$REG" "$1" "${flags[@]}" "${@:2}" ||
        fail "uploading $REG/$1 by hand failed"
}

# raw_manifest REPO:REF: the manifest as the registry stores it (skopeo inspect --raw).
raw_manifest() {
    # shellcheck disable=SC2046
    skopeo inspect --raw $(skopeo_src_tls) ${SKOPEO_SRC_FLAGS:-} "docker://$REG/$1"
}
# manifest_media_type REPO:REF: mediaType of the stored manifest (schema 1: its
# schemaVersion and whether it is signed).
manifest_media_type() {
    raw_manifest "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if d.get("schemaVersion") == 1:
    print("schema1" + ("-signed" if d.get("signatures") else ""))
else:
    print(d.get("mediaType", "(none)"))'
}

# start_proxy [SLOW-DIGEST] [RATE]: registry_proxy.py in front of the current registry, slowing
# the GETs of the blob SLOW-DIGEST to RATE bytes/s (default 2 MiB/s); sets PROXY (127.0.0.1:PORT),
# PROXY_LOG (the requests seen: "METHOD PATH range=R") and PROXY_MARK (a file that appears once
# 1 MiB of the slow blob went to the client). The proxy outlives restarts of the registry.
start_proxy() {
    local port upstream=${REG#*:} slow=${1#sha256:}
    port=$(free_port)
    PROXY=127.0.0.1:$port
    PROXY_ADDRS+=("$PROXY")
    PROXY_LOG=$REG_DIR/proxy.log
    PROXY_MARK=$REG_DIR/proxy.mark
    rm -f "$PROXY_MARK"
    python3 "$FERRY_SRC/tests/integration/registry_proxy.py" --port "$port" --upstream "$upstream" \
        --log "$PROXY_LOG" --slow "$slow" --rate "${2:-2097152}" --mark "$PROXY_MARK" \
        >"$REG_DIR/proxy.out" 2>&1 &
    REGISTRY_TOKEN_PID[proxy-$port]=$!
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null "http://$PROXY/v2/" && return 0
        sleep 0.1
    done
    fail "the proxy did not answer: $(tail -3 "$REG_DIR/proxy.out")"
}

# wait_for_file PATH [SECONDS]: waits (default 60 s at most) until PATH exists.
wait_for_file() {
    local i
    for i in $(seq $((${2:-60} * 10))); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    fail "$1 did not appear within ${2:-60} s"
}

# ---------------------------------------------------------------------------------------------
# The client under test: the registry tests are specs written against docker first. CLIENT=docker
# runs them with docker's CLI (skipped when no docker daemon answers), CLIENT=ferry (the default)
# with ferry.
CLIENT=${CLIENT:-ferry}
# client_init: checks that the client can run, starting dockerd for docker (and for the
# fixtures docker pushes: DOCKER_OK=1 when docker answers).
DOCKER_OK=0
client_init() {
    case $CLIENT in
        docker) ;;
        ferry) ;;
        *) fail "CLIENT must be docker or ferry, not $CLIENT" ;;
    esac
    if docker_up; then DOCKER_OK=1; fi
    [ "$CLIENT" != docker ] || [ $DOCKER_OK = 1 ] || skip "CLIENT=docker: $DOCKER_WHY"
    note "client: $CLIENT"
}
# client ARGS...: the client's CLI.
client() {
    if [ "$CLIENT" = docker ]; then "$DOCKER" "$@"; else ferry "$@"; fi
}
# client_error ARGS...: runs the client, which must fail; sets CLIENT_STATUS, CLIENT_OUT (its
# stdout) and CLIENT_ERR: its stderr as one line with docker's `Error response from daemon: `,
# `Error: `, `docker: ` or ferry's `ferry: error: ` taken off.
client_error() {
    CLIENT_STATUS=0
    client "$@" >"$TEST_TMP/.cout" 2>"$TEST_TMP/.cerr" || CLIENT_STATUS=$?
    [ "$CLIENT_STATUS" != 0 ] || fail "$CLIENT $*: succeeded, expected a failure"
    CLIENT_OUT=$(cat "$TEST_TMP/.cout")
    [ "$(wc -l <"$TEST_TMP/.cerr")" -le 1 ] || fail "$CLIENT $*: error is not one line: [$(cat "$TEST_TMP/.cerr")]"
    CLIENT_ERR=$(sed -e 's/^docker: //' -e 's/^Error response from daemon: //' -e 's/^Error: //' \
        -e 's/^ferry: error: //' "$TEST_TMP/.cerr")
}
# expect_client_fail STATUS MESSAGE ARGS...: the client fails with STATUS and MESSAGE (a glob).
expect_client_fail() {
    local status=$1 want=$2
    shift 2
    client_error "$@"
    expect_eq "$CLIENT_STATUS" "$status" "$CLIENT $* exit status ($CLIENT_ERR)"
    # shellcheck disable=SC2053
    [[ "$CLIENT_ERR" == $want ]] || fail "$CLIENT $*: error [$CLIENT_ERR], expected [$want]"
}
# client_rmi REF...: removes images from the client (missing ones are fine).
client_rmi() { client rmi -f "$@" >/dev/null 2>&1 || true; }
# client_cleanup: removes from the client every image of a registry this test started.
client_cleanup() {
    local addr ids
    for addr in "${REGISTRY_ADDR[@]}" "${PROXY_ADDRS[@]}"; do
        ids=$(client images --format '{{.ID}} {{.Repository}}' 2>/dev/null |
              awk -v r="$addr/" 'index($2, r) == 1 { print $1 }' | sort -u)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || client_rmi $ids
    done
    return 0
}
# config_digest REPO:REF [PLATFORM-ARCH]: the config digest of a registry image (the image ID a
# pull must give); for an index, the entry for ARCH (default amd64).
config_digest() {
    local doc entry
    doc=$(raw_manifest "$1") || fail "no manifest for $REG/$1"
    entry=$(printf '%s' "$doc" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if "config" in d:
    print("config", d["config"]["digest"])
else:
    print("entry", [m["digest"] for m in d["manifests"] if m["platform"]["architecture"] == sys.argv[1]][0])' "${2:-amd64}")
    case $entry in
        config*) echo "${entry#config }" ;;
        entry*) config_digest "${1%%[:@]*}@${entry#entry }" ;;
    esac
}
# manifest_digest REPO:REF: sha256 of the stored manifest's bytes.
manifest_digest() { echo "sha256:$(raw_manifest "$1" | sha256sum | cut -c1-64)"; }
# short_id DIGEST: the 12 hex digits docker shows.
short_id() { local h=${1#sha256:}; echo "${h:0:12}"; }
