"""The layers of DESIGN.md: each folder may include headers only from its
own folder and the folders below it."""

import os
import re

import paths

# Lowest first.  A folder may include from itself and anything earlier.
LAYERS = ["lib", "ovsdb", "net", "ofp", "datapath", "ofproto", "vswitchd",
          "utilities", "ovn"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def _sources():
    for layer in LAYERS:
        top = os.path.join(paths.TOP, layer)
        for root, _, files in os.walk(top):
            for name in files:
                if name.endswith((".c", ".h")):
                    yield layer, os.path.join(root, name)


def _violations():
    found = []
    for layer, path in _sources():
        allowed = set(LAYERS[:LAYERS.index(layer) + 1])
        with open(path, errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1).split("/")[0]
                if target in LAYERS and target not in allowed:
                    found.append("%s:%d: %s includes %s"
                                 % (os.path.relpath(path, paths.TOP), lineno,
                                    layer, m.group(1)))
    return found


def test_includes_point_down_only():
    assert _violations() == []


def test_checker_catches_upward_include(tmp_path, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "bad.c").write_text('#include "ofproto/ofproto.h"\n')
    monkeypatch.setattr(paths, "TOP", str(tmp_path))
    assert len(_violations()) == 1
