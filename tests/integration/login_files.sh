# ferry login's argument errors and ferry logout over docker's config.json and credential
# helpers (fake `docker-credential-*` scripts on PATH), compared with docker's own client where
# it is installed (these paths need no daemon). The login that talks to a registry is
# login.sh's.

export DOCKER_CONFIG=$TEST_TMP/dc
export HOME=$TEST_TMP/home
mkdir -p "$HOME" "$TEST_TMP/bin"
export PATH=$TEST_TMP/bin:$PATH
unset REGISTRY_AUTH_FILE XDG_RUNTIME_DIR
have_docker=false
[ -x /usr/bin/docker ] && have_docker=true

# docker_err CMD...: docker's stderr and status for a failing client-side CMD, as `STATUS: TEXT`.
docker_err() {
    local status=0 out
    out=$(/usr/bin/docker "$@" 2>&1 </dev/null) || status=$?
    printf '%s: %s\n' "$status" "$(printf '%s\n' "$out" | tail -1)"
}

note "argument errors: docker 20.10's words, exit 1, nothing written"
# check_login_error STDERR ARGS...: ferry and docker fail alike (ferry's `ferry: error: ` is
# docker's bare message or its `Error: `).
check_login_error() {
    local err=$1
    shift
    expect_fail 1 "$err" ferry login "$@"
    if $have_docker; then
        expect_eq "$(/usr/bin/docker login "$@" 2>&1 </dev/null | sed 's/^Error: //')" "${err//ferry: error: /}" "docker login $*"
    fi
}
check_login_error "ferry: error: Must provide --username with --password-stdin" --password-stdin localhost:1
check_login_error "WARNING! Using --password via the CLI is insecure. Use --password-stdin.
ferry: error: --password and --password-stdin are mutually exclusive" -u a -p x --password-stdin localhost:1
check_login_error "ferry: error: Cannot perform an interactive login from a non TTY device" localhost:1
expect_fail 1 'ferry: error: `ferry login` requires at most 1 argument (see `ferry login --help`)' ferry login a b
expect_fail 1 'ferry: error: `ferry logout` requires at most 1 argument (see `ferry logout --help`)' ferry logout a b
[ ! -e "$DOCKER_CONFIG" ] || fail "a failed login wrote $DOCKER_CONFIG"

note "-p without -u prompts for the username and ends at EOF, as docker"
expect_fail 1 "WARNING! Using --password via the CLI is insecure. Use --password-stdin.
ferry: error: EOF" ferry login -p secret localhost:1 </dev/null
expect_eq "$(cat "$TEST_TMP/.out")" "Username: " "prompt"
expect_fail 1 "WARNING! Using --password via the CLI is insecure. Use --password-stdin.
ferry: error: Non-null Username Required" ferry login -p secret localhost:1 <<<""
[ ! -e "$DOCKER_CONFIG" ] || fail "a failed login wrote $DOCKER_CONFIG"

note "logout of nothing: docker's message, exit 0, no file"
expect_out "Removing login credentials for https://index.docker.io/v1/" ferry logout
expect_out "Removing login credentials for localhost:5000" ferry logout localhost:5000
expect_out "Removing login credentials for r.example:5000" ferry logout https://r.example:5000/v2/
if $have_docker; then
    expect_eq "$(/usr/bin/docker logout https://r.example:5000/v2/ 2>&1)" "Removing login credentials for r.example:5000"
fi

