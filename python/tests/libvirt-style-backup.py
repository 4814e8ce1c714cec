#!/usr/bin/env python3
"""A backup script as one writes it for libvirt-python, run on Cairn.

It was written against libvirt's checkpoint and backup calls; the only
changes are the prefixes: "import libvirt" became "import cairn as libvirt",
VIR_ became CAIRN_, vir became cairn and libvirtError cairnError.

usage: libvirt-style-backup.py URI DOMAIN ROUNDS

Takes ROUNDS push backups of DOMAIN: a full one with checkpoint b1, then
incremental ones from the newest checkpoint, each making the next
checkpoint; waits for each job with the event loop; keeps the two newest
checkpoints; prints what it did in a stable form.
"""

import sys

import cairn as libvirt


def newest_checkpoint(dom):
    leaves = dom.listAllCheckpoints(libvirt.CAIRN_DOMAIN_CHECKPOINT_LIST_LEAVES)
    return leaves[0].getName() if leaves else None


def run_backup(conn, dom, name):
    finished = []

    def job_completed(conn, dom, params, opaque):
        finished.append((dom.name(), params, opaque))

    cb_id = conn.domainEventRegisterAny(dom, libvirt.CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                        job_completed, name)
    parent = newest_checkpoint(dom)
    backup_xml = "<domainbackup mode='push'>"
    if parent:
        backup_xml += "<incremental>%s</incremental>" % parent
    backup_xml += "</domainbackup>"
    checkpoint_xml = ("<domaincheckpoint><name>%s</name>"
                      "<description>backup %s</description></domaincheckpoint>" % (name, name))
    dom.backupBegin(backup_xml, checkpoint_xml, 0)
    # A small push job may be over already: then there is no job XML.
    try:
        job_xml = dom.backupGetXMLDesc(0)
        assert ("backupmode='incremental'" in job_xml) == bool(parent)
    except libvirt.cairnError as e:
        if e.get_error_code() != libvirt.CAIRN_ERR_NO_DOMAIN_BACKUP:
            raise
    print("%s: %s backup started" % (name, "incremental" if parent else "full"))

    while not finished:
        libvirt.cairnEventRunDefaultImpl()
    conn.domainEventDeregisterAny(cb_id)

    domname, params, opaque = finished[0]
    stats = dom.jobStats(libvirt.CAIRN_DOMAIN_JOB_STATS_COMPLETED)
    ok = params.get(libvirt.CAIRN_DOMAIN_JOB_SUCCESS)
    print("%s: %s, job of %s for %s, %s of %s bytes copied, completed job type %d" % (
        name, "succeeded" if ok else "FAILED", domname, opaque,
        "all" if params.get(libvirt.CAIRN_DOMAIN_JOB_DISK_PROCESSED, 0) ==
        params.get(libvirt.CAIRN_DOMAIN_JOB_DISK_TOTAL, 0) else "not all",
        "some" if params.get(libvirt.CAIRN_DOMAIN_JOB_DISK_TOTAL, 0) > 0 else "no",
        stats["type"]))
    return ok


def prune(dom, keep):
    chks = dom.listAllCheckpoints(libvirt.CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL)
    for chk in chks[:-keep]:
        chk.delete(0)
        print("pruned checkpoint %s" % chk.getName())


def main(argv):
    uri, domname, rounds = argv[1], argv[2], int(argv[3])
    libvirt.cairnEventRegisterDefaultImpl()
    conn = libvirt.open(uri)
    try:
        dom = conn.lookupByName(domname)
    except libvirt.cairnError as e:
        if e.get_error_code() == libvirt.CAIRN_ERR_NO_DOMAIN:
            print("no domain %s" % domname)
            return 2
        raise
    for i in range(1, rounds + 1):
        if not run_backup(conn, dom, "b%d" % i):
            return 1
    prune(dom, 2)
    for chk in dom.listAllCheckpoints(libvirt.CAIRN_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL):
        try:
            parent = chk.getParent().getName()
        except libvirt.cairnError as e:
            if e.get_error_code() != libvirt.CAIRN_ERR_NO_DOMAIN_CHECKPOINT:
                raise
            parent = "-"
        xml = chk.getXMLDesc(libvirt.CAIRN_DOMAIN_CHECKPOINT_XML_NO_DOMAIN)
        print("checkpoint %s parent %s disks %d" % (chk.getName(), parent, xml.count("<disk ")))
    try:
        dom.abortJob()
    except libvirt.cairnError as e:
        print("no job to abort: %s" % e.get_error_message())
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
