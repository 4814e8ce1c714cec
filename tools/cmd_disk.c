/*
 * cmd_disk.c: disk-add-metadata, which puts a qcow2 metadata layer over a
 * raw disk of a shut-off domain without copying its data (virsh has no
 * such command).
 *
 * The raw file stays where it is and keeps the guest's data (qcow2
 * data-file with data_file_raw=on); the new qcow2 file only holds
 * metadata, so that checkpoints (persistent bitmaps) and incremental
 * backups work on the disk. The disk is redefined through the public API
 * as <driver type='qcow2'/><source file='META'><dataStore type='file'>
 * <format type='raw'/><source file='RAW'/></dataStore></source>.
 *
 * Crash safety: before acting, the command writes META.cairn-add-metadata
 * (atomically: temp file, fsync, rename, fsync of the directory) naming
 * the domain's UUID, the disk, the raw file and the metadata file. The
 * qcow2 is created as META.part and renamed into place; then the domain
 * is redefined; then the record is removed. Run again after a crash (the
 * same command), it finds the record and finishes: it creates the qcow2
 * unless it is in place, and redefines the disk unless it already uses
 * it. A test kills the process between the steps (CAIRN_CRASH_AT=
 * disk-add-metadata-{recorded,created,defined}).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "shell.h"

#define JOURNAL_SUFFIX ".cairn-add-metadata"


/* The test-only kill point: SIGKILL when CAIRN_CRASH_AT names @point. */
static void
diskCrashPoint(const char *point)
{
    if (g_strcmp0(g_getenv("CAIRN_CRASH_AT"), point) == 0)
        kill(getpid(), SIGKILL);
}


/* The <disk> of @doc whose target dev is @dst, or NULL. */
static xmlNode *
diskFind(xmlDoc *doc, const char *dst)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *devices = NULL;

    for (xmlNode *cur = root ? root->children : NULL; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && xmlStrEqual(cur->name, BAD_CAST "devices"))
            devices = cur;
    }
    for (xmlNode *disk = devices ? devices->children : NULL; disk; disk = disk->next) {
        if (disk->type != XML_ELEMENT_NODE || !xmlStrEqual(disk->name, BAD_CAST "disk"))
            continue;
        for (xmlNode *c = disk->children; c; c = c->next) {
            g_autofree char *dev = NULL;

            if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "target"))
                continue;
            dev = (char *)xmlGetProp(c, BAD_CAST "dev");
            if (g_strcmp0(dev, dst) == 0)
                return disk;
        }
    }
    return NULL;
}


static xmlNode *
diskChild(xmlNode *disk, const char *name)
{
    for (xmlNode *c = disk->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
            return c;
    }
    return NULL;
}


/* xmlGetProp as a g_free-able string. */
static char *
diskProp(xmlNode *node, const char *name)
{
    xmlChar *val = node ? xmlGetProp(node, BAD_CAST name) : NULL;
    char *ret = g_strdup((const char *)val);

    xmlFree(val);
    return ret;
}


/* The record: key=value lines. */
typedef struct {
    char *uuid;
    char *disk;
    char *raw;
    char *meta;
} diskJournal;


static void
diskJournalClear(diskJournal *j)
{
    g_free(j->uuid);
    g_free(j->disk);
    g_free(j->raw);
    g_free(j->meta);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(diskJournal, diskJournalClear)


static bool
diskJournalWrite(shellControl *ctl, const char *path, const diskJournal *j)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *text =
        g_strdup_printf("cairn-add-metadata 1\nuuid=%s\ndisk=%s\nraw=%s\nmeta=%s\n", j->uuid,
                        j->disk, j->raw, j->meta);
    int fd;
    bool ok;

    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        shellError(ctl, "cannot create '%s': %s", tmp, g_strerror(errno));
        return false;
    }
    ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) < 0) {
        shellError(ctl, "cannot write '%s': %s", path, g_strerror(errno));
        g_unlink(tmp);
        return false;
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
    return true;
}


