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


def test_default_rundir_is_under_prefix_var_as_in_ovs():
    """Without OVS_RUNDIR, programs look in $prefix/var/run/openvswitch
    (autoconf's layout, which OVS uses), not meson's /var/local."""
    r = subprocess.run(["meson", "introspect", paths.build_dir(),
                        "--buildoptions"], capture_output=True, text=True)
    prefix = [o["value"] for o in json.loads(r.stdout)
              if o["name"] == "prefix"][0]
    rundir = "/var" if prefix == "/usr" else prefix + "/var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVS_")}
    r = subprocess.run([os.path.join(paths.bindir(), "ovs-appctl"), "-t",
                        "no-such-daemon", "version"], env=env,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert ('"%s/run/openvswitch/no-such-daemon.pid"' % rundir) in r.stderr
