#!/usr/bin/env python3
"""Check that every C source and header of the repository matches the
tree's .clang-format (STYLE.md section 3): the formatting is the tool's.

usage: check-format.py SOURCE_ROOT [CLANG_FORMAT]

Files are the *.c and *.h that git knows (tracked, or new and not ignored);
outside a git checkout, every such file except build directories. Prints
each file that clang-format would change, with the first lines of the
difference, and exits 1; exits 77 (skip) when clang-format is missing.
"""

import difflib
import os
import re
import shutil
import subprocess
import sys


def repo_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--", "*.c", "*.h"],
                             check=True, capture_output=True).stdout
        names = [p for p in out.decode("utf-8", "replace").split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for top, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git" and not d.startswith("build")]
            names += [os.path.relpath(os.path.join(top, n), root)
                      for n in files if n.endswith((".c", ".h"))]
    return sorted(n for n in names if os.path.isfile(os.path.join(root, n)))


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = argv[1]
    tool = argv[2] if len(argv) == 3 else shutil.which("clang-format")
    if not tool:
        print("check-format: clang-format not found; skipped")
        return 77
    names = repo_files(root)
    # One clang-format for every file: a process per file costs a minute on
    # a loaded machine. --dry-run --Werror names each place it would change.
    res = subprocess.run([tool, "--style=file", "--dry-run", "--Werror"] + names,
                         cwd=root, capture_output=True, text=True, errors="replace")
    if res.returncode == 0:
        return 0
    bad = sorted(set(m.group(1) for m in
                     re.finditer(r"^(.+?):\d+:\d+: (?:error|warning): code should be clang-formatted",
                                 res.stderr, re.M)))
    if not bad:
        print(res.stderr.strip())
        print("check-format: clang-format failed (exit %d)" % res.returncode)
        return 1
    for name in bad:
        show_diff(root, tool, name)
    print("check-format: %d file(s) differ; run clang-format -i on them" % len(bad))
    return 1


def show_diff(root, tool, name):
    path = os.path.join(root, name)
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        before = f.read()
    after = subprocess.run([tool, "--style=file", "--assume-filename=" + path],
                           input=before, capture_output=True, check=True,
                           text=True, errors="surrogateescape", cwd=root).stdout
    print("%s: not formatted as .clang-format says" % name)
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(),
                                     name, name + " (clang-format)", lineterm="", n=0))
    for line in diff[2:12]:
        print("    " + line)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
