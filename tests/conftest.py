"""Shared pytest fixtures: the sandbox (private directories and daemons)
and network namespaces (hosts with veth pairs).  Everything a test starts
or creates is stopped or removed when it ends, pass or fail."""

import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))

from sandbox import Sandbox  # noqa: E402
from netns import NetnsFactory  # noqa: E402
from session_proc import SessionFactory  # noqa: E402
import paths  # noqa: E402


# A shell that starts the suite in the background (`&`, nohup) leaves
# SIGINT or SIGHUP ignored, and an ignored signal stays ignored across
# fork and exec: the daemons under test, which leave ignored signals
# alone as OVS's do, would then not die of them.  They get the default.
for _sig in (signal.SIGINT, signal.SIGHUP):
    if signal.getsignal(_sig) == signal.SIG_IGN:
        signal.signal(_sig, signal.default_int_handler
                      if _sig == signal.SIGINT else signal.SIG_DFL)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "root: needs root (network namespaces, veth pairs)")
    config.addinivalue_line(
        "markers", "reference: needs the reference Open vSwitch packages")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remembers each phase's result so fixtures can attach daemon logs
    to failed tests."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture
def sandbox(request, tmp_path):
    """A private OVS_RUNDIR/LOGDIR/DBDIR/SYSCONFDIR under tmp_path, with
    helpers to run programs and start daemons there.  Daemons are always
    stopped; their logs are printed when the test failed."""
    sb = Sandbox(tmp_path / "sandbox")
    yield sb
    failed = getattr(request.node, "rep_call", None)
    failed = failed is not None and failed.failed
    sb.close(print_logs=failed)


@pytest.fixture
def netns(request):
    """Creates network namespaces ("hosts") and veth pairs on demand;
    removes all of them afterwards."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    factory = NetnsFactory()
    yield factory
    factory.close()


@pytest.fixture
def sessions(request, tmp_path):
    """Starts tests/daemon/test-session clients and servers in tmp_path;
    stops them all afterwards, and prints what they printed and logged
    when the test failed."""
    factory = SessionFactory(tmp_path)
    yield factory
    factory.close()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print(factory.dump())


@pytest.fixture(scope="session")
def bindir():
    return paths.bindir()
