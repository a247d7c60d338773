# --format as docker's Go templates (issue 8, point 8): inspect of containers, images and volumes
# (typed values printed as Go prints docker's structs, then the raw-JSON fallback and its errors),
# and the listings (ps, images, volume ls, system df: table headers, .Label, errors). Exact
# outputs first; then, where a docker daemon answers, the same container, image and volume made
# in docker and every template of a battery compared with docker's output and exit status.
source "$FERRY_SRC/tests/integration/container_lib.sh"

IMG=$DOCKER_PREFIX/bb:1
C=$DOCKER_PREFIX-c1
V=$DOCKER_PREFIX-v1
bb_image "$IMG"
ferry create --name "$C" -l x=y -l abc=def -e FOO=bar -v /data "$IMG" sleep 100 >/dev/null
ferry volume create --label vl=1 "$V" >/dev/null

note "inspect: docker's types print as Go structs and maps; missing keys"
expect_out "{created false false false false false 0 0  0001-01-01T00:00:00Z 0001-01-01T00:00:00Z <nil>}" \
    ferry inspect -f '{{.State}}' "$C"
expect_out "map[abc:def x:y]|<no value>|[]|{no 0}|<nil>" \
    ferry inspect -f '{{.Config.Labels}}|{{.Config.Labels.nokey}}|{{.HostConfig.Binds}}|{{.HostConfig.RestartPolicy}}|{{.State.Health}}' "$C"
expect_out "abc=def;x=y;|0:FOO=bar 1:IMG=1 |2 C" \
    ferry inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}|{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}|{{len .Config.Labels}} {{if eq .State.Status "created"}}C{{end}}' "$C"
expect_out "[]|[/bin/sh]" ferry image inspect -f '{{.Config.Entrypoint}}|{{.Config.Cmd}}' "$IMG"
expect_out "map[vl:1] local <nil>" ferry volume inspect -f '{{.Labels}} {{.Scope}} {{.UsageData}}' "$V"
expect_out "$C /$C" ferry inspect --format '{{slice .Name 1}} {{.Name}}' "$C"

note "inspect: errors as docker's (parse: 64, execution: 1, an empty line on stdout)"
expect_fail 1 'ferry: error: template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"' \
    ferry inspect -f '{{.Foo}}' "$C"
expect_eq "$(cat "$TEST_TMP/.out")" "" "stdout of a failed template"
expect_fail 1 'ferry: error: template parsing error: template: :1:13: executing "" at <.Config.Labels.nokey>: map has no entry for key "nokey"' \
    ferry container inspect -f '{{len .Config.Labels.nokey}}' "$C"
expect_fail 64 'ferry: error: template parsing error: template: :1: function "foo" not defined' \
    ferry inspect -f '{{foo}}' "$C"
expect_fail 64 'ferry: error: template parsing error: template: :1: unclosed action' \
    ferry image inspect -f '{{.Id' "$IMG"
expect_fail 1 "ferry: error: template parsing error: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type types.Volume" \
    ferry volume inspect -f '{{.Foo}}' "$V"

