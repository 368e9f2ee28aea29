#!/usr/bin/env python3
"""The content mirror (scripts/mirror.py) that make test's cached builds
read: a build there must never see stale code. In a scratch git checkout:
a changed file is rewritten with a newer time than any build of it (cargo
rebuilds), an unchanged file keeps its time (cargo reuses), a file of the
same size but other bytes counts as changed, a deleted or ignored file is
gone, a mode change is copied. Prints "MIRROR ok" or "MIRROR FAIL: why"."""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

MIRROR = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "mirror.py"


def run_mirror(src, dst):
    subprocess.run([sys.executable, str(MIRROR), str(src), str(dst)], check=True, capture_output=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = pathlib.Path(tmp, "src"), pathlib.Path(tmp, "dst")
        (src / "core").mkdir(parents=True)
        (src / "core/lib.rs").write_text("fn a() {}\n")
        (src / "core/same.rs").write_text("fn b() {}\n")
        (src / "gone.rs").write_text("x\n")
        (src / "run.sh").write_text("#!/bin/sh\n")
        (src / ".gitignore").write_text("/target\n*.log\n")
        subprocess.run(["git", "init", "-q", str(src)], check=True)
        subprocess.run(["git", "-C", str(src), "add", "-A"], check=True)
        run_mirror(src, dst)
        old = time.time() - 3600
        for f in dst.rglob("*"):
            os.utime(f, (old, old))  # as if built an hour ago
        built = time.time() - 1800  # the cached build's time

        (src / "core/lib.rs").write_text("fn z() {}\n")  # same size, other bytes
        os.utime(src / "core/lib.rs", (old, old))  # edited before the cached build (of another tree)
        (src / "gone.rs").unlink()
        (src / "run.sh").chmod(0o755)
        (src / "new.rs").write_text("fn c() {}\n")  # untracked, not ignored: mirrored
        (src / "x.log").write_text("ignored\n")
        (dst / "stray").write_text("left by a build\n")
        run_mirror(src, dst)

        checks = [
            ("a changed file has the new bytes", (dst / "core/lib.rs").read_text() == "fn z() {}\n"),
            ("a changed file is newer than the build", (dst / "core/lib.rs").stat().st_mtime > built),
            ("an unchanged file keeps its time", (dst / "core/same.rs").stat().st_mtime < built),
            ("a deleted file is gone", not (dst / "gone.rs").exists()),
            ("a mode change is copied", os.access(dst / "run.sh", os.X_OK)),
            ("an untracked file is mirrored", (dst / "new.rs").exists()),
            ("an ignored file is not", not (dst / "x.log").exists()),
            ("a file not in the checkout is removed", not (dst / "stray").exists()),
        ]
        failed = [what for what, ok in checks if not ok]
        if failed:
            print("MIRROR FAIL: " + "; ".join(failed))
            return 1
        print(f"MIRROR ok scripts/mirror.py: {len(checks)} properties a cached build relies on")
        return 0


if __name__ == "__main__":
    sys.exit(main())