note "logout removes the host's keys in every form docker wrote and keeps the rest"
mkdir -p "$DOCKER_CONFIG"
cat >"$DOCKER_CONFIG/config.json" <<'JSON'
{
	"auths": {
		"https://index.docker.io/v1/": {"auth": "aHViOmh1Yg=="},
		"localhost:5000": {"auth": "bWU6cHc="},
		"https://localhost:5000": {"auth": "b2xkOm9sZA=="},
		"other.example": {"auth": "bzpv"}
	},
	"detachKeys": "ctrl-x,x"
}
JSON
chmod 0644 "$DOCKER_CONFIG/config.json"
expect_out "Removing login credentials for localhost:5000" ferry logout localhost:5000
python3 - "$DOCKER_CONFIG/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert sorted(c["auths"]) == ["https://index.docker.io/v1/", "other.example"], c
assert c["detachKeys"] == "ctrl-x,x", c
PY
expect_eq "$(stat -c %a "$DOCKER_CONFIG/config.json")" 600 "config.json's mode after a rewrite"
expect_out "Removing login credentials for https://index.docker.io/v1/" ferry logout
expect_eq "$(python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))["auths"]))' "$DOCKER_CONFIG/config.json")" "['other.example']"

note "with credsStore, logout erases through the helper (server URL on stdin), as docker does"
cat >"$TEST_TMP/bin/docker-credential-test" <<SH
#!/bin/sh
echo "\$1 \$(cat) \$#" >> "$TEST_TMP/helper.log"
SH
chmod 755 "$TEST_TMP/bin/docker-credential-test"
printf '{"credsStore": "test", "auths": {"r.example": {}}}' >"$DOCKER_CONFIG/config.json"
expect_out "Removing login credentials for r.example" ferry logout r.example
expect_eq "$(cat "$TEST_TMP/helper.log")" "erase r.example 1
erase r.example 1
erase http://r.example 1
erase https://r.example 1"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"])' "$DOCKER_CONFIG/config.json")" "{}"
if $have_docker; then
    : >"$TEST_TMP/helper.log"
    printf '{"credsStore": "test", "auths": {"r.example": {}}}' >"$DOCKER_CONFIG/config.json"
    /usr/bin/docker logout r.example >/dev/null
    expect_eq "$(cat "$TEST_TMP/helper.log")" "erase r.example 1
erase r.example 1
erase http://r.example 1
erase https://r.example 1" "docker's helper calls"
fi

note "a helper that fails everywhere: docker's warning, one line per key, exit 0; file kept"
cat >"$TEST_TMP/bin/docker-credential-broken" <<'SH'
#!/bin/sh
echo "keyring is locked"
exit 1
SH
chmod 755 "$TEST_TMP/bin/docker-credential-broken"
printf '{"credsStore": "broken", "auths": {"r.example": {}}}' >"$DOCKER_CONFIG/config.json"
before=$(cat "$DOCKER_CONFIG/config.json")
ferry logout r.example >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "logout with a failing helper exited $?"
expect_eq "$(cat "$TEST_TMP/out")" "Removing login credentials for r.example"
expect_eq "$(cat "$TEST_TMP/err")" 'WARNING: could not erase credentials:
r.example: credential helper `docker-credential-broken` erase: keyring is locked (exit status 1)
r.example: credential helper `docker-credential-broken` erase: keyring is locked (exit status 1)
http://r.example: credential helper `docker-credential-broken` erase: keyring is locked (exit status 1)
https://r.example: credential helper `docker-credential-broken` erase: keyring is locked (exit status 1)'
expect_eq "$(cat "$DOCKER_CONFIG/config.json")" "$before" "config.json after failed erases"

note "a helper that is not installed is named"
printf '{"credsStore": "missing"}' >"$DOCKER_CONFIG/config.json"
ferry logout q.example >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "logout exited $?"
expect_contains "$(cat "$TEST_TMP/err")" 'q.example: credential helper `docker-credential-missing` erase: not found in $PATH'

note "a malformed config.json is named and left alone"
printf '{"auths": ' >"$DOCKER_CONFIG/config.json"
ferry logout q.example >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "logout exited $?"
expect_contains "$(cat "$TEST_TMP/err")" "q.example: reading \`$DOCKER_CONFIG/config.json\`: not a JSON object"
expect_eq "$(cat "$DOCKER_CONFIG/config.json")" '{"auths": '