note "listings: templates per row, table headers, .Label, errors"
expect_out "$C|y|" ferry ps -a --format '{{.Names}}|{{.Label "x"}}|{{.Label "nope"}}'
w=$((${#C} + 3))
expect_out "$(printf "%-${w}s%-10s%s\n%-${w}s%-10s%s" NAMES abc STATE "$C" def created)" \
    ferry ps -a --format 'table {{.Names}}\t{{.Label "abc"}}\t{{.State}}'
expect_out "$IMG" ferry images --format '{{.Repository}}:{{.Tag}}'
expect_out "Images 1" ferry system df --format '{{.Type}} {{.TotalCount}}'
expect_out "$V vl=1" ferry volume ls --filter "name=$V" --format '{{.Name}} {{.Labels}}'
expect_fail 1 "ferry: error: failed to execute template: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type *formatter.ContainerContext" \
    ferry ps --format '{{.Foo}}'
expect_fail 1 'ferry: error: failed to parse template: template: :1: function "foo" not defined' \
    ferry ps --format '{{foo}}'
expect_fail 1 "ferry: error: template parsing error: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type *formatter.volumeContext" \
    ferry volume ls --format '{{.Foo}}'
expect_out "$C" ferry ps -aq --format '{{.Names}}'  # docker 20.10: the format wins over -q

docker_bb || skip "no docker daemon: the comparisons with docker did not run (the checks above passed)"
"$DOCKER" create --name "$C" -l x=y -l abc=def -e FOO=bar -v /data "$IMG" sleep 100 >/dev/null
"$DOCKER" volume create --label vl=1 "$V" >/dev/null
RUN_CLEANUPS=("$DOCKER rm -f $C >/dev/null 2>&1" "$DOCKER volume rm -f $V >/dev/null 2>&1" "${RUN_CLEANUPS[@]}")

# same CMD... : ferry and docker run `CMD...` with the same arguments: the same stdout, stderr
# (less ferry's `ferry: error: ` prefix) and exit status.
same() {
    local f d
    f=$(ferry "$@" 2>&1 | sed 's/^ferry: error: //'; echo "status ${PIPESTATUS[0]}")
    d=$("$DOCKER" "$@" 2>&1; echo "status ${PIPESTATUS[0]}")
    expect_eq "$f" "$d" "ferry $* (docker's output)"
}

note "inspect of a container: a battery of templates against docker's"
for t in '{{.State}}' '{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}}' \
    '{{.Config.Labels}} {{.Config.Labels.nokey}} {{.Config.Labels.nokey.x}}' '{{.Config.Env}}' \
    '{{.Config.Cmd}} {{.Config.Entrypoint}} {{.Args}} {{.Path}} {{.Name}} {{.Config.Image}}' \
    '{{json .Config.Labels}} {{json .State}} {{json .Args}}' \
    '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' '{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}' \
    '{{index .Config.Labels "x"}}|{{index .Config.Labels "nokey"}}|{{index .Config.Env 1}}' \
    '{{len .Config.Env}} {{len .Config.Labels}} {{len .Name}}' \
    '{{.HostConfig.RestartPolicy}} {{printf "%+v" .HostConfig.RestartPolicy}} {{.HostConfig.ConsoleSize}}' \
    '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.Binds}} {{.HostConfig.OomKillDisable}}' \
    '{{.State.Health}} {{with .State.Health}}h{{else}}none{{end}} {{json .State.Health}}' \
    '{{if eq .State.Status "created" "running"}}yes{{else}}no{{end}} {{if .State.Running}}r{{else if .State.Pid}}p{{else}}s{{end}}' \
    '{{.Config.Volumes}} {{.Config.Healthcheck}} {{.Config.ExposedPorts}}' \
    '{{upper .Name}} {{lower "ABC"}} {{title "a b"}} {{truncate .Name 4}} [{{pad "x" 1 2}}] [{{pad "" 1 2}}]' \
    '{{join .Config.Env ","}} {{split "a,b" ","}} {{join .Config.Labels "+"}}' \
    '{{printf "%q %5.2f %-4d| %x %v %08.3f %+d %e %g %t %c %U" .Name 3.14159 42 255 .State.Running -3.14159 5 1234.5678 0.00001 true 65 9731}}' \
    '{{"a" | printf "%s-%s" "b"}} {{.State.Pid | printf "%05d"}} {{.Config.Env | len}}' \
    '{{1.5}} {{1e6}} {{0x10}} {{-3}} {{123456789.0}} {{1.0}} {{'"'"'a'"'"'}}' \
    '{{printf "%d" .Name}} {{printf "%s %s" .Name}} {{printf "%s" .Name 3}} {{printf "%s" .State}}' \
    '{{html "<a>"}} {{js "a'"'"'b<"}} {{urlquery "a b&"}}' '{{print 1 2 "a" "b" 3}}|{{println 1 "a"}}|' \
    '{{range .Config.Env}}{{break}}{{end}}x {{range .HostConfig.Binds}}b{{else}}none{{end}}' '{{range 3}}{{.}}{{end}}' \
    '{{with .State.Health}}h{{else with .State}}{{.Status}}{{end}}' \
    'a {{- " a " -}} b {{- " c"}} {{/* comment */}} d' '{{define "T"}}<{{.}}>{{end}}{{template "T" .Name}}' \
    '{{$x := 1}}{{$x = 2}}{{$x}} {{$.Name}} {{(index .Mounts 0).Destination}} {{and .State.Running .Name}}|{{or .State.Running .Name}}|{{not .State.Running}}' \
    '{{eq .State.Pid .State.ExitCode}} {{ge 3 2}} {{le "a" "b"}} {{gt 1.5 2.5}} {{ne 1 2}}' \
    '{{.Foo}}' '{{.Config.Foo}}' '{{.State.Health.Status}}' '{{len .Config.Labels.nokey}}' \
    '{{upper .Config.Labels}}' '{{index .Config.Env 5}}' '{{lt 1 2.0}}' '{{nil}}' '{{.Name.Foo}}' \
    '{{.Name "x"}}' '{{eq .State .State.Status}}' \
    '{{foo}}' '{{.Foo' '{{if}}' '{{end}}' '{{else}}' '{{$y}}' '{{break}}' '{{range}}' '{{"a}}' '{{3x}}'; do
    same inspect -f "$t" "$C"
done

note "inspect of an image and a volume against docker's"
for t in '{{.Config.Cmd}} {{.Config.Entrypoint}} {{.Config.Env}} {{.Config.Labels}}' '{{.RepoTags}} {{.RepoDigests}}' \
    '{{json .Config}} {{json .RootFS}}' '{{.Os}}/{{.Architecture}} {{.Config.Healthcheck}} {{.ContainerConfig.Cmd}}' \
    '{{range .RootFS.Layers}}{{len .}}{{end}}' '{{.Foo}}' '{{.Config.Foo}}'; do
    same image inspect -f "$t" "$IMG"
done
for t in '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Options}} {{.UsageData}} {{.Status}}' \
    '{{json .Labels}} {{.Labels.vl}} {{.Labels.nope}}' '{{.Foo}}' '{{foo}}'; do
    same volume inspect -f "$t" "$V"
done

note "listings against docker's"
for t in '{{.Names}}|{{.Label "x"}}|{{.Label "nope"}}|{{.State}}|{{.Image}}|{{.Command}}' \
    'table {{.Names}}\t{{.Label "abc"}}\t{{.State}}' 'table {{.Names}} {{upper .Image}}\t{{json .State}}' \
    '{{if eq .State "created"}}C {{.Names}}{{end}}' '{{printf "%-30s|" .Names}}{{len .Names}}' \
    '{{.Foo}}' 'table {{.Names}}\t{{.Foo}}' '{{foo}}' '{{.Names "x"}}' '{{.Names'; do
    same ps -a --filter "name=$C" --format "$t"
done
for t in '{{.Repository}}:{{.Tag}}' 'table {{.Repository}}\t{{.Tag}}\t{{.Containers}}' '{{.Foo}}' '{{foo}}'; do
    same images "$IMG" --format "$t"
done
for t in '{{.Name}} {{.Driver}} {{.Scope}} {{.Label "vl"}}' 'table {{.Name}}\t{{.Driver}}\t{{.Label "x"}}' '{{.Foo}}'; do
    same volume ls --filter "name=$V" --format "$t"
done
