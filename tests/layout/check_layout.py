#!/usr/bin/env python3
"""Checks that the library's includes only point down its layers, and that no header is loose.

The library's folders under lib/include/glassbox/ and lib/src/ are its layers, bottom first:

    core  nn  data  io  train  classic  experiment

A file may include headers of its own folder and of folders below it, never above; the headers'
include graph has no cycle; every header and source file sits in one of these folders.

    tests/layout/check_layout.py [ROOT]        ROOT: the repository (default: this file's ../..)

Prints one line per problem ("lib/src/nn/dense.cpp:3: includes glassbox/io/trace.hpp: io is above
nn") and exits 1, or prints the layers with their file counts and exits 0.
"""
import pathlib
import re
import sys

LAYERS = ["core", "nn", "data", "io", "train", "classic", "experiment"]
INCLUDE = re.compile(r'^\s*#\s*include\s*"glassbox/([^"]+)"')


def check(root: pathlib.Path) -> list[str]:
    problems = []
    include_root = root / "lib/include/glassbox"
    src_root = root / "lib/src"
    rank = {name: i for i, name in enumerate(LAYERS)}
    graph = {}  # header (relative to include_root) -> headers it includes
    counts = {name: 0 for name in LAYERS}

    files = sorted(include_root.rglob("*.hpp")) + sorted(src_root.rglob("*.cpp")) + sorted(src_root.rglob("*.hpp"))
    if not files:
        return [f"{root}: no library files under lib/include/glassbox or lib/src"]
    for path in files:
        base = include_root if path.is_relative_to(include_root) else src_root
        rel = path.relative_to(base)
        shown = path.relative_to(root)
        if len(rel.parts) != 2 or rel.parts[0] not in rank:
            problems.append(f"{shown}: not in a layer folder (expected one of {', '.join(LAYERS)})")
            continue
        layer = rel.parts[0]
        counts[layer] += 1
        edges = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            parts = pathlib.PurePosixPath(target).parts
            if len(parts) != 2 or parts[0] not in rank:
                problems.append(f"{shown}:{number}: includes glassbox/{target}, which is in no layer folder")
                continue
            if not (include_root / target).is_file():
                problems.append(f"{shown}:{number}: includes glassbox/{target}, which does not exist")
                continue
            if rank[parts[0]] > rank[layer]:
                problems.append(f"{shown}:{number}: includes glassbox/{target}: {parts[0]} is above {layer}")
            edges.append(target)
        if base == include_root:
            graph[str(rel)] = edges

    # A cycle among headers (possible within one folder) is found by a depth-first search.
    state = {}
    def visit(node, stack):
        state[node] = "open"
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                problems.append("include cycle: " + " → ".join(cycle))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"
    for node in sorted(graph):
        if node not in state:
            visit(node, [node])

    if not problems:
        print("layers, bottom first: " + ", ".join(f"{name} ({counts[name]} files)" for name in LAYERS))
    return problems


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    problems = check(root)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
