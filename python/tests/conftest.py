"""Fixtures of the cairn module's tests.

The module comes from the build tree (PYTHONPATH=build/python, set by
python/meson.build) or, run by hand, from wherever python finds it.
"""

import faulthandler
import os
import sys

import pytest

import cairn

# In the ASan build python runs with the ASan runtime preloaded
# (python/meson.build); the programs the tests start (QEMU, qemu-img,
# nbdinfo) must not get it, python processes that import cairn must.
PYTHON_CHILD_ENV = dict(os.environ)
os.environ.pop("LD_PRELOAD", None)


def watchdog_arm(seconds):
    """After @seconds, faulthandler's own thread, which needs no GIL, prints
    every thread's stack on file descriptor 2 (the run's stderr: meson runs
    pytest with --capture=sys) and exits the run with an error."""
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.__stderr__)


@pytest.fixture(autouse=True)
def watchdog():
    """No test hangs for longer than 300 s."""
    watchdog_arm(300)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def conn():
    """A fresh test:///default connection: one running domain 'test'.
    Closed at the end unless the test closed it."""
    c = cairn.open("test:///default")
    with c:
        yield c


@pytest.fixture
def dom(conn):
    return conn.lookupByName("test")


def checkpoint_xml(name, description=None):
    desc = "<description>%s</description>" % description if description else ""
    return "<domaincheckpoint><name>%s</name>%s</domaincheckpoint>" % (name, desc)


def names(objs):
    return sorted(o.getName() if hasattr(o, "getName") else o.name() for o in objs)