/* Read the record at @path; false (error printed) if it is unreadable. */
static bool
diskJournalRead(shellControl *ctl, const char *path, diskJournal *j)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !g_str_has_prefix(text, "cairn-add-metadata 1\n")) {
        shellError(ctl, "cannot read the record '%s' of an unfinished disk-add-metadata", path);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 1; lines[i]; i++) {
        char *eq = strchr(lines[i], '=');
        char **slot = NULL;

        if (!eq)
            continue;
        *eq = '\0';
        if (g_str_equal(lines[i], "uuid"))
            slot = &j->uuid;
        else if (g_str_equal(lines[i], "disk"))
            slot = &j->disk;
        else if (g_str_equal(lines[i], "raw"))
            slot = &j->raw;
        else if (g_str_equal(lines[i], "meta"))
            slot = &j->meta;
        if (slot) {
            g_free(*slot);
            *slot = g_strdup(eq + 1);
        }
    }
    if (!j->uuid || !j->disk || !j->raw || !j->meta) {
        shellError(ctl, "the record '%s' of an unfinished disk-add-metadata is incomplete", path);
        return false;
    }
    return true;
}


static bool
diskRun(shellControl *ctl, const char *const *argv)
{
    g_autofree char *err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, &gerr)) {
        shellError(ctl, "cannot run %s: %s", argv[0], gerr->message);
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        shellError(ctl, "%s failed: %s", argv[0], err ? g_strstrip(err) : "");
        return false;
    }
    return true;
}


/* META as a qcow2 over RAW: created as META.part, then renamed.
 *
 * `qemu-img create -o data_file=RAW` must not be used: QEMU (7.2 here)
 * creates the data file too, which truncates RAW to nothing. So the qcow2
 * is made over a scratch data file (META.part.data), with its clusters
 * mapped 1:1 (preallocation=metadata, as data_file_raw=on wants: reads
 * and block status then see RAW's data, not unallocated zeros), and
 * `qemu-img amend` then points its header at RAW, which only rewrites
 * the header. */
static bool
diskCreateMeta(shellControl *ctl, const diskJournal *j)
{
    g_autofree char *part = g_strdup_printf("%s.part", j->meta);
    g_autofree char *scratch = g_strdup_printf("%s.part.data", j->meta);
    g_autofree char *opts = NULL;
    g_autofree char *amend = NULL;
    g_autofree char *size = NULL;
    GStatBuf st;
    bool ok;

    if (g_stat(j->raw, &st) < 0) {
        shellError(ctl, "cannot access raw disk '%s': %s", j->raw, g_strerror(errno));
        return false;
    }
    opts = g_strdup_printf("data_file=%s,data_file_raw=on,preallocation=metadata", scratch);
    amend = g_strdup_printf("data_file=%s", j->raw);
    size = g_strdup_printf("%lld", (long long)st.st_size);
    {
        const char *create[] = { "qemu-img", "create", "-q", "-f", "qcow2",
                                 "-o",       opts,     part, size, NULL };
        const char *point[] = { "qemu-img", "amend", "-q", "-f", "qcow2", "-o", amend, part, NULL };

        g_unlink(part);
        g_unlink(scratch);
        ok = diskRun(ctl, create) && diskRun(ctl, point);
        g_unlink(scratch);
        if (!ok)
            return false;
    }
    if (rename(part, j->meta) < 0) {
        shellError(ctl, "cannot rename '%s': %s", part, g_strerror(errno));
        return false;
    }
    return true;
}


/* Whether @disk already is the metadata layer the record describes. */
static bool
diskIsConverted(xmlNode *disk, const diskJournal *j)
{
    xmlNode *source = diskChild(disk, "source");
    xmlNode *store = source ? diskChild(source, "dataStore") : NULL;
    g_autofree char *file = diskProp(source, "file");

    return store && g_strcmp0(file, j->meta) == 0;
}


