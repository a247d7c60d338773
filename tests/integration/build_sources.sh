# ferry build's sources from outside the context and the inputs around RUN: here-documents
# (`COPY <<EOF`), ADD of an http URL (served on 127.0.0.1 here), --secret with RUN
# --mount=type=secret (visible in the step, absent from the image and its history), the ONBUILD
# triggers of a base image, and the bad inputs around them in BuildKit's words.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
ctx=$TEST_TMP/ctx
mkdir -p "$ctx" "$TEST_TMP/www/dir"
echo served >"$TEST_TMP/www/dir/file.txt"
touch -d '2021-03-04 05:06:07 UTC' "$TEST_TMP/www/dir/file.txt"
tar -C "$TEST_TMP/www" -czf "$TEST_TMP/www/pkg.tgz" dir

# A web server on 127.0.0.1 for ADD's URLs.
python3 - "$TEST_TMP/www" "$TEST_TMP/port" <<'PY' >/dev/null 2>&1 &
import functools, http.server, os, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
PY
RUN_CLEANUPS+=("kill $! 2>/dev/null")
for _ in $(seq 50); do [ -s "$TEST_TMP/port" ] && break; sleep 0.1; done
port=$(cat "$TEST_TMP/port") || fail "the web server did not start"
url=http://127.0.0.1:$port

build_out() { ferry build "$@" >"$TEST_TMP/build.out" 2>"$TEST_TMP/build.err" ||
    fail "ferry build $*: $(cat "$TEST_TMP/build.err")"; }
markers() { grep -v '^Step ' "$TEST_TMP/build.out" | grep -o 'marker-[a-z0-9-]*' | tr '\n' ' '; }
cached() { grep -c 'Using cache' "$TEST_TMP/build.out"; }

note "COPY <<EOF: here-documents as files, variables expanded unless the delimiter is quoted"
cat >"$TEST_TMP/doc.Dockerfile" <<'DOCKERFILE'
FROM bb:1
ARG WHO=world
COPY <<EOF /greeting
hello ${WHO} "quoted" \$HOME
EOF
COPY <<'RAW' <<-TABS /docs/
$WHO stays
RAW
	tabs go
	TABS
COPY --chmod=755 --chown=user:grp <<EOF /bin/tool
#!/bin/sh
echo tool
EOF
DOCKERFILE
build_out -t out/doc -f "$TEST_TMP/doc.Dockerfile" "$ctx"
expect_eq "$(ferry run --rm out/doc cat /greeting)" 'hello world "quoted" $HOME'
expect_eq "$(ferry run --rm out/doc cat /docs/RAW)" '$WHO stays'
expect_eq "$(ferry run --rm out/doc cat /docs/TABS)" 'tabs go'
expect_eq "$(ferry run --rm out/doc stat -c '%a %U:%G' /greeting /docs/RAW /bin/tool | tr '\n' ' ')" \
    "644 root:root 644 root:root 755 user:grp "
expect_eq "$(ferry run --rm out/doc tool)" tool
expect_contains "$(ferry history --no-trunc --format '{{.CreatedBy}}' out/doc)" \
    "COPY <<RAW <<TABS /docs/ # buildkit"
build_out -t out/doc -f "$TEST_TMP/doc.Dockerfile" "$ctx"
expect_eq "$(cached)" 3 "cached here-document steps"
build_out -t out/doc2 --build-arg WHO=you -f "$TEST_TMP/doc.Dockerfile" "$ctx"
expect_eq "$(cached)" 0 "steps cached after WHO changed"
expect_eq "$(ferry run --rm out/doc2 cat /greeting)" 'hello you "quoted" $HOME'

