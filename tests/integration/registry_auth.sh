# Registry auth and TLS (issue 9, points 3, 4, 8, 10), a spec written against docker:
# CLIENT=docker runs it with docker's CLI, CLIENT=ferry (default) with ferry. Credentials live in
# a DOCKER_CONFIG of the test's own.
#   - htpasswd (Basic): push and pull without credentials fail with `no basic auth
#     credentials`; login with a wrong password fails, with the right one writes docker's
#     config.json (auths, base64 user:password; mode 0600 for ferry); push/pull work; logout;
#   - token (Bearer, the test's own token service): anonymous pulls of what the grant table
#     allows, `denied: requested access to the resource is denied` for a push the user may not
#     make and for an anonymous pull of a private repository (docker's `pull access denied`
#     line), a wrong password at login (`unauthorized: incorrect username or password`);
#   - TLS with a CA the test made (FERRY_CERTS_D for ferry, /etc/docker/certs.d for docker),
#     on 127.0.0.1 (insecure as docker's daemon makes loopback: works without the CA too) and
#     off loopback (a registry in a network namespace of the test's own, reached over a veth
#     pair): works with the CA, and without it pull and push are refused (`x509: certificate
#     signed by unknown authority`), as is an address the certificate does not name.
# Standalone: CLIENT=docker FERRY=build/ferry tests/integration/run_one.sh tests/integration/registry_auth.sh

source "$FERRY_SRC/tests/integration/container_lib.sh"
source "$FERRY_SRC/tests/integration/registry_lib.sh"
client_init
export DOCKER_CONFIG=$TEST_TMP/docker-config
mkdir -p "$DOCKER_CONFIG"
RUN_CLEANUPS=(client_cleanup "client_rmi ferry-fixture/busybox:latest" "${RUN_CLEANUPS[@]}")
fixture_archive
client load -q -i "$FIXTURE_ARCHIVE" >/dev/null || fail "load of the fixture failed"
login() {  # USER PASSWORD: client login with --password-stdin to REG
    printf '%s\n' "$2" | client login -u "$1" --password-stdin "$REG"
}

note "htpasswd"
start_registry htpasswd basic
ref=$REG/priv/x:1
client tag ferry-fixture/busybox:latest "$ref"
expect_client_fail 1 "no basic auth credentials" push "$ref"
expect_client_fail 1 "*no basic auth credentials" pull "$ref"
echo wrong | expect_client_fail 1 "login attempt to http://$REG/v2/ failed with status: 401 Unauthorized" \
    login -u alice --password-stdin "$REG"
[ ! -e "$DOCKER_CONFIG/config.json" ] || [ "$(jq -c '.auths // {}' "$DOCKER_CONFIG/config.json")" = '{}' ] ||
    fail "a failed login stored credentials: $(cat "$DOCKER_CONFIG/config.json")"
login alice alice-pw >"$TEST_TMP/login.out" 2>"$TEST_TMP/login.err" || fail "login: $(cat "$TEST_TMP/login.err")"
expect_eq "$(tail -1 "$TEST_TMP/login.out")" "Login Succeeded" "login's last line"
expect_eq "$(jq -r --arg r "$REG" '.auths[$r].auth' "$DOCKER_CONFIG/config.json")" \
    "$(printf alice:alice-pw | base64)" "config.json's auth"
[ "$CLIENT" = docker ] || expect_eq "$(stat -c %a "$DOCKER_CONFIG/config.json")" 600 "config.json's mode"
expect_out "$ref" client push -q "$ref"
client_rmi "$ref"
expect_out "$ref" client pull -q "$ref"
expect_out "Removing login credentials for $REG" client logout "$REG"
expect_eq "$(jq -c --arg r "$REG" '.auths[$r]' "$DOCKER_CONFIG/config.json")" null "logout removes the entry"
client_rmi "$ref"
expect_client_fail 1 "*no basic auth credentials" pull "$ref"

