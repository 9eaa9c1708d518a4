"""The build's promises: every program under build/bin, and installation
puts them under the prefix."""

import json
import os
import subprocess

import paths


def test_programs_land_in_build_bin():
    assert os.access(os.path.join(paths.bindir(), "ovs-appctl"), os.X_OK)


def test_install_places_programs_under_prefix(tmp_path):
    r = subprocess.run(["meson", "install", "-C", paths.build_dir(),
                        "--no-rebuild", "--destdir", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(["meson", "introspect", paths.build_dir(),
                        "--buildoptions"], capture_output=True, text=True)
    prefix = [o["value"] for o in json.loads(r.stdout)
              if o["name"] == "prefix"][0]
    installed = str(tmp_path) + os.path.join(prefix, "bin", "ovs-appctl")
    assert os.access(installed, os.X_OK)
