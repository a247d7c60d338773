# ferry build: a Dockerfile with every local instruction builds into the image docker's builder
# makes (the same file tree, owners and modes, the same config), the classic builder's lines, a
# layer cache that reruns exactly the steps whose parent, instruction, arguments or copied
# content changed (RUN executions counted by the markers they print), and bad input refused in
# docker's words with nothing left behind.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
ctx=$TEST_TMP/ctx
mkdir -p "$ctx/dir/nested" "$ctx/ignored"
echo one >"$ctx/dir/one.txt"
echo two >"$ctx/dir/nested/two.txt"
ln -s one.txt "$ctx/dir/link"
echo secret >"$ctx/ignored/x"
echo skip >"$ctx/skip.log"
printf '#!/bin/sh\necho script\n' >"$ctx/run.sh"
# Archives ADD unpacks, gzip, bzip2 and xz (owners 1000:1000 from the archive).
mkdir -p "$TEST_TMP/arch/pkg/bin" "$TEST_TMP/arch/bz" "$TEST_TMP/arch/xz"
echo tool >"$TEST_TMP/arch/pkg/bin/tool"
echo bz >"$TEST_TMP/arch/bz/file"
echo xz >"$TEST_TMP/arch/xz/file"
tar -C "$TEST_TMP/arch" --owner=1000 --group=1000 -czf "$ctx/pkg.tgz" pkg
tar -C "$TEST_TMP/arch" --owner=1000 --group=1000 -cjf "$ctx/pkg.tbz" bz
tar -C "$TEST_TMP/arch" --owner=1000 --group=1000 -cJf "$ctx/pkg.txz" xz
chmod 755 "$ctx/run.sh"
printf 'ignored\n*.log\n' >"$ctx/.dockerignore"
cat >"$ctx/Dockerfile" <<'EOF'
ARG BASE=bb:1
FROM ${BASE} AS base
ARG GREETING=hello
ENV APP=/app PATH=/app/bin:$PATH
LABEL org.example.name="ferry test" version=1
RUN echo "marker-run-1 $GREETING" && mkdir -p /app/bin && echo "$GREETING" > /app/greeting
COPY dir /app/dir
COPY run.sh *.log /app/bin/
COPY --chown=user:grp dir/one.txt /app/owned
ADD dir/nested/two.txt /app/added
ADD pkg.tgz pkg.tbz pkg.txz /app/unpacked/
WORKDIR $APP/work
RUN ["/bin/sh", "-c", "echo marker-run-2 && pwd > /app/pwd && rm /app/dir/one.txt"]
USER user
EXPOSE 8080/tcp 53/udp
VOLUME /data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s CMD true
SHELL ["/bin/sh", "-e", "-c"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting"]

FROM base AS unused
RUN echo marker-unused-stage
EOF

# build_out ARGS...: ferry build's stdout in $TEST_TMP/build.out; fails the test on an error.
build_out() { ferry build "$@" >"$TEST_TMP/build.out" 2>"$TEST_TMP/build.err" ||
    fail "ferry build $*: $(cat "$TEST_TMP/build.err")"; }
# markers: the RUN markers the last build printed, space separated.
markers() { grep -v '^Step ' "$TEST_TMP/build.out" | grep -o 'marker-[a-z0-9-]*' | tr '\n' ' '; }

note "a first build runs every step of the target's stages, and only those"
build_out --target base -t out/app:1 -t out/app:2 "$ctx"
expect_eq "$(markers)" "marker-run-1 marker-run-2 "
expect_eq "$(grep -c "^Step " "$TEST_TMP/build.out")" 20
expect_eq "$(sed -n 1p "$TEST_TMP/build.out")" 'Step 1/20 : FROM ${BASE} AS base'
id=$(ferry image inspect -f '{{.Id}}' out/app:1)
expect_eq "$(tail -3 "$TEST_TMP/build.out")" "Successfully built ${id:7:12}
Successfully tagged out/app:1
Successfully tagged out/app:2"
grep -q '^ ---> Running in [0-9a-f]\{12\}$' "$TEST_TMP/build.out" || fail "no Running in line"
expect_eq "$(ferry ps -aq)" "" "containers left by the build"
cp "$TEST_TMP/build.out" "$TEST_TMP/first.out"
expect_eq "$(ferry run --rm out/app:1)" hello "the image's entrypoint and cmd"
expect_eq "$(ferry run --rm --entrypoint cat out/app:1 /app/pwd)" /app/work "RUN's working directory"
expect_eq "$(ferry run --rm --entrypoint stat out/app:1 -c '%u:%g %a' /app/owned)" "1000:1000 644"
expect_eq "$(ferry run --rm --entrypoint ls out/app:1 /app/bin)" run.sh "ignored files are not copied"
expect_eq "$(ferry run --rm --entrypoint stat out/app:1 -c '%u:%g %n' /app/unpacked/pkg/bin/tool \
    /app/unpacked/bz/file /app/unpacked/xz/file)" "1000:1000 /app/unpacked/pkg/bin/tool
1000:1000 /app/unpacked/bz/file
1000:1000 /app/unpacked/xz/file" "ADD of gzip, bzip2 and xz archives"

note "the config and history are BuildKit's"
expect_eq "$(ferry image inspect -f '{{json .Config.Env}}' out/app:1)" \
    '["IMG=1","PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP=/app"]'
expect_eq "$(ferry image inspect -f '{{.Config.User}} {{.Config.WorkingDir}} {{.Config.StopSignal}}' out/app:1)" \
    "user /app/work SIGTERM"
expect_eq "$(ferry image inspect -f '{{json .Config.ExposedPorts}} {{json .Config.Volumes}}' out/app:1)" \
    '{"53/udp":{},"8080/tcp":{}} {"/data":{}}'
expect_eq "$(ferry history --no-trunc --format '{{.CreatedBy}}' out/app:1 | sed -n 2p)" 'ENTRYPOINT ["/bin/sh" "-c"]'
expect_contains "$(ferry history --no-trunc --format '{{.CreatedBy}}' out/app:1)" \
    'RUN |1 GREETING=hello /bin/sh -c echo "marker-run-1 $GREETING"'

note "a second build reuses every step and gives the same image"
build_out --target base -t out/app:1 "$ctx"
expect_eq "$(markers)" ""
expect_eq "$(grep -c '^ ---> Using cache$' "$TEST_TMP/build.out")" 8
expect_eq "$(ferry image inspect -f '{{.Id}}' out/app:1)" "$id"

note "a copied file's content invalidates its step and those after it, not those before"
echo changed >"$ctx/dir/nested/two.txt"
build_out --target base -t out/app:1 "$ctx"
expect_eq "$(markers)" "marker-run-2 "
touch "$ctx/dir/nested/two.txt"  # a time alone changes nothing
build_out --target base -q "$ctx"
expect_eq "$(markers)" ""

note "a build arg changes the steps that use it; --no-cache reruns everything"
build_out --target base --build-arg GREETING=bye "$ctx"
expect_eq "$(markers)" "marker-run-1 marker-run-2 "
expect_contains "$(cat "$TEST_TMP/build.out")" "marker-run-1 bye"
build_out --target base --no-cache --iidfile "$TEST_TMP/nocache" "$ctx"
expect_eq "$(markers)" "marker-run-1 marker-run-2 "
build_out --target base -q "$ctx"
expect_eq "$(cat "$TEST_TMP/build.out")" "$(cat "$TEST_TMP/nocache")" "the cache after --no-cache"

note "-q prints the ID alone, --iidfile writes it, --label sets labels"
build_out --target base -q --iidfile "$TEST_TMP/iid" --label a.b=c "$ctx"
qid=$(cat "$TEST_TMP/build.out")
[[ "$qid" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "-q printed [$qid]"
expect_eq "$(cat "$TEST_TMP/iid")" "$qid"
expect_eq "$(ferry image inspect -f '{{index .Config.Labels "a.b"}}' "$qid")" c

note "intermediate steps are build cache: hidden from images, kept by image prune"
steps=$(sed -n 's/^ ---> \([0-9a-f]\{12\}\)$/\1/p' "$TEST_TMP/first.out" | sed '1d;$d')
expect_eq "$(echo "$steps" | wc -l)" 8 "intermediate images of the first build"
for s in $steps; do
    ferry images -q | grep -q "^$s" && fail "images lists intermediate $s"
    ferry images -aq | grep -q "^$s" || fail "images -a does not list intermediate $s"
done
ferry image prune -f >/dev/null
build_out --target base -t out/app:1 "$ctx"
expect_eq "$(markers)" "" "cache after image prune"

note "COPY --chmod, and a directory made by WORKDIR for USER"
mkdir -p "$TEST_TMP/c2"
echo x >"$TEST_TMP/c2/f"
printf 'FROM bb:1\nCOPY --chmod=640 f /f\nUSER user\nWORKDIR /home/user/w\n' >"$TEST_TMP/c2/Dockerfile"
build_out -t out/c2 "$TEST_TMP/c2"
expect_eq "$(ferry run --rm out/c2 stat -c '%a %u' /f /home/user/w)" "640 0
755 1000"

note "multi-stage: COPY --from a stage by name and index and from an image, onto scratch"
cat >"$TEST_TMP/ms.Dockerfile" <<'EOF'
ARG BASE=bb:1
FROM ${BASE} AS builder
RUN mkdir -p /out/sub && echo built > /out/sub/result && chown -R 1000:1000 /out
FROM builder AS unused
RUN echo marker-unused-stage
FROM scratch
COPY --from=builder /out /
COPY --from=bb:1 /bin/busybox /bin/sh
COPY --from=0 /etc/passwd /etc/
CMD ["/bin/sh", "-c", "stat -c '%u:%g %n' /sub/result; cat /sub/result"]
EOF
build_out -f "$TEST_TMP/ms.Dockerfile" -t out/ms "$ctx"
expect_eq "$(markers)" ""
expect_eq "$(grep -c '^Step ' "$TEST_TMP/build.out")" 7 "steps of the stages the target needs"
expect_eq "$(ferry run --rm out/ms)" "1000:1000 /sub/result
built"
build_out -f "$TEST_TMP/ms.Dockerfile" -t out/ms "$ctx"
expect_eq "$(grep -c '^ ---> Using cache$' "$TEST_TMP/build.out")" 4

note "RUN --mount: a cache directory kept between builds, the context bound read-only, a tmpfs"
cat >"$TEST_TMP/mnt.Dockerfile" <<'EOF'
FROM bb:1
RUN --mount=type=cache,target=/var/cache/thing echo x >>/var/cache/thing/n && echo "marker-cache-$(wc -l </var/cache/thing/n)"
RUN --mount=type=bind,source=dir,target=/src cat /src/one.txt >/copied && ! touch /src/new
RUN --mount=type=tmpfs,target=/scratch touch /scratch/f && echo marker-tmpfs
EOF
build_out -f "$TEST_TMP/mnt.Dockerfile" -t out/mnt "$ctx"
expect_eq "$(markers)" "marker-cache-1 marker-tmpfs "
build_out --no-cache -f "$TEST_TMP/mnt.Dockerfile" -t out/mnt "$ctx"
expect_eq "$(markers)" "marker-cache-2 marker-tmpfs "
expect_eq "$(ferry run --rm out/mnt cat /copied)" one
# The mount points made for the targets are not in the image.
expect_eq "$(ferry run --rm out/mnt ls -d /var/cache /src /scratch 2>&1 | grep -c 'No such file')" 3
# The bound content is part of the key: a change reruns the step.
echo uno >"$ctx/dir/one.txt"
build_out -f "$TEST_TMP/mnt.Dockerfile" -t out/mnt "$ctx"
expect_eq "$(ferry run --rm out/mnt cat /copied)" uno
echo one >"$ctx/dir/one.txt"
expect_fail 125 "ferry: error: dockerfile:2: secret s: not found" \
    ferry build -f <(printf 'FROM bb:1\nRUN --mount=type=secret,id=s,required true\n') "$ctx"

note "the Dockerfile on stdin: with no context (build -), and with one (-f -)"
expect_contains "$(printf 'FROM bb:1\nRUN echo marker-stdin\n' | ferry build -)" marker-stdin
printf 'FROM bb:1\nCOPY dir/one.txt /one\n' | build_out -q -f - -t out/stdin "$ctx"
expect_eq "$(ferry run --rm out/stdin cat /one)" one
expect_fail 125 'ferry: error: dockerfile:2: failed to compute cache key: failed to calculate checksum of ref context: "/x": not found' \
    ferry build - <<<$'FROM bb:1\nCOPY x /x'

note "Ctrl-C during a RUN: its container killed and removed, status 130, finished steps cached"
printf 'FROM bb:1\nRUN echo marker-before && echo b >/b\nRUN echo marker-slow; sleep 60\n' >"$TEST_TMP/int.Dockerfile"
status=0
timeout --preserve-status -s INT 3 "$FERRY" build -f "$TEST_TMP/int.Dockerfile" "$ctx" \
    >"$TEST_TMP/build.out" 2>"$TEST_TMP/build.err" || status=$?
expect_eq "$status" 130 "status of an interrupted build"
expect_eq "$(cat "$TEST_TMP/build.err")" "ferry: error: interrupted"
expect_eq "$(markers)" "marker-before marker-slow "
expect_eq "$(ferry ps -aq)" "" "containers left by an interrupted build"
expect_out "no problems found" ferry system check
printf 'FROM bb:1\nRUN echo marker-before && echo b >/b\nRUN echo marker-after\n' >"$TEST_TMP/int.Dockerfile"
build_out -f "$TEST_TMP/int.Dockerfile" "$ctx"
expect_eq "$(markers)" "marker-after "

note "bad input: docker's words, status 125, nothing left behind"
before=$(ferry images -aq | sort)
mkdir -p "$TEST_TMP/bad"
printf 'FROM bb:1\nFOO bar\n' >"$TEST_TMP/bad/Dockerfile"
expect_fail 125 "ferry: error: dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)" \
    ferry build "$TEST_TMP/bad"
printf 'FROM bb:1\nRUN echo half > /half\nCOPY nothere /x\n' >"$TEST_TMP/bad/Dockerfile"
expect_fail 125 'ferry: error: dockerfile:3: failed to compute cache key: failed to calculate checksum of ref context: "/nothere": not found' \
    ferry build "$TEST_TMP/bad"
printf 'FROM bb:1\nRUN echo last words; exit 3\n' >"$TEST_TMP/bad/Dockerfile"
expect_fail 3 "ferry: error: The command '/bin/sh -c echo last words; exit 3' returned a non-zero code: 3" \
    ferry build -t out/bad "$TEST_TMP/bad"
expect_contains "$(cat "$TEST_TMP/.out")" "last words"
head -c 100 "$ctx/pkg.txz" >"$TEST_TMP/bad/pkg.txz"
printf 'FROM bb:1\nADD pkg.txz /\n' >"$TEST_TMP/bad/Dockerfile"
expect_fail 125 "ferry: error: dockerfile:2: unpack \`pkg.txz\`: truncated xz stream" \
    ferry build "$TEST_TMP/bad"
expect_fail 125 "ferry: error: target stage \"nope\" could not be found" ferry build --target nope "$ctx"
expect_fail 125 "ferry: error: unable to prepare context: path \"$TEST_TMP/none\" not found" \
    ferry build "$TEST_TMP/none"
expect_fail 125 "ferry: error: unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat $TEST_TMP/bad/Nofile: no such file or directory" \
    ferry build -f "$TEST_TMP/bad/Nofile" "$TEST_TMP/bad"
expect_eq "$(ferry ps -aq)" "" "containers left by failed builds"
ferry image inspect out/bad >/dev/null 2>&1 && fail "a failed build named an image"
# The half that ran (RUN echo half) stays as cache; nothing else appeared.
after=$(ferry images -aq | sort)
expect_eq "$(comm -13 <(echo "$before") <(echo "$after") | wc -l)" 1 "images added by failed builds"

note "builder prune removes the cache, not the images; the next build runs every step"
expect_contains "$(ferry builder prune -f)" "Deleted build cache objects:"
for s in $steps; do
    ferry images -aq | grep -q "^$s" && fail "builder prune left intermediate $s"
done
expect_eq "$(ferry run --rm out/app:1)" hello "the image after builder prune"
build_out --target base -t out/app:1 "$ctx"
expect_eq "$(markers)" "marker-run-1 marker-run-2 "
build_out -f "$TEST_TMP/mnt.Dockerfile" "$ctx"
expect_eq "$(markers)" "marker-cache-1 marker-tmpfs " "a cache mount after builder prune"
ferry builder prune -f --all >/dev/null
expect_out "Total reclaimed space: 0B" ferry builder prune -f

note "the same Dockerfile built by docker's builder: the same files and config"
docker_bb
if [ -n "$DOCKER_BB" ]; then
    echo two >"$ctx/dir/nested/two.txt"
    build_out --target base -t out/app:1 "$ctx"
    DOCKER_BUILDKIT=0 "$DOCKER" build -q --target base --build-arg "BASE=$DOCKER_BB" \
        -t "$DOCKER_PREFIX/app:1" "$ctx" >/dev/null 2>"$TEST_TMP/docker.err" ||
        fail "docker build: $(tail -3 "$TEST_TMP/docker.err")"
    RUN_CLEANUPS=("$DOCKER rmi -f $DOCKER_PREFIX/app:1 >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    tree() { python3 "$FERRY_SRC/tests/integration/tar_tree.py"; }
    "$DOCKER" create --name "$DOCKER_PREFIX-tree" "$DOCKER_PREFIX/app:1" >/dev/null
    "$DOCKER" export "$DOCKER_PREFIX-tree" | tree >"$TEST_TMP/docker.tree"
    "$DOCKER" rm "$DOCKER_PREFIX-tree" >/dev/null
    ferry create --name tree out/app:1 >/dev/null
    ferry export tree | tree >"$TEST_TMP/ferry.tree"
    ferry rm tree >/dev/null
    diff "$TEST_TMP/docker.tree" "$TEST_TMP/ferry.tree" >"$TEST_TMP/tree.diff" ||
        fail "file trees differ: $(head -20 "$TEST_TMP/tree.diff")"
    for f in Env Cmd Entrypoint WorkingDir User Labels ExposedPorts Volumes StopSignal Healthcheck Shell; do
        expect_eq "$(ferry image inspect -f "{{json .Config.$f}}" out/app:1)" \
            "$("$DOCKER" image inspect -f "{{json .Config.$f}}" "$DOCKER_PREFIX/app:1")" "Config.$f"
    done
    # The multi-stage build (COPY --from=bb:1 names the image as docker knows it).
    sed "s|--from=bb:1|--from=$DOCKER_BB|" "$TEST_TMP/ms.Dockerfile" >"$TEST_TMP/ms.docker"
    DOCKER_BUILDKIT=0 "$DOCKER" build -q -f "$TEST_TMP/ms.docker" --build-arg "BASE=$DOCKER_BB" \
        -t "$DOCKER_PREFIX/ms:1" "$ctx" >/dev/null 2>"$TEST_TMP/docker.err" ||
        fail "docker build (multi-stage): $(tail -3 "$TEST_TMP/docker.err")"
    RUN_CLEANUPS=("$DOCKER rmi -f $DOCKER_PREFIX/ms:1 >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")
    "$DOCKER" create --name "$DOCKER_PREFIX-ms" "$DOCKER_PREFIX/ms:1" >/dev/null
    "$DOCKER" export "$DOCKER_PREFIX-ms" | tree >"$TEST_TMP/docker.tree"
    "$DOCKER" rm "$DOCKER_PREFIX-ms" >/dev/null
    ferry create --name ms out/ms >/dev/null
    ferry export ms | tree >"$TEST_TMP/ferry.tree"
    ferry rm ms >/dev/null
    diff "$TEST_TMP/docker.tree" "$TEST_TMP/ferry.tree" >"$TEST_TMP/tree.diff" ||
        fail "multi-stage file trees differ: $(head -20 "$TEST_TMP/tree.diff")"
fi