note "token"
REG_GRANTS='alice * pull,push
bob private/* pull
anonymous public/* pull' start_registry token tok
client tag ferry-fixture/busybox:latest "$REG/public/x:1"
client tag ferry-fixture/busybox:latest "$REG/private/x:1"
expect_client_fail 1 "denied: requested access to the resource is denied" push "$REG/public/x:1"
login bob bob-pw >/dev/null || fail "login as bob"
expect_client_fail 1 "denied: requested access to the resource is denied" push "$REG/private/x:1"
login alice alice-pw >/dev/null || fail "login as alice"
expect_out "$REG/public/x:1" client push -q "$REG/public/x:1"
expect_out "$REG/private/x:1" client push -q "$REG/private/x:1"
client logout "$REG" >/dev/null
client_rmi "$REG/public/x:1" "$REG/private/x:1"
expect_out "$REG/public/x:1" client pull -q "$REG/public/x:1"
expect_client_fail 1 "pull access denied for $REG/private/x, repository does not exist or may require 'docker login': denied: requested access to the resource is denied" \
    pull -q "$REG/private/x:1"
login bob bob-pw >/dev/null || fail "login as bob"
expect_out "$REG/private/x:1" client pull -q "$REG/private/x:1"
echo wrong | expect_client_fail 1 "Get \"http://$REG/v2/\": unauthorized: incorrect username or password" \
    login -u bob --password-stdin "$REG"
# The token service saw no password in any scope line, and the client never asked for more
# than it needed (push,pull for push, pull for pull).
if grep -q 'bob-pw\|alice-pw' "$REG_TOKEN_LOG"; then fail "a password reached the token log"; fi
grep -qx "anonymous repository:public/x:pull -> repository:public/x:pull" "$REG_TOKEN_LOG" ||
    fail "no anonymous pull token: $(cat "$REG_TOKEN_LOG")"
client logout "$REG" >/dev/null

note "TLS with the test's CA"
start_registry tls tls
ref=$REG/tls/x:1
client tag ferry-fixture/busybox:latest "$ref"
expect_out "$ref" client push -q "$ref"
client_rmi "$ref"
expect_out "$ref" client pull -q "$ref"
if [ "$CLIENT" = ferry ]; then
    client_rmi "$ref"
    # (Without the CA the pull still works: loopback registries are insecure, TLS unverified,
    # as docker's daemon makes them; refusing an unknown CA cannot be shown on 127.0.0.1.)
    (export FERRY_CERTS_D=$TEST_TMP/no-certs; expect_out "$ref" client pull -q "$ref")
    expect_out "localhost:${REG#*:}/tls/x:1" client pull -q "localhost:${REG#*:}/tls/x:1"
fi

note "TLS off loopback: verified with certs.d's CA, an unknown CA refused"
REG_OFF_LOOPBACK=1 start_registry tls remote
ref=$REG/tls/y:1
client tag ferry-fixture/busybox:latest "$ref"
expect_out "$ref" client push -q "$ref"
client_rmi "$ref"
expect_out "$ref" client pull -q "$ref"
client_rmi "$ref"
client tag ferry-fixture/busybox:latest "$ref"  # (for the push)
if [ "$CLIENT" = ferry ]; then
    export FERRY_CERTS_D=$TEST_TMP/no-certs
    before=$(tree_snapshot "$FERRY_ROOT")
else
    mv "/etc/docker/certs.d/$REG" "$TEST_TMP/docker-certs-aside"
fi
expect_client_fail 1 "*x509: certificate signed by unknown authority*" pull -q "$ref"
note "unknown CA: $CLIENT_ERR"
expect_client_fail 1 "*x509: certificate signed by unknown authority*" push -q "$ref"
if [ "$CLIENT" = ferry ]; then
    export FERRY_CERTS_D=$TEST_TMP/certs.d
    expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "the store after refused pull and push"
else
    mv "$TEST_TMP/docker-certs-aside" "/etc/docker/certs.d/$REG"
fi
# The same server by an address its certificate does not name (the CA trusted for it).
other=$NETNS_ADDR2:5000
certs=$FERRY_CERTS_D
[ "$CLIENT" = ferry ] || { certs=/etc/docker/certs.d; RUN_CLEANUPS+=("rm -rf $certs/$other"); }
mkdir -p "$certs/$other"
cp "$REG_CA" "$certs/$other/ca.crt"
expect_client_fail 1 "*x509: certificate is valid for 127.0.0.1, $NETNS_ADDR, not $NETNS_ADDR2" \
    pull -q "$other/tls/y:1"
rm -rf "${certs:?}/$other"
