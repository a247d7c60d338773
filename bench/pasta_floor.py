#!/usr/bin/env python3
"""pasta by itself, as ferry runs it for a rootless container: the floor under bench/net.sh's
rootless pasta row. Each round makes an empty user and network namespace (unshare -Urn), starts
pasta on it with ferry's arguments, and times the start until pasta's pid file says the namespace
is configured, then the end: SIGKILL until it is reaped (the kernel removes its tap device then).
Run as the user whose rootless start is measured; prints "START_MS END_MS", medians.

usage: pasta_floor.py RUNS SCRATCH_DIR
"""
import os
import signal
import statistics
import subprocess
import sys
import time


def one_round(scratch):
    holder = subprocess.Popen(["unshare", "-Urn", "sleep", "60"])
    try:
        ns = "/proc/%d/ns/" % holder.pid
        for _ in range(1000):  # until unshare has exec'd sleep in the new namespaces
            if os.readlink(ns + "user") != os.readlink("/proc/self/ns/user"):
                break
            time.sleep(0.001)
        pid_file = os.path.join(scratch, "pasta.pid")
        if os.path.exists(pid_file):
            os.unlink(pid_file)
        t0 = time.perf_counter()
        pasta = subprocess.Popen(
            ["/usr/bin/pasta", "--config-net", "--quiet", "--foreground", "--pid", pid_file,
             "-t", "none", "-u", "none", "-T", "none", "-U", "none",
             "--userns", ns + "user", "--netns", ns + "net"], stderr=subprocess.DEVNULL)
        while not os.path.exists(pid_file):
            if pasta.poll() is not None:
                raise SystemExit("pasta exited with status %d" % pasta.returncode)
            time.sleep(0.0002)
        t1 = time.perf_counter()
        pasta.send_signal(signal.SIGKILL)
        pasta.wait()
        t2 = time.perf_counter()
        return (t1 - t0) * 1000, (t2 - t1) * 1000
    finally:
        holder.kill()
        holder.wait()


def main():
    runs, scratch = int(sys.argv[1]), sys.argv[2]
    one_round(scratch)  # warm-up: page cache, pasta's binary
    starts, ends = zip(*(one_round(scratch) for _ in range(runs)))
    print("%.1f %.1f" % (statistics.median(starts), statistics.median(ends)))


if __name__ == "__main__":
    main()