note "ADD URL: a file (0600, the server's time) named by the URL, unpacked only with --unpack"
sum=$(sha256sum "$TEST_TMP/www/dir/file.txt" | cut -d' ' -f1)
cat >"$TEST_TMP/url.Dockerfile" <<DOCKERFILE
FROM bb:1
ADD $url/dir/file.txt /downloads/
ADD $url/pkg.tgz /downloads/
ADD --chmod=644 $url/dir/file.txt /renamed
ADD --unpack=true $url/pkg.tgz /unpacked
ADD --checksum=sha256:$sum $url/dir/file.txt /checked
DOCKERFILE
build_out -t out/url -f "$TEST_TMP/url.Dockerfile" "$ctx"
expect_eq "$(ferry run --rm out/url stat -c '%n %a %U %Y' /downloads/file.txt /downloads/pkg.tgz /renamed /checked | tr '\n' ' ')" \
    "/downloads/file.txt 600 root 1614834367 /downloads/pkg.tgz 600 root $(stat -c %Y "$TEST_TMP/www/pkg.tgz") /renamed 644 root 1614834367 /checked 600 root 1614834367 "
expect_eq "$(ferry run --rm out/url cat /unpacked/dir/file.txt)" served
build_out -t out/url -f "$TEST_TMP/url.Dockerfile" "$ctx"
expect_eq "$(cached)" 5 "cached URL steps"
# The served content is what the cache sees: a change reruns the steps that download it.
echo changed >"$TEST_TMP/www/dir/file.txt"
sed -i '$d' "$TEST_TMP/url.Dockerfile"
build_out -t out/url -f "$TEST_TMP/url.Dockerfile" "$ctx"
expect_eq "$(cached)" 0 "steps cached after the served file changed"
expect_eq "$(ferry run --rm out/url cat /downloads/file.txt)" changed

note "ADD URL: bad input"
expect_fail 125 "ferry: error: dockerfile:2: failed to load cache key: invalid response status 404" \
    ferry build -f <(printf 'FROM bb:1\nADD %s/nothere /x\n' "$url") "$ctx"
sum=$(sha256sum "$TEST_TMP/www/dir/file.txt" | cut -d' ' -f1)
expect_fail 125 "ferry: error: dockerfile:2: digest mismatch for $url/dir/file.txt: sha256:$sum (expected: sha256:$(printf '%064d' 0))" \
    ferry build -f <(printf 'FROM bb:1\nADD --checksum=sha256:%064d %s/dir/file.txt /x\n' 0 "$url") "$ctx"
expect_fail 125 "ferry: error: dockerfile:2: source can't be a URL for COPY" \
    ferry build -f <(printf 'FROM bb:1\nCOPY %s/dir/file.txt /x\n' "$url") "$ctx"
expect_fail 125 "ferry: error: dockerfile:2: checksum requires HTTP(S) or Git sources" \
    ferry build -f <(printf 'FROM bb:1\nADD --checksum=sha256:%064d Dockerfile /x\n' 0) "$ctx"
expect_fail_match 125 "ferry: error: dockerfile:2: failed to load cache key: GET \`http://127.0.0.1:1/x\`: *" \
    ferry build -f <(printf 'FROM bb:1\nADD http://127.0.0.1:1/x /x\n') "$ctx"

note "--secret and RUN --mount=type=secret: in the step, not in the image, its history or key"
printf s3cret >"$TEST_TMP/secret.txt"  # no newline: it also goes into a variable
cat >"$TEST_TMP/secret.Dockerfile" <<'DOCKERFILE'
FROM bb:1
RUN --mount=type=secret,id=tok cat /run/secrets/tok >/seen && stat -c '%a %u' /run/secrets/tok >/perm
RUN --mount=type=secret,id=tok,target=/etc/tok,mode=0440,uid=1000 stat -c '%a %u' /etc/tok >/perm2
RUN --mount=type=secret,id=tok,env=TOKEN echo "env $TOKEN" >/env-seen
RUN --mount=type=secret,id=other echo "other $(cat /run/secrets/other)" >/other
RUN --mount=type=secret,id=absent echo marker-absent-skipped; ls /run/secrets/absent || true
DOCKERFILE
OTHER_SECRET=from-env build_out -t out/secret --secret id=tok,src="$TEST_TMP/secret.txt" \
    --secret id=other,env=OTHER_SECRET -f "$TEST_TMP/secret.Dockerfile" "$ctx"
