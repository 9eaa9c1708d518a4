"""The C code follows the checked-in .clang-format (STYLE.md: the tool
decides layout so nobody argues about it)."""

import shutil
import subprocess

import pytest

import paths


def _c_files():
    r = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=paths.TOP,
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout")
    return r.stdout.split()


def test_c_files_follow_clang_format():
    clang_format = shutil.which("clang-format")
    if not clang_format:
        pytest.skip("clang-format is not installed")
    files = _c_files()
    assert files
    r = subprocess.run([clang_format, "--dry-run", "--Werror"] + files,
                       cwd=paths.TOP, capture_output=True, text=True)
    offenders = sorted({line.split(":")[0] for line in r.stderr.splitlines()
                        if ": error:" in line})
    assert r.returncode == 0 and not offenders, \
        "run clang-format -i on: " + " ".join(offenders)
