"""Polling with a deadline: tests wait for a condition, never sleep."""

import time


class Timeout(AssertionError):
    pass


def wait_for(condition, timeout=10.0, interval=0.02, what=None):
    """Calls condition() until it returns a true value, which is returned.
    Raises Timeout (an AssertionError) after 'timeout' seconds, naming
    'what' (or the condition) and the last value seen."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = condition()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise Timeout("timed out after %.1fs waiting for %s (last: %r)"
                          % (timeout, what or getattr(condition, "__name__",
                                                      condition), last))
        time.sleep(interval)
        interval = min(interval * 1.5, 0.2)
