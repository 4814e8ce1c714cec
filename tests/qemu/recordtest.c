/*
 * recordtest.c: every form the qemu driver records before it acts parses
 * back to itself (suite 'unit'; no QEMU): the backup job file in each
 * phase of hypervisor/domain_backup.h, including the first record of a
 * begin whose disks have not started (issue 10, defect 1: it lacked the
 * disks' state and did not parse), a job file written before phases
 * existed, and the checkpoint change record of a create and a delete. Also
 * the phase table: legal and illegal moves, and the recovery of each.
 */
#include <stdio.h>
#include <string.h>

#include "conf/backup_job.h"
#include "hypervisor/domain_backup.h"
#include "qemu/qemu_backup_job.h"
#include "qemu/qemu_checkpoint_op.h"

static int failures;

#define CHECK(cond)                                                                                \
 do {                                                                                              \
  if (!(cond)) {                                                                                   \
   fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
   failures++;                                                                                     \
  }                                                                                                \
 } while (0)

static const char backupXML[] =
    "<domainbackup mode='pull'><server transport='unix' socket='/tmp/nbd.sock'/>"
    "<disks><disk name='vda' type='file'><scratch file='/tmp/vda.scratch'/>"
    "<driver type='qcow2'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>";


static qemuBackupJob *
newJob(void)
{
    g_autoptr(GError) err = NULL;
    cairnBackupDef *def = cairnBackupDefParseString(backupXML, 0, &err);
    qemuBackupJob *job;
    qemuBackupJobDisk *disk;

    if (!def)
        g_error("backup XML: %s", err->message);
    job = qemuBackupJobNew(def);
    disk = qemuBackupJobAddDisk(job, "vda");
    disk->job_id = g_strdup("backup-vda-cairn-1-format");
    disk->top_node = g_strdup("cairn-1-format");
    disk->store_storage = g_strdup("cairn-3-storage");
    disk->store_format = g_strdup("cairn-3-format");
    disk->created = true;
    job->start_ms = 1700000000123;
    return job;
}


/* Format, parse, format again: the same text. */
static void
checkRoundTrip(const qemuBackupJob *job, const char *what)
{
    g_autofree char *text = qemuBackupJobFormat(job);
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuBackupJob) back = qemuBackupJobParse(text, what, &err);
    g_autofree char *again = NULL;

    if (!back) {
        fprintf(stderr, "FAIL %s does not parse: %s\n%s", what, err->message, text);
        failures++;
        return;
    }
    again = qemuBackupJobFormat(back);
    CHECK(back->phase == job->phase);
    CHECK(back->preserve_shutdown == job->preserve_shutdown);
    if (!g_str_equal(text, again)) {
        fprintf(stderr, "FAIL %s: round trip differs:\n%s---\n%s", what, text, again);
        failures++;
    }
}


static void
testBackupPhases(void)
{
    g_autoptr(qemuBackupJob) job = newJob();
    cairnBackupDiskDef *vda = cairnBackupDefFindDisk(job->def, "vda");
    static const cairnBackupPhase path[] = {
        CAIRN_BACKUP_PHASE_STARTING,
        CAIRN_BACKUP_PHASE_COMMITTING,
        CAIRN_BACKUP_PHASE_RUNNING,
        CAIRN_BACKUP_PHASE_TERMINATING,
    };

    /* The first record: disks not started, no state attribute. */
    checkRoundTrip(job, "phase begin");
    job->nbd_server = true;
    /* CAIRN_DOMAIN_BACKUP_BEGIN_PRESERVE_SHUTDOWN_DOMAIN from here on. */
    job->preserve_shutdown = true;
    qemuBackupJobAddCheckpointBitmap(job, "cairn-1-format", "c1");
    job->chk_xml = g_strdup("<domaincheckpoint>\n  <name>c1</name>\n</domaincheckpoint>\n");
    for (size_t i = 0; i < G_N_ELEMENTS(path); i++) {
        g_autoptr(GError) err = NULL;

        CHECK(cairnBackupPhaseAdvance(&job->phase, path[i], &err));
        if (path[i] == CAIRN_BACKUP_PHASE_COMMITTING)
            CHECK(cairnBackupDiskApply(vda, CAIRN_BACKUP_VERB_START, NULL));
        if (path[i] == CAIRN_BACKUP_PHASE_TERMINATING)
            job->end_type = CAIRN_DOMAIN_JOB_FAILED;
        checkRoundTrip(job, cairnBackupPhaseToString(path[i]));
    }
}


static void
testBackupRollbackForm(void)
{
    g_autoptr(qemuBackupJob) job = newJob();

    CHECK(cairnBackupPhaseAdvance(&job->phase, CAIRN_BACKUP_PHASE_ROLLBACK, NULL));
    checkRoundTrip(job, "phase rollback");
}


/* Written before phases: a disk without state is a begin, else running;
 * an unknown phase is refused. */