expect_eq "$(ferry run --rm out/secret cat /perm /perm2 /env-seen /other /seen | tr '\n' ' ')" \
    "400 0 440 1000 env s3cret other from-env s3cret"
expect_eq "$(ferry run --rm out/secret ls /run/secrets /etc/tok 2>&1 | grep -c 'No such file')" 2 \
    "secret mount points left in the image"
expect_eq "$(ferry image inspect out/secret | grep -c s3cret)" 0 "the secret in the config"
expect_eq "$(ferry history --no-trunc out/secret | grep -c s3cret)" 0 "the secret in the history"
# A secret's content is not part of the key (BuildKit's rule): a new value reuses the steps.
echo rotated >"$TEST_TMP/secret.txt"
OTHER_SECRET=x build_out -t out/secret --secret id=tok,src="$TEST_TMP/secret.txt" \
    --secret id=other,env=OTHER_SECRET -f "$TEST_TMP/secret.Dockerfile" "$ctx"
expect_eq "$(cached)" 5 "steps cached after the secret changed"
expect_fail 125 "ferry: error: dockerfile:2: secret absent: not found" \
    ferry build -f <(printf 'FROM bb:1\nRUN --mount=type=secret,id=absent,required true\n') "$ctx"
expect_fail 125 "ferry: error: secret ID missing" \
    ferry build --secret src="$TEST_TMP/secret.txt" "$ctx"
expect_fail 125 "ferry: error: failed to stat $TEST_TMP/nope: stat $TEST_TMP/nope: no such file or directory" \
    ferry build --secret id=x,src="$TEST_TMP/nope" "$ctx"
expect_fail 125 "ferry: error: unexpected key 'name' in 'name=x'" \
    ferry build --secret id=x,name=x "$ctx"
expect_fail 125 "ferry: error: unsupported secret type \"ssh\"" \
    ferry build --secret id=x,type=ssh "$ctx"

note "ONBUILD: a base image's triggers run as part of FROM, and are not inherited"
echo from-context >"$ctx/ctxfile"
cat >"$TEST_TMP/onbase.Dockerfile" <<'DOCKERFILE'
FROM bb:1
ONBUILD ARG WHO=trigger
ONBUILD RUN echo "marker-onbuild-$WHO" && echo "$WHO" >/onbuild
ONBUILD COPY ctxfile /ctxfile
DOCKERFILE
build_out -t out/onbase -f "$TEST_TMP/onbase.Dockerfile" "$ctx"
expect_eq "$(markers)" "" "triggers run in the image that declares them"
expect_eq "$(ferry image inspect -f '{{len .Config.OnBuild}}' out/onbase)" 3
printf 'FROM out/onbase\nRUN echo marker-child\n' >"$TEST_TMP/onchild.Dockerfile"
build_out -t out/onchild --build-arg WHO=arg -f "$TEST_TMP/onchild.Dockerfile" "$ctx"
expect_eq "$(sed -n 2,3p "$TEST_TMP/build.out" | cut -c1-29)" " ---> $(ferry images -q out/onbase)
# Executing 3 build triggers"
expect_eq "$(markers)" "marker-onbuild-arg marker-child "
expect_eq "$(ferry run --rm out/onchild cat /onbuild /ctxfile | tr '\n' ' ')" "arg from-context "
expect_eq "$(ferry image inspect -f '{{json .Config.OnBuild}}' out/onchild)" null
build_out -t out/onchild --build-arg WHO=arg -f "$TEST_TMP/onchild.Dockerfile" "$ctx"
expect_eq "$(markers)" "" "markers of a cached rebuild with triggers"
printf 'FROM bb:1\nONBUILD COPY --from=bb:1 /bin/sh /sh\n' | build_out -t out/onfrom -f - "$ctx"
expect_eq "$(ferry image inspect -f '{{json .Config.OnBuild}}' out/onfrom)" '["COPY --from=bb:1 /bin/sh /sh"]'
expect_fail 125 "ferry: error: dockerfile:1: ONBUILD trigger with --from is not supported: COPY --from=bb:1 /bin/sh /sh" \
    ferry build -f <(printf 'FROM out/onfrom\n') "$ctx"

