"""Every enum member and #define of the public headers is a constant of the
module, under its CAIRN_ name, with its value.

The headers are read here independently of python/gen-constants.py: enum
members and object-like #defines named CAIRN_*, less the include guards,
function-like macros and CAIRN_DEPRECATED (an attribute, not a value).
"""

import glob
import os
import re

import pytest

import cairn


def public_headers():
    incdir = os.environ.get("CAIRN_PY_INCLUDE_DIR")
    version_h = os.environ.get("CAIRN_PY_VERSION_H")
    if not incdir or not version_h:
        pytest.fail("CAIRN_PY_INCLUDE_DIR and CAIRN_PY_VERSION_H must name the public headers "
                    "(meson test sets them)")
    headers = sorted(glob.glob(os.path.join(incdir, "*.h"))) + [version_h]
    assert len(headers) >= 10, headers
    return headers


def header_text(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return text.replace("\\\n", " ")


def expected_constants():
    """name -> the value written in the header (an expression string)."""
    found = {}
    for path in public_headers():
        text = header_text(path)
        for name, paren, value in re.findall(r"^[ \t]*#[ \t]*define[ \t]+(CAIRN_\w+)(\(?)(.*)$",
                                             text, re.M):
            value = value.strip()
            if paren or not value or name == "CAIRN_DEPRECATED":
                continue
            found[name] = value
        for body in re.findall(r"\benum\s*\{([^}]*)\}", text):
            for item in body.split(","):
                item = item.strip()
                if not item:
                    continue
                name, _, value = item.partition("=")
                found[name.strip()] = value.strip() or None
    return found


def evaluate(expr, module):
    """The value of a header expression: numbers, << + * ( ), other CAIRN_
    names and string literals."""
    names = {k: getattr(module, k) for k in dir(module) if k.startswith("CAIRN_")}
    if not re.fullmatch(r'[\w\s()<>+*"\-.]+', expr):
        raise ValueError(expr)
    return eval(expr, {"__builtins__": {}}, names)


def test_every_header_constant_is_exported():
    expected = expected_constants()
    assert len(expected) > 150
    missing = sorted(n for n in expected if not hasattr(cairn, n))
    assert missing == []


def test_no_constant_that_is_not_in_the_headers():
    expected = expected_constants()
    extra = sorted(n for n in dir(cairn) if n.startswith("CAIRN_") and n not in expected)
    assert extra == []


def test_values_match_the_headers():
    checked = 0
    for name, expr in expected_constants().items():
        if expr is None:
            continue
        assert getattr(cairn, name) == evaluate(expr, cairn), name
        checked += 1
    assert checked > 150


def test_implicit_enum_values_follow_their_predecessor():
    # Every enum of the headers gives each member its value explicitly
    # today; this keeps the promise if one ever does not.
    for path in public_headers():
        for body in re.findall(r"\benum\s*\{([^}]*)\}", header_text(path)):
            previous = None
            for item in (i.strip() for i in body.split(",")):
                if not item:
                    continue
                name = item.partition("=")[0].strip()
                if "=" not in item and previous is not None:
                    assert getattr(cairn, name) == getattr(cairn, previous) + 1, name
                previous = name


@pytest.mark.parametrize("name,value", [
    # libvirt's own numbers, which Cairn's must equal.
    ("CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL", 2),
    ("CAIRN_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY", 4),
    ("CAIRN_DOMAIN_EVENT_ID_LIFECYCLE", 0),
    ("CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2", 16),
    ("CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED", 21),
    ("CAIRN_DOMAIN_JOB_UNBOUNDED", 2),
    ("CAIRN_DOMAIN_JOB_STATS_COMPLETED", 1),
    ("CAIRN_ERR_NO_DOMAIN", 42),
    ("CAIRN_ERR_NO_DOMAIN_CHECKPOINT", 103),
    ("CAIRN_FROM_DOMAIN_CHECKPOINT", 69),
    ("CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT", 1 << 14),
    ("CAIRN_DOMAIN_JOB_OPERATION", "operation"),
    ("CAIRN_DOMAIN_JOB_SUCCESS", "success"),
    ("CAIRN_UUID_STRING_BUFLEN", 37),
])
def test_libvirt_values(name, value):
    assert getattr(cairn, name) == value


def test_version():
    v = cairn.getVersion()
    assert v == cairn.CAIRN_VERSION_NUMBER
    assert v == (cairn.CAIRN_VERSION_MAJOR * 1000000 + cairn.CAIRN_VERSION_MINOR * 1000
                 + cairn.CAIRN_VERSION_MICRO)
