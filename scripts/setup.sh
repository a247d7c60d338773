#!/usr/bin/env bash
# Installs the Debian packages ferry needs to build and test (and, with --bench, to run the
# benchmarks side by side with docker and podman). Idempotent and fast when all are present:
# apt runs only when something is missing. Every dependency comes from Debian's archive.
set -euo pipefail

build_pkgs=(g++ make cmake ninja-build pkg-config libssl-dev libisal-dev libzstd-dev libbz2-dev
            liblzma-dev libyaml-dev libseccomp-dev nlohmann-json3-dev libgtest-dev)
test_pkgs=(busybox-static skopeo umoci python3 zstd uidmap runc docker.io attr e2fsprogs jq
           iproute2 procps util-linux tar gzip bzip2 xz-utils time passwd bsdutils zsh fish
           groff-base man-db python3-yaml strace docker-registry openssh-server apache2-utils
           python3-cryptography curl openssl nftables aardvark-dns passt
           tigervnc-standalone-server websockify novnc chromium python3-pil debootstrap)
bench_pkgs=(hyperfine time podman)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
if [ "${1:-}" = "--bench" ]; then
    want+=("${bench_pkgs[@]}")
fi

# Rootless networking (pasta) opens /dev/net/tun as the user: Debian's udev rule makes it 0666,
# some virtual machines leave it 0600.
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    chmod 0666 /dev/net/tun
fi

missing=()
for p in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "setup: missing packages: ${missing[*]}; run as root to install them" >&2
    exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are missing or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
