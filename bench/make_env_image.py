#!/usr/bin/env python3
"""Builds the archive benchmark's environment image: a two-layer docker-archive of about 1.3 GB.

Layer 1 is a Debian root file system (the tree `debootstrap --variant=minbase` made, passed as
--rootfs); layer 2 is the cuDNN, cuBLAS and cudart shared libraries from --libs
(/usr/local/cuda/lib64) at the same path in the image, chosen so the two layers hold about
--target-bytes together. On a machine without CUDA, layer 2 holds files of the same names and
sizes (this machine's CUDA 13 / cuDNN 9, recorded in SHAPE) filled with seeded pseudo-random
bytes, so every machine benchmarks an image of the same shape.

The archive is written as docker 20-24 `docker save` writes it (see tests/fixtures/imagelib.py).
Every entry gets the same mtime and the layers are written in sorted order, so the same inputs
give a byte-identical archive on every run. Layers are first written to files next to the output
(to learn their sha256, the diff IDs in the config), then copied into the archive and removed.
"""

import argparse
import fnmatch
import json
import os
import random
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "fixtures"))
import imagelib  # noqa: E402

LIB_PATTERNS = ("libcudnn*.so*", "libcublas*.so*", "libcudart*.so*")
IMAGE_LIB_DIR = "usr/local/cuda/lib64"
# Directories whose contents a container image does not carry (the runtime mounts them).
EMPTY_DIRS = {"dev", "proc", "sys"}

# (name, size) of regular files and (name, target) of symlinks: CUDA 13.0 and cuDNN 9 as
# installed on the development machine, the shape used when CUDA is absent.
SHAPE_FILES = [
    ("libcublas.so.13", 54177976), ("libcublasLt.so.13", 541595600),
    ("libcudart.so.13", 704288), ("libcudnn.so.9", 129240),
    ("libcudnn_adv.so.9", 109169104), ("libcudnn_cnn.so.9", 4203904),
    ("libcudnn_engines_precompiled.so.9", 245391920),
    ("libcudnn_engines_runtime_compiled.so.9", 29386400),
    ("libcudnn_graph.so.9", 4451728), ("libcudnn_heuristic.so.9", 60822040),
    ("libcudnn_ops.so.9", 39855888),
]
SHAPE_LINKS = [
    ("libcublas.so", "libcublas.so.13"), ("libcublasLt.so", "libcublasLt.so.13"),
    ("libcudart.so", "libcudart.so.13"), ("libcudnn.so", "libcudnn.so.9"),
    ("libcudnn_adv.so", "libcudnn_adv.so.9"), ("libcudnn_cnn.so", "libcudnn_cnn.so.9"),
    ("libcudnn_engines_precompiled.so", "libcudnn_engines_precompiled.so.9"),
    ("libcudnn_engines_runtime_compiled.so", "libcudnn_engines_runtime_compiled.so.9"),
    ("libcudnn_graph.so", "libcudnn_graph.so.9"),
    ("libcudnn_heuristic.so", "libcudnn_heuristic.so.9"), ("libcudnn_ops.so", "libcudnn_ops.so.9"),
]


def file_chunks(path):
    with open(path, "rb") as f:
        while chunk := f.read(imagelib.CHUNK):
            yield chunk


def random_chunks(seed, size):
    """size pseudo-random bytes, the same for the same seed on every machine."""
    rng = random.Random(seed)
    left = size
    while left:
        n = min(left, imagelib.CHUNK)
        yield rng.randbytes(n)
        left -= n


def walk_sorted(root):
    """Relative paths under root in tar order (a directory before its contents, names sorted),
    not following symlinks; the contents of EMPTY_DIRS are left out."""
    def visit(rel):
        full = os.path.join(root, rel) if rel else root
        for name in sorted(os.listdir(full)):
            child = os.path.join(rel, name) if rel else name
            yield child
            st = os.lstat(os.path.join(root, child))
            if stat.S_ISDIR(st.st_mode) and child not in EMPTY_DIRS:
                yield from visit(child)
    yield from visit("")


