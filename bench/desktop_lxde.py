#!/usr/bin/env python3
"""Part 4 of bench/desktop.sh: an LXDE image's desktop three ways, side by side in one run.

  desktop_lxde.py FERRY RUNS TESTS-DIR [DOCKER]

ferry --desktop (the image's startlxde on ferry's Xvnc, outside the container), and the classic
recipe (the image's own vncserver, published with -p) under ferry and under docker (when DOCKER
is given). For each: the time from `run -d` until an RFB client's full frame shows LXDE drawn
(8 colours or more; median of RUNS, at most 3), full frames per second at 1920x1080 (Raw), and
memory: the proportional set size of the desktop's processes (the container's, plus Xvnc for
--desktop, which runs outside it), and what `stats` says of the container's cgroup (which counts
the page cache of files the container was first to read: not comparable between tools). Images: bench/lxde:1
in ferry, ferry-bench/lxde:1 in docker.
"""
import socket
import statistics
import subprocess
import sys
import time

ferry, runs, tests = sys.argv[1], min(int(sys.argv[2]), 3), sys.argv[3]
docker = sys.argv[4] if len(sys.argv) > 4 else ""
sys.path.insert(0, tests)
import rfb_client  # noqa: E402

RECIPE = ('mkdir -p ~/.vnc && printf "#!/bin/sh\\nexec startlxde\\n" >~/.vnc/xstartup && '
          'chmod 755 ~/.vnc/xstartup && exec vncserver :1 -fg -geometry 1920x1080 -localhost no '
          '-SecurityTypes None --I-KNOW-THIS-IS-INSECURE')


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def out(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout.strip()


def start(mode):
    """Starts one desktop; returns (tool, id, address)."""
    if mode == "ferry --desktop":
        cid = out(ferry, "run", "-d", "--desktop=1920x1080", "--network", "none", "bench/lxde:1")
        return ferry, cid, out(ferry, "inspect", "-f", "{{.Desktop.Socket}}", cid)
    tool = ferry if mode.startswith("ferry") else docker
    image = "bench/lxde:1" if tool == ferry else "ferry-bench/lxde:1"
    port = free_port()
    cid = out(tool, "run", "-d", "-p", f"127.0.0.1:{port}:5901", image, "bash", "-c", RECIPE)
    return tool, cid, f"tcp://127.0.0.1:{port}"


def lxde_frame(address, deadline=120):
    """Connects until a full frame shows LXDE drawn; returns the client."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            c = rfb_client.Rfb(address)
        except (SystemExit, OSError):
            time.sleep(0.01)
            continue
        c.full_frame()
        sample = set(bytes(c.pixels[i:i + 3]) for i in range(0, len(c.pixels), 4 * 97))
        if len(sample) >= 8:
            return c
        c.s.close()
        time.sleep(0.05)
    raise SystemExit(f"no LXDE frame from {address} in {deadline} s")


def pss_mib(pids):
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def container_pss_mib(tool, cid):
    """The proportional set size of the container's processes (no page cache in it)."""
    lines = out(tool, "top", cid, "-eo", "pid").splitlines()[1:]
    return pss_mib(line.split()[0] for line in lines if line.strip())


def memory_mib(tool, cid):
    usage = out(tool, "stats", "--no-stream", "--format", "{{.MemUsage}}", cid)
    usage = usage.split("/")[0].strip()
    number = "".join(ch for ch in usage if ch.isdigit() or ch == ".")
    unit = usage[len(number):].strip()
    scale = {"B": 1 / 1048576, "KiB": 1 / 1024, "kB": 1 / 1000, "MiB": 1, "MB": 1,
             "GiB": 1024, "GB": 1024}
    return float(number or 0) * scale.get(unit, 1)


def xvnc_pids(cid):
    pid = out(ferry, "inspect", "-f", "{{.State.Pid}}", cid)
    monitor = open(f"/proc/{pid}/stat").read().split(") ")[1].split()[1]
    return subprocess.run(["pgrep", "-f", "-P", monitor, "Xvnc"], capture_output=True,
                          text=True).stdout.split()


def main():
    modes = ["ferry --desktop", "ferry classic (-p)"]
    if docker:
        modes.append("docker classic (-p)")
    else:
        print("LXDE, docker classic (-p): skipped (no working docker)")
    for mode in modes:
        times = []
        for i in range(runs):
            begin = time.perf_counter()
            tool, cid, address = start(mode)
            c = lxde_frame(address)
            times.append((time.perf_counter() - begin) * 1000)
            if i < runs - 1:
                c.s.close()
                subprocess.run([tool, "rm", "-f", cid], check=True, capture_output=True)
        time.sleep(2)  # the session settles
        frames, begin = 0, time.perf_counter()
        while time.perf_counter() - begin < 3:
            c.full_frame()
            frames += 1
        rate = frames / (time.perf_counter() - begin)
        mem, pss = memory_mib(tool, cid), container_pss_mib(tool, cid)
        if mode == "ferry --desktop":
            pss += pss_mib(xvnc_pids(cid))
        print(f"LXDE, {mode:20}: first LXDE frame median {statistics.median(times):7.1f} ms "
              f"(min {min(times):.1f}, {runs} runs); {rate:6.1f} full frames/s at "
              f"{c.width}x{c.height} ({c.width * c.height * 4 / 1e6:.2f} MB each); "
              f"processes' PSS {pss:.1f} MiB (Xvnc included); stats {mem:.1f} MiB",
              flush=True)
        c.s.close()
        subprocess.run([tool, "rm", "-f", cid], check=True, capture_output=True)


if __name__ == "__main__":
    main()
