#!/usr/bin/env python3
"""scripts/mirror.py SRC DST: makes DST hold the files of the checkout SRC
(what `git ls-files -co --exclude-standard` lists, less target/, build/ and
dist/), rewriting only the files whose content or mode differs and deleting
everything else in DST.

Why: cargo decides what to rebuild by comparing file times. A fresh clone's
files are all new, so a build of it in a cached target dir recompiles every
workspace crate even when nothing changed. In a mirror, a file keeps its
time until its content changes, so a build there redoes only what changed:
the cached builds (the host's, the matrix rows', the fuzz targets', the
phpize copy's) stay sound and are reused by the next clone of the same tree."""
import os
import pathlib
import shutil
import stat
import subprocess
import sys

SKIP = ("target/", "build/", "dist/")


def listed(src):
    out = subprocess.run(["git", "-C", src, "ls-files", "-z", "-co", "--exclude-standard"],
                         check=True, capture_output=True).stdout
    names = {n for n in out.decode().split("\0") if n and not n.startswith(SKIP)}
    # ls-files also lists tracked files deleted in the working tree.
    return {n for n in names if os.path.lexists(os.path.join(src, n))}


def same(a, b):
    """Whether b already is a copy of a (a symlink's target, or a file's mode and bytes)."""
    if os.path.islink(a) or os.path.islink(b):
        return os.path.islink(a) and os.path.islink(b) and os.readlink(a) == os.readlink(b)
    try:
        sa, sb = os.stat(a), os.stat(b)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(sb.st_mode) or stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode) or sa.st_size != sb.st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def main(src, dst):
    names = listed(src)
    dst = pathlib.Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    changed = 0
    for name in sorted(names):
        a, b = os.path.join(src, name), dst / name
        if same(a, b):
            continue
        if b.is_dir() and not b.is_symlink():
            shutil.rmtree(b)
        elif b.exists() or b.is_symlink():
            b.unlink()
        b.parent.mkdir(parents=True, exist_ok=True)
        if os.path.islink(a):
            os.symlink(os.readlink(a), b)
        else:
            shutil.copy2(a, b)
            os.utime(b)  # a rewritten file is newer than any build of its old content
        changed += 1
    keep = names | {str(pathlib.PurePosixPath(n).parents[i]) for n in names
                    for i in range(len(pathlib.PurePosixPath(n).parents) - 1)}
    removed = 0
    for root, dirs, files in os.walk(dst, topdown=False):
        for entry in files + dirs:
            path = pathlib.Path(root, entry)
            rel = path.relative_to(dst).as_posix()
            if rel in keep:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
    print(f"mirror {dst}: {changed} written, {removed} removed, {len(names) - changed} unchanged", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mirror.py SRC DST")
    main(sys.argv[1], sys.argv[2])
