#!/usr/bin/env python3
"""Tests of the KVM probe guards themselves.

usage: kvm-probes-test.py SOURCE_ROOT

scripts/check-kvm-probes.py must refuse the probe that created /dev/kvm on
hosts without KVM (bench/lib.sh's `(exec 3<>/dev/kvm)`) and every other way
of opening the device for writing, and let harmless mentions pass; and
scripts/kvm.sh must call a missing path, a plain file, a directory and
/dev/null "not usable" without creating anything.
"""

import os
import subprocess
import sys
import tempfile

# The line bench/lib.sh had (issue 15), spelled in pieces so that this file
# does not hold it whole.
OLD_PROBE = "if (exec 3<" + ">/dev/kvm) 2>/dev/null; then"
DEV = "/dev/" + "kvm"

BAD = [
    OLD_PROBE,
    "exec 3<>" + DEV,
    "exec {fd}<> '" + DEV + "'",
    ": > " + DEV,
    "echo x >>\"" + DEV + "\"",
    "true >| " + DEV,
    "probe &>" + DEV,
    "probe 2>" + DEV,
    "touch " + DEV,
    "echo 1 | tee -a " + DEV,
    "dd if=/dev/zero of=" + DEV + " count=0",
    "mknod " + DEV + " c 10 232",
    "x=1; touch " + DEV + "  # a comment after the code",
]

GOOD = [
    "[ -c " + DEV + " ] && echo char",
    "# never probe with (exec 3<>" + DEV + "): it creates the file",
    "    # : > " + DEV,
    "echo 'KVM is " + DEV + "'",
    "read -r x < " + DEV,
    "ls -l " + DEV + " " + DEV + "-foo",
    "echo ok > " + DEV + ".log",
    ". \"$top/scripts/kvm.sh\"; virt=$(kvm_virt_type)",
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run_checker(checker, args):
    proc = subprocess.run([sys.executable, checker] + args, capture_output=True, text=True)
    return proc.returncode, proc.stdout


def test_lines(checker, tmp):
    for i, line in enumerate(BAD + GOOD):
        path = os.path.join(tmp, "line%d.sh" % i)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + line + "\n")
        rc, out = run_checker(checker, [path])
        if line in BAD:
            check(rc == 1 and ("%s:2:" % path) in out, "refused: %r (rc %d: %s)" % (line, rc, out))
        else:
            check(rc == 0, "accepted: %r (rc %d: %s)" % (line, rc, out))


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_tree(checker, tmp):
    """A tree that is not a git checkout: every file is looked at."""
    root = os.path.join(tmp, "tree")
    write(root, "bench/lib.sh", "virt=qemu\n" + OLD_PROBE + "\n    virt=kvm\nfi\n")
    write(root, "tools/probe", "#!/usr/bin/env bash\nexec 3<>" + DEV + "\n")
    write(root, "tests/x.cmd", "$ cairn list > " + DEV + "\n")
    write(root, "Makefile", "kvm:\n\ttouch " + DEV + "\n")
    write(root, "src/qemu/x.c", "int fd = open(\"" + DEV + "\", O_RDWR);\n")
    write(root, "src/util/cairnkvm.h", "#define CAIRN_KVM_DEVICE \"" + DEV + "\"\n")
    write(root, "docs/notes.md", "Never run (exec 3<>" + DEV + ").\n")
    write(root, "build/meson-private/x.sh", "exec 3<>" + DEV + "\n")
    rc, out = run_checker(checker, [root])
    lines = [l for l in out.splitlines() if not l.endswith(("ok", "FAIL"))]
    flagged = sorted(l.split(":", 1)[0] for l in lines)
    check(rc == 1, "tree refused (rc %d)" % rc)
    check(flagged == ["Makefile", "bench/lib.sh", "src/qemu/x.c", "tests/x.cmd", "tools/probe"],
          "tree: flagged %s" % flagged)


def test_kvm_sh(source_root, tmp):
    helper = os.path.join(source_root, "scripts", "kvm.sh")
    plain = os.path.join(tmp, "plain")
    missing = os.path.join(tmp, "missing")
    with open(plain, "w"):
        pass
    for dev in (missing, plain, tmp, "/dev/null"):
        script = '. "$1"; kvm_usable "$2" && echo usable; kvm_virt_type "$2"'
        proc = subprocess.run(["bash", "-c", script, "sh", helper, dev],
                              capture_output=True, text=True)
        check(proc.returncode == 0 and proc.stdout == "qemu\n",
              "kvm.sh on %s: rc %d, %r %r" % (dev, proc.returncode, proc.stdout, proc.stderr))
    check(not os.path.exists(missing), "kvm.sh created %s" % missing)
    check(os.path.getsize(plain) == 0, "kvm.sh wrote to %s" % plain)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    source_root = argv[1]
    checker = os.path.join(source_root, "scripts", "check-kvm-probes.py")
    with tempfile.TemporaryDirectory(prefix="cairn-kvm-probes-") as tmp:
        test_lines(checker, tmp)
        test_tree(checker, tmp)
        test_kvm_sh(source_root, tmp)
    n = len(BAD) + len(GOOD) + 2
    print("%d cases: %s" % (n, "FAIL" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