def write_rootfs_layer(rootfs, out_path):
    """Writes the tree at rootfs as a layer tar; returns the bytes of file content it holds."""
    content = 0
    seen = {}  # (dev, ino) -> first name, for hard links
    with open(out_path, "wb") as out:
        tar = imagelib.TarBuilder(out)
        for rel in walk_sorted(rootfs):
            path = os.path.join(rootfs, rel)
            st = os.lstat(path)
            owner = {"mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}
            if stat.S_ISDIR(st.st_mode):
                tar.dir(rel, **owner)
            elif stat.S_ISLNK(st.st_mode):
                tar.entry(rel, type=imagelib.SYMLINK, linkname=os.readlink(path), **owner)
            elif stat.S_ISREG(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in seen:
                    tar.entry(rel, type=imagelib.HARDLINK, linkname=seen[key], **owner)
                    continue
                seen[key] = rel
                tar.stream_chunks(rel, st.st_size, file_chunks(path), **owner)
                content += st.st_size
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                kind = imagelib.CHARDEV if stat.S_ISCHR(st.st_mode) else imagelib.BLOCKDEV
                tar.entry(rel, type=kind, devmajor=os.major(st.st_rdev),
                          devminor=os.minor(st.st_rdev), **owner)
            elif stat.S_ISFIFO(st.st_mode):
                tar.entry(rel, type=imagelib.FIFO, **owner)
        tar.close()
    return content


def pick_libs(libs_dir, budget):
    """(files, links, source): the libraries to carry, as lists of (name, size) and
    (name, target), taken from libs_dir when it has any, else from SHAPE; files are taken in
    name order while they fit in budget bytes (the first always)."""
    names = sorted(os.listdir(libs_dir)) if libs_dir and os.path.isdir(libs_dir) else []
    names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in LIB_PATTERNS)]
    if names:
        files, links = [], []
        for n in names:
            path = os.path.join(libs_dir, n)
            if os.path.islink(path):
                links.append((n, os.readlink(path)))
            elif os.path.isfile(path):
                files.append((n, os.path.getsize(path)))
        source = libs_dir
    else:
        files, links, source = list(SHAPE_FILES), list(SHAPE_LINKS), None
    chosen, total = [], 0
    for name, size in sorted(files, key=lambda f: f[0]):
        if chosen and total + size > budget:
            continue
        chosen.append((name, size))
        total += size
    kept = {n for n, _ in chosen}
    return chosen, [(n, t) for n, t in links if t in kept], source


def write_libs_layer(files, links, source, out_path):
    with open(out_path, "wb") as out:
        tar = imagelib.TarBuilder(out)
        parts = IMAGE_LIB_DIR.split("/")
        for i in range(len(parts)):
            tar.dir("/".join(parts[: i + 1]))
        entries = [(n, "file", s) for n, s in files] + [(n, "link", t) for n, t in links]
        for name, kind, value in sorted(entries):
            rel = f"{IMAGE_LIB_DIR}/{name}"
            if kind == "link":
                tar.symlink(rel, value)
            elif source:
                tar.stream_chunks(rel, value, file_chunks(os.path.join(source, name)))
            else:
                tar.stream_chunks(rel, value, random_chunks(name, value))
        tar.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rootfs", required=True, help="debootstrap minbase tree")
    parser.add_argument("--libs", default="/usr/local/cuda/lib64",
                        help="directory of the CUDA libraries (random data when absent)")
    parser.add_argument("--target-bytes", type=int, default=1_300_000_000,
                        help="file content of both layers together")
    parser.add_argument("--tag", default="ferry-bench/env:latest")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    work = os.path.dirname(os.path.abspath(args.output))
    layer1_path = os.path.join(work, ".layer1.tar")
    layer2_path = os.path.join(work, ".layer2.tar")
    try:
        base_bytes = write_rootfs_layer(args.rootfs, layer1_path)
        files, links, source = pick_libs(args.libs, args.target_bytes - base_bytes)
        write_libs_layer(files, links, source, layer2_path)
        layers = [imagelib.Blob(path=layer1_path), imagelib.Blob(path=layer2_path)]
        what = f"cuDNN, cuBLAS and cudart from {source}" if source else \
            "random data shaped like cuDNN 9, cuBLAS and cudart 13"
        history = [
            {"created": imagelib.CREATED,
             "created_by": "debootstrap --variant=minbase bookworm"},
            {"created": imagelib.CREATED, "created_by": f"COPY {what} /{IMAGE_LIB_DIR}"},
        ]
        env = imagelib.DEFAULT_ENV + [f"LD_LIBRARY_PATH=/{IMAGE_LIB_DIR}"]
        image = imagelib.image_from_layers(layers, [args.tag], cmd=["bash"], env=env,
                                           history=history)
        tmp = args.output + ".tmp"
        with open(tmp, "wb") as out:
            imagelib.write_docker_archive(out, [image])
        os.replace(tmp, args.output)
    finally:
        for p in (layer1_path, layer2_path):
            if os.path.exists(p):
                os.unlink(p)
    lib_bytes = sum(s for _, s in files)
    print(json.dumps({
        "archive": args.output, "image_id": image.config.digest,
        "diff_ids": [layer.digest for layer in layers],
        "layer_bytes": [layer.size for layer in layers],
        "content_bytes": base_bytes + lib_bytes, "lib_files": len(files),
        "libs": source or "random",
    }))


if __name__ == "__main__":
    main()
