# ferry login end to end against Debian's docker-registry (distribution 2.8) with htpasswd Basic
# auth on 127.0.0.1: what login writes (docker's format, mode 0600), a wrong password (nothing
# written), stored credentials reused, a credential helper that stores and one that fails, then
# logout.

export DOCKER_CONFIG=$TEST_TMP/dc
export HOME=$TEST_TMP/home
mkdir -p "$HOME" "$TEST_TMP/bin"
export PATH=$TEST_TMP/bin:$PATH
unset REGISTRY_AUTH_FILE XDG_RUNTIME_DIR

command -v docker-registry >/dev/null || skip "docker-registry is not installed"
command -v htpasswd >/dev/null || skip "htpasswd is not installed (apache2-utils)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reg=127.0.0.1:$port
htpasswd -Bbn alice 's3cret pass' >"$TEST_TMP/htpasswd"
cat >"$TEST_TMP/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $TEST_TMP/registry
http:
  addr: $reg
auth:
  htpasswd:
    realm: ferry-test
    path: $TEST_TMP/htpasswd
YML
docker-registry serve "$TEST_TMP/registry.yml" >"$TEST_TMP/registry.log" 2>&1 &
registry_pid=$!
# The registry dies of the TERM: its status is not the test's.
trap 'kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || :' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$registry_pid" 2>/dev/null || fail "docker-registry died: $(tail -3 "$TEST_TMP/registry.log")"
    sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "docker-registry does not listen on $reg"

note "a wrong password fails with the registry's words and writes nothing"
status=0
ferry login -u alice --password-stdin "$reg" <<<wrong >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
expect_eq "$status" 1 "status of a wrong password"
expect_eq "$(cat "$TEST_TMP/err")" "ferry: error: login attempt to http://$reg/v2/ failed with status: 401 Unauthorized" \
    "a wrong password's error (docker's words)"
expect_eq "$(wc -l <"$TEST_TMP/err")" 1 "error lines"
[ ! -e "$DOCKER_CONFIG/config.json" ] || fail "a failed login wrote config.json"

note "login: Login Succeeded, docker's warning, docker's format, mode 0600"
ferry login -u alice --password-stdin "$reg" <<<'s3cret pass' >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "login: $(cat "$TEST_TMP/err")"
expect_eq "$(cat "$TEST_TMP/out")" "Login Succeeded"
expect_eq "$(cat "$TEST_TMP/err")" "WARNING! Your password will be stored unencrypted in $DOCKER_CONFIG/config.json.
Configure a credential helper to remove this warning. See
https://docs.docker.com/engine/reference/commandline/login/#credentials-store"
expect_eq "$(stat -c %a "$DOCKER_CONFIG/config.json")" 600 "config.json's mode"
expect_eq "$(stat -c %a "$DOCKER_CONFIG")" 700 "config directory's mode"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"])' "$DOCKER_CONFIG/config.json" "$reg")" \
    "$(printf '%s' 'alice:s3cret pass' | base64)"

note "stored credentials are checked and reused without prompting (docker warns again)"
warning=$(cat "$TEST_TMP/err")
ferry login "$reg" </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "login with stored credentials: $(cat "$TEST_TMP/err")"
expect_eq "$(cat "$TEST_TMP/out")" "Authenticating with existing credentials...
Login Succeeded"
expect_eq "$(cat "$TEST_TMP/err")" "$warning"

note "with credsStore the helper stores (secret on stdin, never in argv) and the file keeps {}"
cat >"$TEST_TMP/bin/docker-credential-test" <<SH
#!/bin/sh
echo "\$* | \$(cat)" >> "$TEST_TMP/helper.log"
SH
chmod 755 "$TEST_TMP/bin/docker-credential-test"
printf '{"credsStore": "test"}' >"$DOCKER_CONFIG/config.json"
expect_out "Login Succeeded" ferry login -u alice --password-stdin "$reg" <<<'s3cret pass'
expect_eq "$(cat "$TEST_TMP/helper.log")" "store | {\"ServerURL\":\"$reg\",\"Username\":\"alice\",\"Secret\":\"s3cret pass\"}"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"])' "$DOCKER_CONFIG/config.json")" "{'$reg': {}}"

note "a helper that fails to store: one line naming it, exit 1, file unchanged"
cat >"$TEST_TMP/bin/docker-credential-broken" <<'SH'
#!/bin/sh
echo "keyring is locked"
exit 1
SH
chmod 755 "$TEST_TMP/bin/docker-credential-broken"
printf '{"credsStore": "broken"}' >"$DOCKER_CONFIG/config.json"
expect_fail 1 'ferry: error: Error saving credentials: credential helper `docker-credential-broken` store: keyring is locked (exit status 1)' \
    ferry login -u alice --password-stdin "$reg" <<<'s3cret pass'
expect_eq "$(cat "$DOCKER_CONFIG/config.json")" '{"credsStore": "broken"}'

note "logout removes what login wrote"
rm "$DOCKER_CONFIG/config.json"
ferry login -u alice --password-stdin "$reg" <<<'s3cret pass' >/dev/null 2>&1 || fail "login again"
expect_out "Removing login credentials for $reg" ferry logout "$reg"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"])' "$DOCKER_CONFIG/config.json")" "{}"
