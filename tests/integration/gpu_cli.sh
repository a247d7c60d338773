# `ferry gpu ls` and `ferry gpu cdi generate` against fake driver roots (FERRY_HOST_ROOT).

command -v gcc >/dev/null || skip "gcc is needed to build the fake driver"
"$FERRY_SRC/tests/gpu/make_fake_driver_root.sh" "$TEST_TMP/root" 2 550.54.14 2>/dev/null
export FERRY_HOST_ROOT="$TEST_TMP/root"

note "gpu ls"
out=$(ferry gpu ls)
expect_eq "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" "INDEX MODEL UUID BUS ID DRIVER CUDA CDI NAMES"
expect_eq "$(printf '%s\n' "$out" | wc -l)" 3 "lines"
expect_contains "$out" "NVIDIA A100-SXM4-80GB"
expect_contains "$out" "GPU-abcd0001-5f1a-4c2b-9d3e-000000000001"
expect_contains "$out" "0000:17:00.0"
expect_contains "$out" "550.54.14   12.4"
expect_contains "$out" "nvidia.com/gpu=1,nvidia.com/gpu=GPU-abcd0001-5f1a-4c2b-9d3e-000000000001"
out=$(ferry gpu list)
expect_contains "$out" "nvidia.com/gpu=0"

note "gpu ls --format json"
json=$(ferry gpu ls --format json)
expect_eq "$(printf '%s\n' "$json" | wc -l)" 2 "json lines"
python3 - "$json" <<'EOF'
import json, sys
gpus = [json.loads(line) for line in sys.argv[1].splitlines()]
assert [g["Index"] for g in gpus] == [0, 1], gpus
assert gpus[1]["UUID"] == "GPU-abcd0001-5f1a-4c2b-9d3e-000000000001", gpus
assert gpus[0]["DriverVersion"] == "550.54.14" and gpus[0]["CudaVersion"] == "12.4", gpus
assert gpus[0]["CdiNames"] == ["nvidia.com/gpu=0", "nvidia.com/gpu=GPU-abcd0000-5f1a-4c2b-9d3e-000000000000"]
assert gpus[0]["ComputeCapability"] == "8.0", gpus
EOF
expect_fail 64 'ferry: error: template parsing error: template: :1: unclosed action' ferry gpu ls --format '{{.Index'

note "gpu cdi generate"
yaml=$(ferry gpu cdi generate)
expect_contains "$yaml" "cdiVersion: 0.5.0
kind: nvidia.com/gpu
devices:
- name: \"0\""
expect_contains "$yaml" "- name: all"
expect_contains "$yaml" "containerPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1"
ferry gpu cdi generate --output "$TEST_TMP/nvidia.json"
python3 - "$TEST_TMP/nvidia.json" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
assert spec["cdiVersion"] == "0.5.0" and spec["kind"] == "nvidia.com/gpu", spec
names = [d["name"] for d in spec["devices"]]
assert names == ["0", "GPU-abcd0000-5f1a-4c2b-9d3e-000000000000", "1",
                 "GPU-abcd0001-5f1a-4c2b-9d3e-000000000001", "all"], names
mounts = {m["containerPath"]: m["hostPath"] for m in spec["containerEdits"]["mounts"]}
assert mounts["/usr/lib/x86_64-linux-gnu/libcuda.so.1"] == "/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.14"
assert "/usr/bin/nvidia-smi" in mounts
assert not any("470.82.01" in p for p in mounts.values()), mounts
EOF
ferry gpu cdi generate --format yaml --output "$TEST_TMP/nvidia.out"
expect_contains "$(head -1 "$TEST_TMP/nvidia.out")" "cdiVersion: 0.5.0"
if python3 -c 'import yaml' 2>/dev/null; then
    python3 -c 'import sys, yaml; s = yaml.safe_load(open(sys.argv[1])); assert len(s["devices"]) == 5, s' \
        "$TEST_TMP/nvidia.out" || fail "the YAML spec does not parse as five devices (above)"
else
    note "(python3-yaml not installed: YAML not cross-checked)"
fi
expect_fail 125 'ferry: error: unsupported --format `toml` (`json` or `yaml`)' \
    ferry gpu cdi generate --format toml

note "no driver"
mkdir -p "$TEST_TMP/empty"
export FERRY_HOST_ROOT="$TEST_TMP/empty"
out=$(ferry gpu ls 2>"$TEST_TMP/err")
expect_eq "$(printf '%s\n' "$out" | wc -l)" 1 "header only"
expect_eq "$(cat "$TEST_TMP/err")" "ferry: no NVIDIA driver is loaded (no /proc/driver/nvidia/version)"
expect_fail 125 'ferry: error: no NVIDIA driver is loaded (no /proc/driver/nvidia/version)' \
    ferry gpu cdi generate
