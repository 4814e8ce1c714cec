/*
 * checkpointtestutils.h: helpers of the real-QEMU checkpoint tests.
 *
 * Bitmaps are always read independently of Cairn's checkpoint code: from
 * the running QEMU with query-named-block-nodes (through the QMP
 * passthrough), or from the image files with `qemu-img info
 * --output=json` once QEMU has closed them.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include <cairn/cairn.h>

#include "qemutestutils.h"

/* The default bitmap granularity of a qcow2 image with 64 KiB clusters. */
#define CHK_TEST_GRANULARITY 65536

typedef struct {
    char *name;
    guint64 count; /* dirty bytes (running QEMU only) */
    guint64 granularity;
    bool inconsistent; /* in-use in the image / inconsistent in QEMU */
    bool recording;
    bool persistent;
} chkTestBitmap;

/* qemuTestSetup() plus: any qemu-storage-daemon left on the root's images
 * is killed by its pid at exit. */
const char *chkTestSetup(const char *testname);

/* The number of live qemu-storage-daemons of this test: those whose
 * command line names a path under its root and those it started itself;
 * never one of anything else running on the machine. */
guint chkTestCountStorageDaemons(void);

/* A domain @name with disks vda, vdb, ... on @images in @formats
 * ("qcow2"/"raw"), NULL-terminated lists. */
char *chkTestDomainXML(const char *name, const char *const *images, const char *const *formats);

/* cairnDomainQemuMonitorCommand's result (caller frees), or NULL. */
char *chkTestMonitor(cairnDomainPtr dom, const char *cmd, unsigned int flags);

/* Write @len bytes of 0xab at @offset through the guest disk @alias
 * ("virtio-disk0" for vda) with HMP qemu-io. */
void chkTestWrite(cairnDomainPtr dom, const char *alias, guint64 offset, guint64 len);

/* The bitmaps of @image's format node in the running QEMU. */
GPtrArray *chkTestLiveBitmaps(cairnDomainPtr dom, const char *image);

/* The bitmaps stored in @image (qemu-img info; the image must be free). */
GPtrArray *chkTestImageBitmaps(const char *image);

/* The names of @bitmaps, sorted and joined with ','; "" for none. */
char *chkTestBitmapNames(GPtrArray *bitmaps);
chkTestBitmap *chkTestBitmapFind(GPtrArray *bitmaps, const char *name);

/* The checkpoint files ROOT/checkpoints/@dom/NAME.xml, as sorted names
 * joined with ','; and the current file's name ("" when absent). */
char *chkTestMetadataNames(const char *dom);
char *chkTestMetadataCurrent(const char *dom);

/* The size attribute of disk @disk in the SIZE XML of @chk; -1 when the
 * disk has none. Fails the test when the call fails. */
gint64 chkTestSize(cairnDomainCheckpointPtr chk, const char *disk);

/* The parent's name of @chk ("" for a root; caller frees). */
char *chkTestParent(cairnDomainCheckpointPtr chk);

/* Create a checkpoint from @xml; fails the test on error. */
cairnDomainCheckpointPtr chkTestCreate(cairnDomainPtr dom, const char *xml, unsigned int flags);

/* Run the cairn CLI (tools/cairn of the build) on the test's URI with the
 * NULL-terminated arguments; its exit status, and its stdout and stderr
 * in *@ret_out and *@ret_err (caller frees; either may be NULL). */
G_GNUC_NULL_TERMINATED int chkTestCli(char **ret_out, char **ret_err, const char *first, ...);

/* Start a qemu-storage-daemon of the test's own holding @image open for
 * writing (as another program would); returns its pid. */
GPid chkTestHoldImage(const char *image);
void chkTestReleaseImage(GPid pid);

/* Compare strings, failing with both shown. */
#define CHK_EXPECT_STR(got, want) chkTestExpectStr(__FILE__, __LINE__, #got, (got), (want))
void
chkTestExpectStr(const char *file, int line, const char *what, const char *got, const char *want);
#define CHK_EXPECT_INT(got, want)                                                                  \
 chkTestExpectInt(__FILE__, __LINE__, #got, (gint64)(got), (gint64)(want))
void chkTestExpectInt(const char *file, int line, const char *what, gint64 got, gint64 want);
