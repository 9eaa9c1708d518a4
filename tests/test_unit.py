"""Runs every cmocka unit test binary that meson registered (suite
'unit'), one pytest test each, so one summary line covers the whole
suite."""

import json
import os
import subprocess

import pytest

import paths


def _unit_tests():
    build = paths.build_dir()
    info = os.path.join(build, "meson-info", "intro-tests.json")
    try:
        with open(info) as f:
            tests = json.load(f)
    except OSError:
        return []
    return [t for t in tests if "unit" in t.get("suite", [])
            or any(s.endswith(":unit") for s in t.get("suite", []))]


UNIT_TESTS = _unit_tests()


def test_unit_tests_are_registered():
    assert UNIT_TESTS, "no cmocka unit tests found in %s" % paths.build_dir()


@pytest.mark.parametrize("test", UNIT_TESTS, ids=[t["name"] for t in UNIT_TESTS])
def test_cmocka(test):
    env = dict(os.environ)
    env.update(test.get("env", {}))
    result = subprocess.run(test["cmd"], cwd=test.get("workdir") or None,
                            env=env, capture_output=True, text=True,
                            timeout=test.get("timeout") or 120)
    assert result.returncode == 0, result.stdout + result.stderr
