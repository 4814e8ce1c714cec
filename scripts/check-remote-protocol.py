#!/usr/bin/env python3
"""Check that the remote driver and cairnd keep in step with src/driver.h.

usage: check-remote-protocol.py SRCDIR

For every function-pointer member of struct _cairnDriver:
  - src/remote/remote_driver.c's table has ".member = remoteMember,";
  - src/remote/remote_protocol.c's table maps "member" to the method
    "Member" (first letter upper-case);
  - src/remote/cairn-remote.xml declares <method name="Member">;
  - daemon/dispatch.c's table has a handler cairndMember.
Fails, naming what is missing, when a slot is added without all four.

Every other <method> of cairn-remote.xml is a method of the transport
itself (ConnectOpenChannel): remote_protocol.c's table must map it from a
NULL slot, and daemon/dispatch.c must have its handler cairndMethod. So no
method can be declared without a daemon handler, and none can pose as a
transport method while a slot of that name exists.
"""

import re
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    src = argv[1]
    driver = read(src + "/src/driver.h")
    body = re.search(r"struct\s+_cairnDriver\s*\{(.*?)\n\};", driver, re.S).group(1)
    slots = re.findall(r"\(\s*\*\s*(\w+)\s*\)\s*\(", body)
    remote = read(src + "/src/remote/remote_driver.c")
    protocol = read(src + "/src/remote/remote_protocol.c")
    xml = read(src + "/src/remote/cairn-remote.xml")
    dispatch = read(src + "/daemon/dispatch.c")
    errors = []
    for slot in slots:
        method = slot[0].upper() + slot[1:]
        if not re.search(r"\.%s\s*=\s*remote%s\s*," % (slot, method), remote):
            errors.append("src/remote/remote_driver.c: no .%s = remote%s" % (slot, method))
        if not re.search(r'"%s",\s*"%s"' % (slot, method), protocol):
            errors.append("src/remote/remote_protocol.c: no entry \"%s\" -> \"%s\"" % (slot, method))
        if '<method name="%s">' % method not in xml and '<method name="%s"/>' % method not in xml:
            errors.append("src/remote/cairn-remote.xml: no method %s" % method)
        if not re.search(r"\bcairnd%s\b" % method, dispatch):
            errors.append("daemon/dispatch.c: no handler cairnd%s" % method)
    slot_methods = {slot[0].upper() + slot[1:] for slot in slots}
    extra = [m for m in re.findall(r'<method name="(\w+)"', xml) if m not in slot_methods]
    for method in extra:
        if not re.search(r'\bNULL,\s*"%s"' % method, protocol):
            errors.append("src/remote/remote_protocol.c: method %s is no driver slot, "
                          "so its entry needs a NULL slot" % method)
        if not re.search(r"\bcairnd%s\b" % method, dispatch):
            errors.append("daemon/dispatch.c: no handler cairnd%s" % method)
    for e in errors:
        print(e)
    print("%d driver slots, %d transport methods: %s"
          % (len(slots), len(extra), "FAIL" if errors else "all forwarded"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