note "RUN --mount=type=bind from another stage or image, and read-write over the context"
mkdir -p "$ctx/sub"
echo ctxfile >"$ctx/sub/c"
cat >"$TEST_TMP/bind.Dockerfile" <<'DOCKERFILE'
FROM bb:1 AS builder
RUN mkdir -p /wheels && echo w1 >/wheels/a.whl && echo single >/single && chown 1000 /wheels/a.whl
FROM bb:1
RUN --mount=type=bind,from=builder,source=/wheels,target=/w cat /w/a.whl >/got && stat -c %u /w/a.whl >>/got && ! touch /w/x
RUN --mount=type=bind,from=builder,source=/single,target=/s cat /s >>/got
RUN --mount=type=bind,source=sub,target=/c,rw echo written >/c/new && cat /c/c >>/got && ls /c >>/got
RUN --mount=type=bind,from=bb:1,target=/bb ls /bb/data >>/got
DOCKERFILE
build_out -t out/bind -f "$TEST_TMP/bind.Dockerfile" "$ctx"
expect_eq "$(ferry run --rm out/bind cat /got | tr '\n' ' ')" "w1 1000 single ctxfile c new from-image "
expect_eq "$(ls "$ctx/sub")" c "the context after a read-write bind"
expect_eq "$(ferry run --rm out/bind ls -d /w /s /c /bb 2>&1 | grep -c 'No such file')" 4 \
    "bind mount points left in the image"
build_out -t out/bind -f "$TEST_TMP/bind.Dockerfile" "$ctx"
expect_eq "$(cached)" 5 "cached steps with bind mounts"
# COPY --link writes its layer as onto nothing: the base's directories and symlinks on the way
# are not looked at (BuildKit's rule), so its parents are new and a symlink is replaced.
cat >"$TEST_TMP/link.Dockerfile" <<'DOCKERFILE'
FROM bb:1
RUN mkdir -p /app /app2 && chown 1000:1000 /app /app2 && ln -s /app /link && ln -s /app2 /link2
COPY --link sub/c /app/
COPY --link sub/c /link/
COPY sub/c /link2/
DOCKERFILE
build_out -t out/link -f "$TEST_TMP/link.Dockerfile" "$ctx"
expect_eq "$(ferry run --rm out/link stat -c '%n %u %F' /app /app2 /link /link2 /app2/c | tr '\n' ' ')" \
    "/app 0 directory /app2 1000 directory /link 0 directory /link2 0 symbolic link /app2/c 0 regular file "
expect_fail 125 "ferry: error: dockerfile:2: COPY --parents is not supported yet" \
    ferry build -f <(printf 'FROM bb:1\nCOPY --parents sub/c /x/\n') "$ctx"

note "bad input around the context: symlinks out of it, an ignored Dockerfile, a missing stage"
ln -s /etc/passwd "$ctx/abs-link"
ln -s ../../../etc/passwd "$ctx/rel-link"
expect_fail 125 'ferry: error: dockerfile:2: failed to compute cache key: failed to calculate checksum of ref context: "/abs-link": not found' \
    ferry build -f <(printf 'FROM bb:1\nCOPY abs-link /x\n') "$ctx"
expect_fail 125 'ferry: error: dockerfile:2: failed to compute cache key: failed to calculate checksum of ref context: "/rel-link": not found' \
    ferry build -f <(printf 'FROM bb:1\nCOPY rel-link /x\n') "$ctx"