/* Point @disk at the metadata layer. */
static void
diskRewrite(xmlNode *disk, const diskJournal *j)
{
    xmlNode *driver = diskChild(disk, "driver");
    xmlNode *source = diskChild(disk, "source");
    xmlNode *store;
    xmlNode *node;

    if (!driver) {
        driver = xmlNewNode(NULL, BAD_CAST "driver");
        xmlSetProp(driver, BAD_CAST "name", BAD_CAST "qemu");
        xmlAddPrevSibling(source, driver);
    }
    xmlSetProp(driver, BAD_CAST "type", BAD_CAST "qcow2");
    xmlSetProp(source, BAD_CAST "file", BAD_CAST j->meta);
    store = xmlNewChild(source, NULL, BAD_CAST "dataStore", NULL);
    xmlSetProp(store, BAD_CAST "type", BAD_CAST "file");
    node = xmlNewChild(store, NULL, BAD_CAST "format", NULL);
    xmlSetProp(node, BAD_CAST "type", BAD_CAST "raw");
    node = xmlNewChild(store, NULL, BAD_CAST "source", NULL);
    xmlSetProp(node, BAD_CAST "file", BAD_CAST j->raw);
}


/* RAW's name with ".qcow2" in place of its extension. */
static char *
diskDefaultMeta(const char *raw)
{
    const char *dot = strrchr(raw, '.');
    const char *slash = strrchr(raw, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - raw) : strlen(raw);

    return g_strdup_printf("%.*s.qcow2", (int)stem, raw);
}


/* Where the record of a run on @disk is: beside --meta, beside the
 * disk's source once it is converted (the source is META then), else
 * beside the default metadata file. NULL for a disk without source. */
static char *
diskJournalPath(xmlNode *disk, const char *meta_opt)
{
    xmlNode *source = diskChild(disk, "source");
    g_autofree char *src = diskProp(source, "file");
    g_autofree char *meta = NULL;

    if (meta_opt)
        meta = g_canonicalize_filename(meta_opt, NULL);
    else if (src && diskChild(source, "dataStore"))
        meta = g_strdup(src);
    else if (src)
        meta = diskDefaultMeta(src);
    else
        return NULL;
    return g_strdup_printf("%s" JOURNAL_SUFFIX, meta);
}


/* The checks before anything is recorded: the disk is a raw file, not
 * converted, and the metadata file does not exist. Fills @j. */
static bool
diskCheckNew(shellControl *ctl, xmlNode *disk, const char *meta_opt, diskJournal *j)
{
    xmlNode *source = diskChild(disk, "source");
    g_autofree char *type = diskProp(disk, "type");
    g_autofree char *format = diskProp(diskChild(disk, "driver"), "type");

    if (g_strcmp0(type, "file") != 0 || !source || !(j->raw = diskProp(source, "file"))) {
        shellError(ctl, "disk '%s' is not a file disk with a source", j->disk);
        return false;
    }
    if (diskChild(source, "dataStore") || (format && !g_str_equal(format, "raw"))) {
        shellError(ctl, "disk '%s' is not a raw disk (format '%s')", j->disk,
                   format ? format : "raw");
        return false;
    }
    j->meta = meta_opt ? g_canonicalize_filename(meta_opt, NULL) : diskDefaultMeta(j->raw);
    if (g_file_test(j->meta, G_FILE_TEST_EXISTS)) {
        shellError(ctl, "metadata file '%s' already exists", j->meta);
        return false;
    }
    return true;
}


static bool
diskFinish(shellControl *ctl, cairnDomainPtr dom, xmlDoc *doc, xmlNode *disk, const diskJournal *j)
{
    g_autofree char *journal = g_strdup_printf("%s" JOURNAL_SUFFIX, j->meta);
    xmlChar *xml = NULL;
    int len = 0;
    cairnDomainPtr defined;

    if (!g_file_test(j->meta, G_FILE_TEST_EXISTS)) {
        if (!diskCreateMeta(ctl, j))
            return false;
        diskCrashPoint("disk-add-metadata-created");
    }
    if (!diskIsConverted(disk, j)) {
        diskRewrite(disk, j);
        xmlDocDumpMemory(doc, &xml, &len);
        defined = cairnDomainDefineXML(cairnDomainGetConnect(dom), (const char *)xml);
        xmlFree(xml);
        if (!defined)
            return shellSaveError(ctl);
        shellDomainFree(defined);
        diskCrashPoint("disk-add-metadata-defined");
    }
    if (g_unlink(journal) < 0 && errno != ENOENT) {
        shellError(ctl, "cannot remove '%s': %s", journal, g_strerror(errno));
        return false;
    }
    return true;
}


