# Where users expect them (issue 8, point 10): `ferry completion bash|zsh|fish` completes
# commands, subcommands, flags, flag values and the names of containers, images and volumes of
# the store typed with --root; the man pages render; `make install DESTDIR=... PREFIX=...` lays
# out the binary, the pages and the completions; `ferry version --format` has docker's keys.

# The scripts call `ferry` by the name typed, as a shell would find it.
mkdir -p bin
ln -s "$FERRY" bin/ferry
export PATH="$TEST_TMP/bin:$PATH"

note "a store with one image, one container, one volume and one network to complete the names of"
busybox_rootfs rootfs
tar -C rootfs -cf rootfs.tar .
ferry import -q rootfs.tar my/img:1 >/dev/null
ferry create --name box1 my/img:1 true >/dev/null
ferry volume create vol1 >/dev/null
ferry network create net1 >/dev/null
store=$FERRY_ROOT
unset FERRY_ROOT

# complete WORD...: what bash's completion offers for the words typed (the last one is the
# word under the cursor), sorted, on one line.
complete_bash() {
    bash -c 'source <(ferry completion bash) || exit 1
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _ferry
        [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' _ "$@"
}
expect_bash() {
    local want=$1
    shift
    expect_eq "$(complete_bash "$@")" "$want" "bash completion of [$*]"
}

note "bash: commands, subcommands and aliases, flags, help topics"
expect_bash "image images import " ferry im
expect_bash "build history import inspect list load ls prune pull push remove rm save tag " ferry image ""
expect_bash "list load ls " ferry image l
expect_bash "--filter --format " ferry image ls --f
expect_bash "--force --help --volumes -f -v " ferry rm -
expect_bash "--debug " ferry --de
expect_bash "bash fish zsh " ferry completion ""
expect_bash "cdi list ls " ferry help gpu ""
expect_bash "generate " ferry gpu cdi ""

note "bash: names from the store that --root names (typed as one word or two)"
expect_bash "box1 " ferry --root "$store" rm ""
expect_bash "box1 " ferry --root = "$store" container rm b
expect_bash "box1 " ferry --root "$store" rm -f box1 ""
expect_bash "my/img:1 " ferry --root "$store" run --rm -it ""
expect_bash "my/img:1 " ferry --root "$store" rmi my
expect_bash "1 " ferry --root "$store" rmi my/img : ""
expect_bash "vol1 " ferry --root "$store" volume rm ""
expect_bash "net1 none " ferry --root "$store" network inspect n
expect_bash "bridge host net1 none " ferry --root "$store" network connect ""
expect_bash "box1 my/img:1 " ferry --root "$store" inspect ""
expect_bash "" ferry --root "$store" ps ""
expect_bash "" ferry --root "$store" run --name ""

note "bash: files for file arguments, flags that take a file, and a container's command"
mkdir -p files/sub && touch files/archive.tar
expect_bash "files/archive.tar " ferry load -i files/a
expect_bash "files/archive.tar " ferry load --input = files/a
expect_bash "files/archive.tar " ferry import files/a
expect_bash "files/archive.tar " ferry --root "$store" run my/img:1 cat files/a

note "zsh: the script parses and defines the completion of ferry"
if command -v zsh >/dev/null; then
    ferry completion zsh >_ferry
    zsh -n _ferry || fail "zsh cannot parse the script"
    out=$(zsh -f -c 'autoload -U compinit && compinit -u -d "$1/zcompdump"; source "$1/_ferry"
        print -r -- ${_comps[ferry]}; __ferry_child "image" list; __ferry_spec "rm"
        print -r -- $args $repeat "${opts[1]}"' _ "$TEST_TMP")
    expect_eq "$out" "_ferry
image ls
container 1 -f:Force the removal of a running container (uses SIGKILL)" "zsh functions"
    ferry completion zsh --no-descriptions | grep "^            '-f'$" >/dev/null ||
        fail "zsh --no-descriptions still describes"
else
    note "zsh is not installed: its script is not checked"
fi

note "fish: the script parses and completes"
if command -v fish >/dev/null; then
    ferry completion fish >ferry.fish
    fish -n ferry.fish || fail "fish cannot parse the script"
    complete_fish() { fish -c "source $TEST_TMP/ferry.fish; complete -C '$1'" | cut -f1 | LC_ALL=C sort | tr '\n' ' '; }
    expect_eq "$(complete_fish "ferry ima")" "image images " "fish: commands"
    expect_eq "$(complete_fish "ferry image ls --f")" "--filter --format " "fish: flags"
    expect_eq "$(complete_fish "ferry --root $store rm ")" "box1 " "fish: container names"
    expect_eq "$(complete_fish "ferry --root $store run --rm ")" "my/img:1 " "fish: image names"
    expect_eq "$(complete_fish "ferry --root $store volume rm ")" "vol1 " "fish: volume names"
else
    note "fish is not installed: its script is not checked"
fi

note "man pages: one per command, each renders without a warning"
docs=$FERRY_BUILD/docs
[ -d "$docs/man1" ] || skip "the man pages are not built (cmake --build $FERRY_BUILD --target docs)"
commands=$(complete_bash ferry "" | wc -w)
pages=$(ls "$docs/man1" | wc -l)
[ "$pages" -gt "$commands" ] || fail "$pages man pages for $commands top-level commands"
for page in "$docs"/man1/*.1; do
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fail "$(basename "$page"): $warnings"
done
rendered=$(MANWIDTH=200 man -l "$docs/man1/ferry-rm.1" 2>/dev/null | col -bx)
expect_contains "$rendered" "ferry-rm - Remove one or more containers"
expect_contains "$rendered" "ferry rm [OPTIONS] CONTAINER [CONTAINER...]"
expect_contains "$rendered" "-f, --force
              Force the removal of a running container (uses SIGKILL)"
rendered=$(MANWIDTH=200 man -l "$docs/man1/ferry.1" 2>/dev/null | col -bx)
expect_contains "$rendered" "ferry-image(1)"
expect_contains "$rendered" "--root string"

note "make install DESTDIR=... PREFIX=/usr: binary, man pages and completions"
make -s -C "$FERRY_SRC" install BUILD="$FERRY_BUILD" DESTDIR="$TEST_TMP/inst" PREFIX=/usr >install.log 2>&1 ||
    fail "make install: $(tail -5 install.log)"
inst=$TEST_TMP/inst/usr
[ -x "$inst/bin/ferry" ] || fail "no bin/ferry"
cmp -s "$inst/bin/ferry" "$FERRY" || fail "the installed binary is not the one built"
expect_eq "$(ls "$inst/share/man/man1")" "$(ls "$docs/man1")" "installed man pages"
cmp -s "$inst/share/bash-completion/completions/ferry" <(ferry completion bash) || fail "bash completion"
cmp -s "$inst/share/zsh/vendor-completions/_ferry" <(ferry completion zsh) || fail "zsh completion"
cmp -s "$inst/share/fish/vendor_completions.d/ferry.fish" <(ferry completion fish) || fail "fish completion"

note "version --format: docker's keys"
expect_out "$("$FERRY" version --format '{{.Client.Version}}')" ferry version --format '{{.Server.Version}}'
[[ $(ferry version -f '{{.Client.Version}}') == [0-9]*.[0-9]*.[0-9]* ]] || fail "Client.Version"
expect_eq "$(ferry version --format json)" "$(ferry version --format '{{json .}}')" "--format json"
ferry version --format '{{json .}}' >ferry-version.json
DOCKER=${DOCKER:-/usr/bin/docker}
if [ -x "$DOCKER" ] && "$DOCKER" version --format '{{json .}}' >docker-version.json 2>/dev/null; then
    python3 - ferry-version.json docker-version.json <<'PY' || fail "ferry's version document has keys docker's lacks (above)"
import json, sys
ferry, docker = (json.load(open(p)) for p in sys.argv[1:])
def keys(doc, prefix=""):
    out = set()
    for k, v in doc.items():
        out.add(prefix + k)
        if isinstance(v, dict) and k != "Details":
            out |= keys(v, prefix + k + ".")
    return out
# docker leaves Client.Platform out when its build names no platform (omitempty)
extra = keys(ferry) - keys(docker) - {"Client.Platform", "Client.Platform.Name"}
if extra:
    print("keys docker's `version` does not have:", sorted(extra), file=sys.stderr)
    sys.exit(1)
for side in ("Client", "Server"):
    for k in ("Version", "Os", "Arch"):
        assert isinstance(ferry[side][k], str) and ferry[side][k], (side, k)
assert ferry["Server"]["Components"][0]["Name"] == "Engine"
assert ferry["Client"]["Arch"] == docker["Client"]["Arch"], "Go's name of the architecture"
PY
else
    note "no docker daemon answers: the version document is not compared with docker's"
fi