static void
testBackupOldForms(void)
{
    g_autoptr(qemuBackupJob) job = newJob();
    g_autofree char *text = NULL;
    g_autofree char *old = NULL;
    g_autoptr(qemuBackupJob) back = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *bad = NULL;
    const char *cut;

    CHECK(cairnBackupDiskApply(cairnBackupDefFindDisk(job->def, "vda"), CAIRN_BACKUP_VERB_START,
                               NULL));
    job->phase = CAIRN_BACKUP_PHASE_RUNNING;
    text = qemuBackupJobFormat(job);
    cut = strstr(text, " start=");
    CHECK(cut != NULL);
    old = g_strconcat("<backupjob", cut, NULL);
    back = qemuBackupJobParse(old, "old", &err);
    CHECK(back && back->phase == CAIRN_BACKUP_PHASE_RUNNING);
    bad = g_strconcat("<backupjob phase='flying'", cut, NULL);
    g_clear_pointer(&back, qemuBackupJobFree);
    g_clear_error(&err);
    CHECK(!(back = qemuBackupJobParse(bad, "bad", &err)) && err &&
          strstr(err->message, "unknown phase"));
}


static void
testPhaseTable(void)
{
    cairnBackupPhase phase = CAIRN_BACKUP_PHASE_RUNNING;
    g_autoptr(GError) err = NULL;

    CHECK(!cairnBackupPhaseAdvance(&phase, CAIRN_BACKUP_PHASE_ROLLBACK, &err));
    CHECK(phase == CAIRN_BACKUP_PHASE_RUNNING);
    CHECK(err && strstr(err->message, "backup job cannot go from phase 'running' to 'rollback'"));
    if (err)
        fprintf(stderr, "illegal move: %s\n", err->message);
    CHECK(cairnBackupPhaseRecovery(CAIRN_BACKUP_PHASE_BEGIN) == CAIRN_BACKUP_RECOVER_UNDO);
    CHECK(cairnBackupPhaseRecovery(CAIRN_BACKUP_PHASE_STARTING) == CAIRN_BACKUP_RECOVER_UNDO);
    CHECK(cairnBackupPhaseRecovery(CAIRN_BACKUP_PHASE_COMMITTING) == CAIRN_BACKUP_RECOVER_COMMIT);
    CHECK(cairnBackupPhaseRecovery(CAIRN_BACKUP_PHASE_RUNNING) == CAIRN_BACKUP_RECOVER_RECONCILE);
    CHECK(cairnBackupPhaseRecovery(CAIRN_BACKUP_PHASE_TERMINATING) ==
          CAIRN_BACKUP_RECOVER_TERMINATE);
    CHECK(cairnBackupPhaseRecovery(CAIRN_BACKUP_PHASE_ROLLBACK) == CAIRN_BACKUP_RECOVER_UNDO);
    for (int i = 0; i < CAIRN_BACKUP_PHASE_LAST; i++)
        CHECK(cairnBackupPhaseFromString(cairnBackupPhaseToString(i)) == i);
}


static void
checkOpRoundTrip(const qemuCheckpointOp *op, const char *what)
{
    g_autofree char *text = qemuCheckpointOpFormat(op);
    g_autoptr(GError) err = NULL;
    g_autoptr(qemuCheckpointOp) back = qemuCheckpointOpParse(text, what, &err);
    g_autofree char *again = NULL;

    if (!back) {
        fprintf(stderr, "FAIL %s does not parse: %s\n%s", what, err->message, text);
        failures++;
        return;
    }
    again = qemuCheckpointOpFormat(back);
    if (!g_str_equal(text, again)) {
        fprintf(stderr, "FAIL %s: round trip differs:\n%s---\n%s", what, text, again);
        failures++;
    }
}


static void
testCheckpointOps(void)
{
    g_autoptr(qemuCheckpointOp) create = qemuCheckpointOpNew(QEMU_CHECKPOINT_OP_CREATE);
    g_autoptr(qemuCheckpointOp) delete = qemuCheckpointOpNew(QEMU_CHECKPOINT_OP_DELETE);
    g_autoptr(qemuCheckpointOp) none = NULL;
    g_autoptr(GError) err = NULL;

    create->current = g_strdup("c0");
    qemuCheckpointOpAddBitmap(create, "vda", "c1");
    create->def_xml = g_strdup("<!-- header -->\n<domaincheckpoint>\n  <name>c1</name>\n"
                               "</domaincheckpoint>\n");
    checkOpRoundTrip(create, "create, phase bitmaps");
    create->phase = QEMU_CHECKPOINT_OP_PHASE_METADATA;
    checkOpRoundTrip(create, "create, phase metadata");
    delete->name = g_strdup("c1");
    delete->flags = 1;
    qemuCheckpointOpAddBitmap(delete, "vda", "c1");
    qemuCheckpointOpAddBitmap(delete, "vdb", "c2");
    g_ptr_array_add(delete->names, g_strdup("c2"));
    g_ptr_array_add(delete->names, g_strdup("c1"));
    checkOpRoundTrip(delete, "delete");
    CHECK(!(none =
                qemuCheckpointOpParse("<checkpointop op='create' phase='bitmaps'/>", "bad", &err)));
}


int
main(void)
{
    testBackupPhases();
    testBackupRollbackForm();
    testBackupOldForms();
    testPhaseTable();
    testCheckpointOps();
    return failures ? 1 : 0;
}
