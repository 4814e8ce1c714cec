"""A script written for libvirt-python's checkpoint and backup calls runs
on Cairn after "import cairn as libvirt" with the prefixes changed
(libvirt-style-backup.py)."""

import os
import subprocess
import sys

from conftest import PYTHON_CHILD_ENV

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libvirt-style-backup.py")

EXPECTED = """\
b1: full backup started
b1: succeeded, job of test for b1, all of some bytes copied, completed job type 3
b2: incremental backup started
b2: succeeded, job of test for b2, all of some bytes copied, completed job type 3
b3: incremental backup started
b3: succeeded, job of test for b3, all of some bytes copied, completed job type 3
pruned checkpoint b1
checkpoint b2 parent - disks 1
checkpoint b3 parent b2 disks 1
no job to abort: Requested operation is not valid: no job is active on the domain
"""


def run_script(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True,
                          text=True, timeout=120, env=PYTHON_CHILD_ENV)


def test_libvirt_style_script_on_the_test_driver():
    r = run_script("test:///default", "test", "3")
    assert r.stderr == ""
    assert r.returncode == 0
    assert r.stdout == EXPECTED


def test_libvirt_style_script_error_path():
    r = run_script("test:///default", "nosuch", "1")
    assert (r.returncode, r.stdout) == (2, "no domain nosuch\n")
