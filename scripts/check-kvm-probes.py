#!/usr/bin/env python3
"""Check that nothing in the tree can create /dev/kvm, and that C code
probes KVM in one place.

usage: check-kvm-probes.py SOURCE_ROOT
       check-kvm-probes.py FILE...     (each FILE checked as a shell script)

On a host without KVM, a shell probe such as `(exec 3<>/dev/kvm)` opens the
missing device for writing and so creates it as an empty regular file; from
then on every probe that only opens it is fooled and KVM domains die in
QEMU with "failed to initialize kvm". Shell scripts (*.sh, *.bash, *.cmd
transcripts, Makefiles, anything with a shell #! line) must use
scripts/kvm.sh instead; this refuses, outside comments:

  - a redirection that opens /dev/kvm for writing: <>, >, >>, >|, &>, with
    or without a descriptor number and quotes;
  - touch, tee, mknod or dd of= naming /dev/kvm.

C sources (*.c, *.h) must probe through src/util/cairnkvm.h: a string
literal "/dev/kvm" anywhere else is refused.

Files are those git knows (tracked, or new and not ignored); outside a git
checkout, every file except .git and build directories.
"""

import os
import re
import subprocess
import sys

DEVICE = r"/dev/kvm(?![\w.-])"
SHELL_RULES = [
    ("redirection that can create it",
     re.compile(r"(?:<>|>\|?)\s*[\"']?" + DEVICE)),
    ("command that can create it",
     re.compile(r"\b(?:touch|tee|mknod)\b[^;&|\n]*?\s[\"']?" + DEVICE)),
    ("command that can create it",
     re.compile(r"\bdd\b[^;&|\n]*\sof=[\"']?" + DEVICE)),
]
C_RULE = re.compile(r"\"" + DEVICE + r"\"")
C_HOME = os.path.join("src", "util", "cairnkvm.h")
SHELL_SHEBANG = re.compile(r"^#!\s*\S*?(?:/|\s)(?:ba|da|k|z)?sh\b")
SHELL_SUFFIXES = (".sh", ".bash", ".cmd", ".mk")


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


def strip_shell_comment(line):
    """The line without a # comment (a # at the start of a word, outside
    quotes); good enough for a lint."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def is_shell(rel, text):
    base = os.path.basename(rel)
    return (rel.endswith(SHELL_SUFFIXES) or base == "Makefile"
            or bool(SHELL_SHEBANG.match(text.split("\n", 1)[0])))


def check_shell(rel, text):
    problems = []
    for lineno, line in enumerate(text.splitlines(), 1):
        code = strip_shell_comment(line)
        for what, rule in SHELL_RULES:
            if rule.search(code):
                problems.append("%s:%d: %s on /dev/kvm (use kvm_usable from scripts/kvm.sh): %s"
                                % (rel, lineno, what, line.strip()))
                break
    return problems


def check_c(rel, text):
    if os.path.normpath(rel) == C_HOME:
        return []
    return ["%s:%d: \"/dev/kvm\" outside %s (use cairnKvmProbe/CAIRN_KVM_DEVICE): %s"
            % (rel, lineno, C_HOME, line.strip())
            for lineno, line in enumerate(text.splitlines(), 1) if C_RULE.search(line)]


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    return None if b"\0" in data else data.decode("utf-8", "replace")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    problems = []
    checked = 0
    if len(argv) == 2 and os.path.isdir(argv[1]):
        root = argv[1]
        for rel in repo_files(root):
            path = os.path.join(root, rel)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            text = read_text(path)
            if text is None:
                continue
            if rel.endswith((".c", ".h")):
                problems += check_c(rel, text)
                checked += 1
            elif is_shell(rel, text):
                problems += check_shell(rel, text)
                checked += 1
    else:
        for path in argv[1:]:
            problems += check_shell(path, read_text(path) or "")
            checked += 1
    for p in problems:
        print(p)
    print("%d files checked: %s" % (checked, "FAIL" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