/* clang-format off */
static const shellOptDef opts_disk_add_metadata[] = {
    SHELL_OPT_DOMAIN,
    { .name = "disk", .type = SHELL_OT_DATA, .required = true, .help = "disk target (e.g. vda)" },
    { .name = "meta",
      .type = SHELL_OT_STRING,
      .help = "qcow2 metadata file to create (default: the raw file's name with .qcow2)" },
    { .name = NULL }
};
/* clang-format on */


static bool
cmdDiskAddMetadata(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_auto(diskJournal) j = { 0 };
    g_auto(diskJournal) rec = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *journal = NULL;
    const char *meta_opt = NULL;
    const char *dst = NULL;
    char uuid[CAIRN_UUID_STRING_BUFLEN];
    xmlDoc *doc = NULL;
    xmlNode *disk;
    int state = 0;
    bool ok = false;

    if (shellOptString(ctl, cmd, "disk", &dst) < 0 ||
        shellOptString(ctl, cmd, "meta", &meta_opt) < 0)
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (cairnDomainGetState(dom, &state, NULL, 0) < 0 || cairnDomainGetUUIDString(dom, uuid) < 0)
        return shellSaveError(ctl);
    if (state != CAIRN_DOMAIN_SHUTOFF) {
        shellError(ctl, "domain is running: disk-add-metadata needs a shut-off domain");
        return false;
    }
    if (!(xml = cairnDomainGetXMLDesc(dom, CAIRN_DOMAIN_XML_INACTIVE)))
        return shellSaveError(ctl);
    if (!(doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET))) {
        shellError(ctl, "cannot parse the domain's XML");
        return false;
    }
    if (!(disk = diskFind(doc, dst))) {
        shellError(ctl, "domain has no disk with target '%s'", dst);
        goto out;
    }
    j.uuid = g_strdup(uuid);
    j.disk = g_strdup(dst);
    /* An unfinished run of this command on this disk is finished. */
    journal = diskJournalPath(disk, meta_opt);
    if (journal && g_file_test(journal, G_FILE_TEST_EXISTS)) {
        if (!diskJournalRead(ctl, journal, &rec))
            goto out;
        if (!g_str_equal(rec.uuid, uuid) || !g_str_equal(rec.disk, dst)) {
            shellError(ctl, "'%s' records an unfinished disk-add-metadata of another disk",
                       journal);
            goto out;
        }
        shellPrintExtra(ctl, "Finishing an interrupted disk-add-metadata of '%s'\n", dst);
        ok = diskFinish(ctl, dom, doc, disk, &rec);
    } else {
        if (!diskCheckNew(ctl, disk, meta_opt, &j))
            goto out;
        g_free(journal);
        journal = g_strdup_printf("%s" JOURNAL_SUFFIX, j.meta);
        if (!diskJournalWrite(ctl, journal, &j))
            goto out;
        diskCrashPoint("disk-add-metadata-recorded");
        ok = diskFinish(ctl, dom, doc, disk, &j);
    }
    if (ok)
        shellPrint(ctl, "Disk '%s' now has the qcow2 metadata layer '%s'\n", dst,
                   rec.meta ? rec.meta : j.meta);
out:
    xmlFreeDoc(doc);
    return ok;
}


const shellCmdDef diskCmds[] = { { .name = "disk-add-metadata",
                                   .handler = cmdDiskAddMetadata,
                                   .opts = opts_disk_add_metadata,
                                   .help = "add a qcow2 metadata layer to a raw disk",
                                   .desc = "Put a qcow2 metadata file (qcow2 data-file) over a raw "
                                           "disk of a shut-off domain without copying its data, so "
                                           "that checkpoints and incremental backups work on it." },
                                 { .name = NULL } };