rm "$ctx/abs-link" "$ctx/rel-link"
# The Dockerfile is read on its own (BuildKit's way): ignoring it hides it from COPY only.
mkdir -p "$TEST_TMP/ign"
printf 'Dockerfile\n.dockerignore\n' >"$TEST_TMP/ign/.dockerignore"
printf 'FROM bb:1\nCOPY . /ctx/\n' >"$TEST_TMP/ign/Dockerfile"
echo kept >"$TEST_TMP/ign/kept"
build_out -t out/ign "$TEST_TMP/ign"
expect_eq "$(ferry run --rm out/ign ls -A /ctx)" kept
# A --from that names no stage is an image (BuildKit's rule): here one no registry serves.
status=0
ferry build -f <(printf 'FROM bb:1\nCOPY --from=127.0.0.1:1/nostage /x /x\n') "$ctx" \
    >"$TEST_TMP/build.out" 2>"$TEST_TMP/build.err" || status=$?
expect_eq "$status" 125 "status of a build with a missing --from stage"
expect_eq "$(head -1 "$TEST_TMP/build.err")" "Unable to find image '127.0.0.1:1/nostage:latest' locally"
expect_contains "$(tail -1 "$TEST_TMP/build.err")" "ferry: error: dockerfile:2: "
expect_contains "$(tail -1 "$TEST_TMP/build.err")" "127.0.0.1:1"

note "independent stages build at the same time; the output reads in plan order"
# Each stage's RUN waits for the other's mark in a shared cache mount: built one after the
# other, the first would time out.
cat >"$TEST_TMP/par.Dockerfile" <<'DOCKERFILE'
FROM bb:1 AS a
RUN --mount=type=cache,id=sync,target=/sync touch /sync/a && for i in $(seq 150); do [ -e /sync/b ] && echo marker-a-saw-b && echo a >/a && exit 0; sleep 0.1; done; exit 1
FROM bb:1 AS b
RUN --mount=type=cache,id=sync,target=/sync touch /sync/b && for i in $(seq 150); do [ -e /sync/a ] && echo marker-b-saw-a && echo b >/b && exit 0; sleep 0.1; done; exit 1
FROM bb:1
COPY --from=a /a /a
COPY --from=b /b /b
RUN cat /a /b
DOCKERFILE
build_out -t out/par -f "$TEST_TMP/par.Dockerfile" "$ctx"
expect_eq "$(markers)" "marker-a-saw-b marker-b-saw-a "
expect_eq "$(grep -o '^Step [0-9]*' "$TEST_TMP/build.out" | tr '\n' ' ')" \
    "Step 1 Step 2 Step 3 Step 4 Step 5 Step 6 Step 7 Step 8 "
expect_eq "$(grep -A3 '^Step 4/8' "$TEST_TMP/build.out" | sed 1d | sed 's/[0-9a-f]\{12\}/ID/')" " ---> Running in ID
marker-b-saw-a
Removing intermediate container ID"
expect_eq "$(ferry run --rm out/par cat /a /b | tr '\n' ' ')" "a b "
# A stage that fails stops the others before their next step; its output is shown in order.
cat >"$TEST_TMP/parfail.Dockerfile" <<'DOCKERFILE'
FROM bb:1 AS slow
RUN sleep 1 && echo marker-slow-step
RUN echo marker-never
FROM bb:1 AS failing
RUN echo marker-failing && exit 3
FROM bb:1
COPY --from=slow / /slow
COPY --from=failing / /failing
DOCKERFILE
status=0
ferry build -f "$TEST_TMP/parfail.Dockerfile" "$ctx" >"$TEST_TMP/build.out" 2>"$TEST_TMP/build.err" || status=$?
expect_eq "$status" 3 "status of a build whose stage failed"
expect_eq "$(cat "$TEST_TMP/build.err")" "ferry: error: The command '/bin/sh -c echo marker-failing && exit 3' returned a non-zero code: 3"
expect_eq "$(markers)" "marker-slow-step marker-failing "
expect_eq "$(ferry ps -aq)" "" "containers left by a failed build"

note "--cache-from: an image built here, saved and loaded elsewhere, lets RUN steps be skipped there"
echo content >"$ctx/cf-file"
printf 'FROM bb:1\nRUN echo marker-cf-1 && echo one >/one\nCOPY cf-file /f\nRUN echo marker-cf-2 && echo two >/two\nENV X=1\n' \
    >"$TEST_TMP/cf.Dockerfile"
