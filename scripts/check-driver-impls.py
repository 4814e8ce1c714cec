#!/usr/bin/env python3
"""Check the driver table in src/driver.h and the drivers that fill it.

usage: check-driver-impls.py DRIVER.h PROJECT_VERSION [SRCDIR]

Every function-pointer member of struct _cairnDriver must be preceded by a
comment that starts with the release that added it, "/* 0.1.0 */" or
"/* 0.1.0: what it returns */", and that release must not be newer than
the project's version. Members are never removed or retyped once released,
as in libvirt's driver tables.

With SRCDIR, every "cairnDriver NAME = { ... };" table in its .c files is
checked as libvirt's check-driverimpls does: each ".member = function,"
names a member of the struct, the function is the driver's prefix plus the
member's name ("testDomainCheckpointDelete" for .domainCheckpointDelete, one
prefix per table), and the line ends with the "/* X.Y.Z */" release in which
that driver started to implement it.
"""

import os

import re
import sys


def parse_version(text):
    return tuple(int(x) for x in text.split("."))


def check_tables(srcdir, members, project_version, errors):
    """Check every driver table under srcdir; return how many were found."""
    tables = 0
    for top, dirs, names in os.walk(srcdir):
        dirs.sort()
        for fname in sorted(n for n in names if n.endswith(".c")):
            path = os.path.join(top, fname)
            text = open(path, encoding="utf-8").read()
            for t in re.finditer(r"\bcairnDriver\s+(\w+)\s*=\s*\{(.*?)\n\};", text, re.S):
                tables += 1
                check_table(path, text, t, members, project_version, errors)
    return tables


def check_table(path, text, table, members, project_version, errors):
    first_line = text.count("\n", 0, table.start(2)) + 1
    prefix = None
    for offset, line in enumerate(table.group(2).split("\n")):
        lineno = first_line + offset
        m = re.match(r"\s*\.(\w+)\s*=\s*(\w+)\s*,?\s*(/\*.*\*/)?\s*$", line)
        if not m:
            continue
        member, func, comment = m.groups()
        if member == "name" or func == "NULL":
            continue
        where = "%s:%d: %s" % (path, lineno, table.group(1))
        if member not in members:
            errors.append("%s: .%s is not a member of struct _cairnDriver" % (where, member))
            continue
        suffix = member[0].upper() + member[1:]
        if not func.endswith(suffix) or func == suffix:
            errors.append("%s: .%s = %s: the function should be named PREFIX%s"
                          % (where, member, func, suffix))
        else:
            this_prefix = func[:-len(suffix)]
            if prefix is None:
                prefix = this_prefix
            elif this_prefix != prefix:
                errors.append("%s: .%s = %s: prefix '%s' differs from the table's '%s'"
                              % (where, member, func, this_prefix, prefix))
        vm = re.match(r"/\*\s*(\d+\.\d+\.\d+)\s*\*/", comment or "")
        if not vm:
            errors.append("%s: .%s has no trailing '/* X.Y.Z */' release comment"
                          % (where, member))
        elif parse_version(vm.group(1)) > project_version:
            errors.append("%s: .%s is marked %s, newer than the project version"
                          % (where, member, vm.group(1)))
        elif parse_version(vm.group(1)) < members[member]:
            errors.append("%s: .%s is marked %s, older than the member itself (%s)"
                          % (where, member, vm.group(1), ".".join(map(str, members[member]))))


def main(argv):
    if len(argv) not in (3, 4):
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
    members = {}
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
            name = fp.group(1)
            members[name] = (0, 0, 0)
            vm = re.match(r"/\*\s*(\d+\.\d+\.\d+)(?=[\s:*])", leading or "")
            if not vm:
                errors.append("%s:%d: %s has no '/* X.Y.Z */' version comment before it"
                              % (path, decl_line, name))
            elif parse_version(vm.group(1)) > project_version:
                errors.append("%s:%d: %s is marked %s, newer than the project version %s"
                              % (path, decl_line, name, vm.group(1), argv[2]))
            else:
                members[name] = parse_version(vm.group(1))
        leading = None
        decl = ""

    if not members:
        errors.append("%s: struct _cairnDriver has no function-pointer members" % path)
    tables = 0
    if len(argv) == 4:
        tables = check_tables(argv[3], members, project_version, errors)
    for e in errors:
        print(e)
    print("%d driver entries, %d driver tables: %s"
          % (len(members), tables, "FAIL" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
