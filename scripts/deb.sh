#!/bin/bash
# deb.sh: Cairn's Debian packages (debian/), built and checked without
# touching the system.
#
#   deb.sh build   copy the tree (tracked and untracked, not ignored files)
#                  to $DEB_DIR/src and run 'dpkg-buildpackage -b -us -uc'
#                  there; the .deb files land in $DEB_DIR
#   deb.sh check   build, then: unpack every package with 'dpkg -x' into
#                  $DEB_DIR/root (never 'dpkg -i': this machine is CI's
#                  too), run the unpacked 'cairn -c test:///default
#                  checkpoint-list test' with LD_LIBRARY_PATH, check the
#                  unpacked cairnd, cairn-ssh-helper, man pages, completion,
#                  systemd units and maintainer scripts, import the python
#                  module when python3-cairn was built; then lintian, which
#                  must report no error
#
# Environment: DEB_DIR (default build-deb). Needs dpkg-dev, debhelper,
# dh-python, fakeroot, lintian and the build dependencies of
# debian/control (apt-get build-dep-like: see the README).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${DEB_DIR:-$top/build-deb}" && cd "${DEB_DIR:-$top/build-deb}" && pwd)
fail=0

build() {
    rm -rf "$out/src" "$out"/*.deb "$out"/*.ddeb "$out"/*.changes "$out"/*.buildinfo
    mkdir -p "$out/src"
    (cd "$top" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) |
        tar -xf - -C "$out/src"
    (cd "$out/src" && nice dpkg-buildpackage -b -us -uc -j2) >"$out/build.log" 2>&1 || {
        tail -40 "$out/build.log"
        echo "deb: dpkg-buildpackage failed (log: $out/build.log)"
        exit 1
    }
    ls "$out"/*.deb
}

ok() { echo "ok   $*"; }
bad() {
    echo "FAIL $*"
    fail=1
}

# expect_file PATH...: each exists under the unpacked root.
expect_file() {
    for f in "$@"; do
        if [ -e "$root/$f" ]; then ok "$f"; else bad "$f missing"; fi
    done
}

check() {
    local root=$out/root libdir py
    rm -rf "$root"
    mkdir -p "$root"
    for deb in "$out"/*.deb; do
        dpkg -x "$deb" "$root"
        ok "dpkg -x $(basename "$deb")"
    done
    libdir=$(dirname "$(find "$root/usr/lib" -name 'libcairn.so.0' | head -1)")
    if out_text=$(LD_LIBRARY_PATH=$libdir "$root/usr/bin/cairn" -c test:///default \
        'checkpoint-create-as test c1; checkpoint-list test --name' 2>&1) &&
        [ "$out_text" = "$(printf 'Domain checkpoint c1 created\nc1')" ]; then
        ok "cairn -c test:///default checkpoint-list test (unpacked, LD_LIBRARY_PATH)"
    else
        bad "unpacked cairn: $out_text"
    fi
    if LD_LIBRARY_PATH=$libdir "$root/usr/bin/cairn" -c test:///default checkpoint-list test >/dev/null; then
        ok "cairn -c test:///default checkpoint-list test"
    else
        bad "cairn -c test:///default checkpoint-list test"
    fi
    if [[ $(LD_LIBRARY_PATH=$libdir ldd "$root/usr/bin/cairn") == *"$libdir/libcairn.so.0"* ]]; then
        ok "cairn links the packaged libcairn.so.0"
    else
        bad "cairn does not use the packaged library"
    fi
    if LD_LIBRARY_PATH=$libdir "$root/usr/sbin/cairnd" --version >/dev/null; then
        ok "cairnd --version"
    else
        bad "cairnd --version"
    fi
    expect_file usr/bin/cairn-ssh-helper usr/share/man/man1/cairn.1.gz \
        usr/share/man/man8/cairnd.8.gz usr/share/man/man8/cairn-ssh-helper.8.gz \
        usr/share/bash-completion/completions/cairn usr/share/bash-completion/completions/cairn-backup \
        lib/systemd/system/cairnd.service lib/systemd/system/cairnd.socket \
        usr/include/cairn/cairn.h
    # The maintainer scripts: the group, socket activation.
    local ctl=$out/control
    rm -rf "$ctl"
    dpkg -e "$out"/cairn-daemon_*.deb "$ctl"
    if grep -q "addgroup --quiet --system cairn" "$ctl/postinst" &&
        grep -q "cairnd.socket" "$ctl/postinst" &&
        grep -q "deb-systemd-helper.*enable" "$ctl/postinst"; then
        ok "cairn-daemon postinst: group cairn, cairnd.socket enabled"
    else
        bad "cairn-daemon postinst lacks the group or the socket"
    fi
    if ls "$out"/python3-cairn_*.deb >/dev/null 2>&1; then
        py=$(find "$root/usr/lib/python3/dist-packages" -name 'cairn*.so' | head -1)
        if [ -n "$py" ] && LD_LIBRARY_PATH=$libdir PYTHONPATH=$(dirname "$py") /usr/bin/python3 -c \
            'import cairn; c = cairn.open("test:///default"); print(c.lookupByName("test").name())' |
            grep -qx test; then
            ok "python3-cairn: import cairn, open test:///default"
        else
            bad "python3-cairn does not import"
        fi
    else
        echo "note python3-cairn not built (no python/ in this tree)"
    fi
    if lintian --fail-on error "$out"/*.changes >"$out/lintian.log" 2>&1; then
        ok "lintian: no error ($(grep -c '^W:' "$out/lintian.log" || true) warnings, see $out/lintian.log)"
    else
        grep '^E:' "$out/lintian.log" || cat "$out/lintian.log"
        bad "lintian reports errors"
    fi
}

case ${1:-} in
build) build ;;
check)
    build
    check
    [ "$fail" = 0 ] && echo "deb-check: all passed" || echo "deb-check: FAILED"
    exit "$fail"
    ;;
*)
    echo "usage: deb.sh build|check" >&2
    exit 2
    ;;
esac