build_out -t out/cf -f "$TEST_TMP/cf.Dockerfile" "$ctx"
expect_eq "$(markers)" "marker-cf-1 marker-cf-2 "
ferry save -o "$TEST_TMP/cf.tar" out/cf bb:1
# The other machine: a store of its own that has only what was loaded.
other() { "$FERRY" --root "$TEST_TMP/store2" "$@"; }
RUN_CLEANUPS+=("$FERRY --root $TEST_TMP/store2 __network-teardown >/dev/null 2>&1")
other load -q -i "$TEST_TMP/cf.tar" >/dev/null
other build --cache-from out/cf -t out/cf2 -f "$TEST_TMP/cf.Dockerfile" "$ctx" >"$TEST_TMP/build.out" 2>&1 ||
    fail "build --cache-from: $(cat "$TEST_TMP/build.out")"
expect_eq "$(markers)" "" "markers with --cache-from"
expect_eq "$(cached)" 3 "steps taken from the --cache-from image"
expect_eq "$(other run --rm out/cf2 cat /one /f /two | tr '\n' ' ')" "one content two "
expect_eq "$(other image inspect -f '{{json .RootFS.Layers}}' out/cf2)" \
    "$(ferry image inspect -f '{{json .RootFS.Layers}}' out/cf)" "layers of the image built from the cache"
# Content that changed is not taken from the cache: the COPY and the RUN after it run again.
echo changed >"$ctx/cf-file"
other build --cache-from out/cf -f "$TEST_TMP/cf.Dockerfile" "$ctx" >"$TEST_TMP/build.out" 2>&1 ||
    fail "build --cache-from: $(cat "$TEST_TMP/build.out")"
expect_eq "$(markers)" "marker-cf-2 " "markers after a change, with --cache-from"
# Without --cache-from, a third store with the same images runs every step.
RUN_CLEANUPS+=("$FERRY --root $TEST_TMP/store3 __network-teardown >/dev/null 2>&1")
"$FERRY" --root "$TEST_TMP/store3" load -q -i "$TEST_TMP/cf.tar" >/dev/null
"$FERRY" --root "$TEST_TMP/store3" build -f "$TEST_TMP/cf.Dockerfile" "$ctx" >"$TEST_TMP/build.out" 2>&1 ||
    fail "build: $(cat "$TEST_TMP/build.out")"
expect_eq "$(markers)" "marker-cf-1 marker-cf-2 " "markers without --cache-from"
# --no-cache wins; an image without an inline cache gives none.
other build --no-cache --cache-from out/cf,bb:1 -f "$TEST_TMP/cf.Dockerfile" "$ctx" >"$TEST_TMP/build.out" 2>&1 ||
    fail "build --no-cache --cache-from: $(cat "$TEST_TMP/build.out")"
expect_eq "$(markers)" "marker-cf-1 marker-cf-2 " "markers with --no-cache"
expect_out "no problems found" other system check

note "warnings: an ignored # syntax=, the parser's, build-args no ARG consumed"
printf '# syntax=docker/dockerfile:1\nFROM bb:1\nARG USED\nRUN true \\\n\n  && true\n' \
    >"$TEST_TMP/warn.Dockerfile"
build_out --build-arg USED=1 --build-arg UNUSED=2 -f "$TEST_TMP/warn.Dockerfile" "$ctx"
expect_eq "$(cat "$TEST_TMP/build.err")" "ferry: warning: the parser directive \`# syntax=docker/dockerfile:1\` is ignored: ferry builds with its own Dockerfile frontend
ferry: warning: NoEmptyContinuation: Empty continuation line (line 6)"
expect_eq "$(tail -2 "$TEST_TMP/build.out" | head -1)" "[Warning] One or more build-args [UNUSED] were not consumed"

expect_eq "$(ferry ps -aq)" "" "containers left by the builds"
expect_out "no problems found" ferry system check
