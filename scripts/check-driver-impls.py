#!/usr/bin/env python3
"""Check the driver table in src/driver.h.

usage: check-driver-impls.py DRIVER.h PROJECT_VERSION

Every function-pointer member of struct _cairnDriver must be preceded by a
comment that starts with the release that added it, "/* 0.1.0 */" or
"/* 0.1.0: what it returns */", and that release must not be newer than
the project's version. Members are never removed or retyped once released,
as in libvirt's driver tables.
"""

import re
import sys


def parse_version(text):
    return tuple(int(x) for x in text.split("."))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    path, project_version = argv[1], parse_version(argv[2])
    text = open(path, encoding="utf-8").read()
    m = re.search(r"struct\s+_cairnDriver\s*\{(.*?)\n\};", text, re.S)
    if not m:
        print("%s: struct _cairnDriver not found" % path)
        return 1
    body = m.group(1)
    base_line = text.count("\n", 0, m.start(1)) + 1

    errors = []
    members = 0
    # Walk comments, semicolons and other text in order: a comment seen
    # before a declaration's first word leads it; comments inside a
    # declaration do not.
    leading = None
    decl = ""
    decl_line = base_line
    for tok in re.finditer(r"/\*.*?\*/|;|[^;/]+|/", body, re.S):
        chunk = tok.group(0)
        if chunk.startswith("/*"):
            if not decl.strip():
                leading = chunk
            continue
        if chunk != ";":
            if not decl.strip() and chunk.strip():
                stripped = len(chunk) - len(chunk.lstrip())
                decl_line = base_line + body.count("\n", 0, tok.start() + stripped)
            decl += chunk
            continue
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)
        if fp:
            members += 1
            name = fp.group(1)
            vm = re.match(r"/\*\s*(\d+\.\d+\.\d+)(?=[\s:*])", leading or "")
            if not vm:
                errors.append("%s:%d: %s has no '/* X.Y.Z */' version comment before it"
                              % (path, decl_line, name))
            elif parse_version(vm.group(1)) > project_version:
                errors.append("%s:%d: %s is marked %s, newer than the project version %s"
                              % (path, decl_line, name, vm.group(1), argv[2]))
        leading = None
        decl = ""

    if members == 0:
        errors.append("%s: struct _cairnDriver has no function-pointer members" % path)
    for e in errors:
        print(e)
    print("%d driver entries: %s" % (members, "FAIL" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
