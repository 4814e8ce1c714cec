"""Fixtures of the cairn module's tests.

The module comes from the build tree (PYTHONPATH=build/python, set by
python/meson.build) or, run by hand, from wherever python finds it.
"""

import os

import pytest

import cairn

# In the ASan build python runs with the ASan runtime preloaded
# (python/meson.build); the programs the tests start (QEMU, qemu-img,
# nbdinfo) must not get it, python processes that import cairn must.
PYTHON_CHILD_ENV = dict(os.environ)
os.environ.pop("LD_PRELOAD", None)


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
