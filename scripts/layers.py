#!/usr/bin/env python3
"""Checks the core's layers: each top-level module of core/src may name
(crate::...) only modules of its own layer or the layers below it, and the
modules name each other without a circle. Test code (#[cfg(test)] onwards,
tests.rs, testserver.rs) may reach anywhere.  Exit 1 on a violation."""
import pathlib
import re
import sys

LAYERS = [
    ["error", "secrets", "clock", "random", "process", "seconds"],
    ["wire"],
    ["net"],
    ["token"],
    ["client"],
    ["outbox"],
    ["config"],
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}
SRC = pathlib.Path(__file__).resolve().parent.parent / "core" / "src"

def top_module(path):
    rel = path.relative_to(SRC).parts
    return rel[0].removesuffix(".rs")

def names(text):
    """The top-level modules a file's non-test code names."""
    code = text.split("#[cfg(test)]", 1)[0]
    code = re.sub(r"//[^\n]*", "", code)
    found = set(re.findall(r"\bcrate::([a-z_]+)", code))
    # use crate::{a, b::c}
    for group in re.findall(r"\bcrate::\{([^}]*)\}", code):
        found |= set(re.findall(r"(?:^|,)\s*([a-z_]+)", group))
    return found

edges = {}
bad = []
for path in sorted(SRC.rglob("*.rs")):
    if path.name in ("tests.rs", "testserver.rs", "lib.rs"):
        continue
    module = top_module(path)
    if module not in RANK:
        bad.append(f"{path.relative_to(SRC)}: module '{module}' has no layer in scripts/layers.py")
        continue
    for used in names(path.read_text()):
        if used == module:
            continue
        if used not in RANK:
            bad.append(f"{path.relative_to(SRC)}: names crate::{used}, which has no layer")
            continue
        edges.setdefault(module, set()).add(used)
        if RANK[used] > RANK[module]:
            bad.append(f"{path.relative_to(SRC)}: {module} (layer {RANK[module]}) names "
                       f"crate::{used} (layer {RANK[used]}), above it")

# A circle among the modules (within the base layer, where ranks are equal).
state = {}
def visit(m, stack):
    state[m] = 1
    for n in sorted(edges.get(m, ())):
        if state.get(n) == 1:
            bad.append("a circle of imports: " + " -> ".join(stack[stack.index(n):] + [n]))
        elif n not in state:
            visit(n, stack + [n])
    state[m] = 2
for m in sorted(edges):
    if m not in state:
        visit(m, [m])

for line in bad:
    print("LAYERS FAIL " + line)
if bad:
    sys.exit(1)
print(f"LAYERS ok   {len(RANK)} modules in {len(LAYERS)} layers, no name above its layer, no circle")
