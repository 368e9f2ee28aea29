#!/usr/bin/env python3
"""Checks that the workspace's rust-version is the real minimum: the highest
rust-version any locked dependency declares (cargo refuses an older rustc
for those crates anyway, so a lower figure in Cargo.toml only misleads;
clippy's incompatible_msrv holds the project's own code to the figure).
Exit 1 when Cargo.toml says otherwise, or when a "Rust X.Y or later" in
the README, docs/ or configure's error (config.m4) states another figure."""
import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def version(text):
    return tuple(int(p) for p in text.split(".")[:2])


manifest = (ROOT / "Cargo.toml").read_text()
declared = re.search(r'^rust-version = "([0-9.]+)"', manifest, re.M)
if not declared:
    sys.exit("MSRV FAIL: no rust-version in the workspace's Cargo.toml")
declared = declared.group(1)

# Not --offline: the metadata of the locked graph includes packages of other
# platforms that no build on this machine downloaded (a new machine has none).
run = subprocess.run(
    [os.environ.get("CARGO", "cargo"), "metadata", "--locked", "--format-version", "1"],
    cwd=ROOT, capture_output=True, text=True)
if run.returncode != 0:
    print(run.stderr.strip()[-2000:])
    sys.exit("MSRV FAIL: cargo metadata --locked failed (above)")
meta = json.loads(run.stdout)
ours = {p["id"] for p in meta["packages"] if p["id"] in meta["workspace_members"]}
needs = {}
for p in meta["packages"]:
    if p["id"] not in ours and p.get("rust_version"):
        needs.setdefault(version(p["rust_version"]), []).append(f'{p["name"]} {p["version"]}')
top = max(needs)
top_text = ".".join(map(str, top))
if version(declared) != top:
    sys.exit(f"LINT FAIL rust-version: Cargo.toml says {declared}, the locked dependencies need "
             f"{top_text} ({', '.join(sorted(needs[top]))}): set rust-version = \"{top_text}\"")
# The figure as the docs and configure's error state it ("Rust 1.89 or later").
stale = []
for path in sorted(ROOT.glob("*.md")) + sorted(ROOT.glob("docs/*.md")) + [ROOT / "config.m4"]:
    for m in re.finditer(r"Rust ([0-9]+\.[0-9]+) or (?:later|newer)", path.read_text()):
        if m.group(1) != declared:
            stale.append(f"{path.relative_to(ROOT)} says Rust {m.group(1)}")
if stale:
    sys.exit(f"LINT FAIL rust-version {declared}: " + "; ".join(stale))
print(f"LINT ok rust-version {declared}: the highest any locked dependency declares "
      f"({', '.join(sorted(needs[top]))}), and so do the docs and config.m4")
