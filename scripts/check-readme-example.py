#!/usr/bin/env python3
"""Check that the README's C example is the one the tests compile.

usage: check-readme-example.py README.md EXAMPLE.c

The example is the fenced ```c block that follows the line
  <!-- example: tests/header/readme-example.c -->
in the README; it must equal EXAMPLE.c byte for byte, so the README cannot
show code that no longer builds or runs.
"""

import difflib
import os
import re
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    readme, example = argv[1], argv[2]
    text = open(readme, encoding="utf-8").read()
    marker = "<!-- example: tests/header/%s -->" % os.path.basename(example)
    m = re.search(re.escape(marker) + r"\s*\n```c\n(.*?)^```$", text, re.S | re.M)
    if not m:
        print("%s: no ```c block after %s" % (readme, marker))
        return 1
    shown = m.group(1)
    compiled = open(example, encoding="utf-8").read()
    if shown == compiled:
        print("%s example equals %s: ok" % (os.path.basename(readme), example))
        return 0
    sys.stdout.writelines(difflib.unified_diff(compiled.splitlines(True), shown.splitlines(True),
                                               os.path.basename(example), "README example"))
    print("the README example differs from %s: copy one onto the other" % example)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
