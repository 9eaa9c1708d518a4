"""Where the programs under test are: $TURNOUT_BUILD (set by make check
and make check-sanitize) or ./build next to the tests."""

import os
import shutil

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def build_dir():
    return os.environ.get("TURNOUT_BUILD", os.path.join(TOP, "build"))


def bindir():
    return os.path.join(build_dir(), "bin")


def program(name):
    """Returns the path of Turnout's program 'name' (build/bin/NAME, or
    a test program under build/tests/)."""
    for d in (bindir(), os.path.join(build_dir(), "tests", "daemon")):
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return path
    raise FileNotFoundError("%s not built (looked in %s)" % (name, bindir()))


def reference(name):
    """Returns the path of the reference OVS program 'name' from Debian's
    packages, or skips the test when it is not installed."""
    for d in ("/usr/bin", "/usr/sbin", "/usr/lib/openvswitch-switch"):
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return path
    path = shutil.which(name)
    if path and not path.startswith(bindir()):
        return path
    pytest.skip("reference %s is not installed" % name)
