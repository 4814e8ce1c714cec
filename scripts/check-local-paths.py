#!/usr/bin/env python3
"""Check that no file of the repository names a path of the machine it was
written on: the workspace, root's or the user's home, or the checkout itself.

usage: check-local-paths.py SOURCE_ROOT

Files are those git knows (tracked, or new and not ignored); outside a git
checkout, every file except build directories. Binary files are skipped.
Tests and docs use relative paths, $abs_srcdir/$abs_builddir, or a temporary
directory instead.
"""

import os
import re
import subprocess
import sys

# Spelled in pieces so that this file does not match itself.
MACHINE_DIRS = ["wo" + "rk", "ro" + "ot"]


def repo_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"],
                             check=True, capture_output=True).stdout
        return sorted(set(p for p in out.decode("utf-8", "replace").split("\0") if p))
    except (OSError, subprocess.CalledProcessError):
        files = []
        for top, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git" and not d.startswith("build")]
            files += [os.path.relpath(os.path.join(top, n), root) for n in names]
        return sorted(files)


def patterns(root):
    pats = [re.compile(r"(?<![\w.~-])/(?:%s)/" % "|".join(MACHINE_DIRS))]
    literal = {os.path.realpath(root), os.path.abspath(root)}
    home = os.environ.get("HOME", "")
    if home.count("/") >= 2:  # /home/NAME, not "/" or "/root" (already covered)
        literal.add(home.rstrip("/") + "/")
    for lit in sorted(literal):
        if lit.count("/") >= 2:
            pats.append(re.compile(re.escape(lit) + r"(?![\w.-])"))
    return pats


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    pats = patterns(root)
    bad = 0
    checked = 0
    for rel in repo_files(root):
        path = os.path.join(root, rel)
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        if b"\0" in data:
            continue
        checked += 1
        text = data.decode("utf-8", "replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            for pat in pats:
                m = pat.search(line)
                if m:
                    print("%s:%d: machine path %r: %s" % (rel, lineno, m.group(0), line.strip()))
                    bad += 1
                    break
    print("%d files checked: %s" % (checked, "FAIL" if bad else "ok"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
