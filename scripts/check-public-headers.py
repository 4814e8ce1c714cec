#!/usr/bin/env python3
"""Check that every header in include/cairn/ is installed and reachable.

usage: check-public-headers.py INCLUDE_DIR INSTALLED_HEADER...

Each cairn-*.h (or cairn-*.h.in) in INCLUDE_DIR must be among the installed
headers (public_headers in include/cairn/meson.build, plus the generated
cairn-version.h), and cairn.h, the one header users include, must include
every other one as <cairn/NAME>.
"""

import os
import re
import sys


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    incdir = argv[1]
    installed = {os.path.basename(p) for p in argv[2:]}
    errors = []

    on_disk = set()
    for name in sorted(os.listdir(incdir)):
        if name.endswith(".h.in"):
            name = name[:-3]
        if name.endswith(".h"):
            on_disk.add(name)
    for name in sorted(on_disk - installed):
        errors.append("%s/%s is not in public_headers (include/cairn/meson.build)"
                      % (incdir, name))

    umbrella = open(os.path.join(incdir, "cairn.h"), encoding="utf-8").read()
    included = set(re.findall(r"^\s*#\s*include\s*<cairn/([\w.-]+)>", umbrella, re.M))
    for name in sorted((on_disk | installed) - included - {"cairn.h"}):
        errors.append("cairn.h does not include <cairn/%s>" % name)

    for e in errors:
        print(e)
    print("%d public headers: %s" % (len(on_disk | installed), "FAIL" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
