#!/usr/bin/env python3
"""Check that libcairn exports exactly its public API.

usage: check-symfile.py LIBCAIRN.so LIBCAIRN.sym HEADER...

Three sets must agree:
  exported  functions the shared library defines (nm -D --defined-only),
  listed    symbols in the global: parts of the version script,
  declared  functions the public headers declare.
Every exported symbol must be listed, every listed symbol exported and
declared, every declared function listed; each exported symbol must carry
the version node its listing gives it, and no symbol may be listed twice.
"""

import re
import subprocess
import sys

# Defined by the linker itself, whatever the version script says.
LINKER_SYMBOLS = {"_init", "_fini", "_edata", "_end", "__bss_start"}


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def exported_symbols(lib, nm):
    out = subprocess.run([nm, "-D", "--defined-only", lib],
                         check=True, capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        kind, name = fields[1], fields[2]
        if kind == "A":  # a version node (CAIRN_0.1.0), not a symbol
            continue
        version = None
        if "@" in name:
            name, _, version = name.partition("@")
            version = version.lstrip("@")
        if name in LINKER_SYMBOLS:
            continue
        syms[name] = version
    return syms


def listed_symbols(symfile, errors):
    """Map symbol -> version node from a GNU ld version script."""
    text = strip_c_comments(open(symfile, encoding="utf-8").read())
    text = re.sub(r"#[^\n]*", " ", text)
    syms = {}
    for m in re.finditer(r"([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*([\w.]*)\s*;", text, re.S):
        node, body = m.group(1), m.group(2)
        scope = None
        for part in re.split(r"(global:|local:|;)", body):
            part = part.strip()
            if part in ("global:", "local:"):
                scope = part
            elif part and part != ";" and scope == "global:":
                if part in syms:
                    errors.append("%s: %s listed twice (%s and %s)"
                                  % (symfile, part, syms[part], node))
                syms[part] = node
    return syms


def declared_functions(headers):
    names = set()
    for header in headers:
        text = strip_c_comments(open(header, encoding="utf-8").read())
        text = re.sub(r"\\\n", " ", text)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
        text = text.replace('extern "C" {', " ")
        for stmt in re.split(r"[;{}]", text):
            stmt = " ".join(stmt.split())
            if stmt.startswith("typedef"):
                continue
            m = re.search(r"\b(cairn[A-Za-z0-9_]*)\s*\(", stmt)
            if m:
                names.add(m.group(1))
    return names


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    lib, symfile, headers = argv[1], argv[2], argv[3:]
    nm = "nm"
    errors = []
    exported = exported_symbols(lib, nm)
    listed = listed_symbols(symfile, errors)
    declared = declared_functions(headers)

    if not listed:
        errors.append("%s: no global symbols found" % symfile)
    for name in sorted(set(exported) - set(listed)):
        errors.append("exported by %s but not in %s: %s" % (lib, symfile, name))
    for name in sorted(set(listed) - set(exported)):
        errors.append("listed in %s but not exported (not defined?): %s" % (symfile, name))
    for name in sorted(set(listed) - declared):
        errors.append("listed in %s but declared in no public header: %s" % (symfile, name))
    for name in sorted(declared - set(listed)):
        errors.append("declared in a public header but not in %s: %s" % (symfile, name))
    for name in sorted(set(exported) & set(listed)):
        if exported[name] != listed[name]:
            errors.append("%s has version %s, %s lists it under %s"
                          % (name, exported[name], symfile, listed[name]))

    for e in errors:
        print(e)
    print("%d exported, %d listed, %d declared: %s"
          % (len(exported), len(listed), len(declared), "FAIL" if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
