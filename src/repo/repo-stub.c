/* repo-stub.c: placeholders until the implementation lands. */
#include "repo.h"

GQuark
cairnRepoErrorQuark(void)
{
    return g_quark_from_static_string("cairn-repo-error");
}

bool
cairnRepoDigestIsZero(const guint8 *digest)
{
    return false;
}

char *
cairnRepoDigestToHex(const guint8 *digest, char *buf)
{
    return NULL;
}

bool
cairnRepoInit(const char *path, const char *keyfile, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoKeyGenerate(const char *keyfile, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

void
cairnRepoFree(cairnRepo *repo)
{
}

const char *
cairnRepoGetId(cairnRepo *repo)
{
    return NULL;
}

const char *
cairnRepoGetPath(cairnRepo *repo)
{
    return NULL;
}

bool
cairnRepoIsEncrypted(cairnRepo *repo)
{
    return false;
}

void
cairnRepoManifestFree(cairnRepoManifest *manifest)
{
}

GPtrArray *
cairnRepoListSnapshots(cairnRepo *repo, const char *domain, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return NULL;
}

cairnRepoManifest *
cairnRepoLoadManifest(cairnRepo *repo, const char *id, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return NULL;
}

cairnRepoManifest *
cairnRepoFindLatest(cairnRepo *repo, const char *domain, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return NULL;
}

void
cairnRepoIndexFree(cairnRepoIndex *index)
{
}

guint64
cairnRepoIndexGetDiskSize(const cairnRepoIndex *index)
{
    return 0;
}

guint32
cairnRepoIndexGetChunkSize(const cairnRepoIndex *index)
{
    return 0;
}

guint64
cairnRepoIndexGetChunkCount(const cairnRepoIndex *index)
{
    return 0;
}

size_t
cairnRepoIndexGetChunkLength(const cairnRepoIndex *index, guint64 chunk_no)
{
    return 0;
}

const guint8 *
cairnRepoIndexGetDigest(const cairnRepoIndex *index, guint64 chunk_no)
{
    return NULL;
}

bool
cairnRepoReadChunk(cairnRepo *repo,
                   const guint8 *digest,
                   void *buf,
                   size_t buf_len,
                   size_t *ret_len,
                   GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoReadIndexChunk(
    cairnRepo *repo, const cairnRepoIndex *index, guint64 chunk_no, void *buf, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

void
cairnRepoWriterFree(cairnRepoWriter *writer)
{
}

bool
cairnRepoWriterAddDisk(cairnRepoWriter *writer,
                       const char *disk,
                       guint64 size_bytes,
                       const cairnRepoIndex *base,
                       GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoWriterPutChunk(cairnRepoWriter *writer,
                        const char *disk,
                        guint64 chunk_no,
                        const void *data,
                        size_t len,
                        GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoWriterSetInfo(
    cairnRepoWriter *writer, const char *disk, const char *key, const char *value, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoWriterGetStats(cairnRepoWriter *writer,
                        const char *disk,
                        cairnRepoManifestDisk *ret_stats,
                        GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoWriterCommit(cairnRepoWriter *writer,
                      const cairnRepoCommitInfo *info,
                      char **ret_id,
                      GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

void
cairnRepoVerifyReportFree(cairnRepoVerifyReport *report)
{
}

bool
cairnRepoVerify(cairnRepo *repo,
                const char *const *ids,
                cairnRepoProgressFunc progress,
                gpointer opaque,
                cairnRepoVerifyReport **ret_report,
                GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

void
cairnRepoPruneItemFree(cairnRepoPruneItem *item)
{
}

bool
cairnRepoPrune(cairnRepo *repo,
               const char *domain,
               const cairnRepoPrunePolicy *policy,
               bool dry_run,
               GPtrArray **ret_items,
               GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

bool
cairnRepoGc(cairnRepo *repo, bool dry_run, cairnRepoGcStats *ret_stats, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return false;
}

cairnRepoIndex *
cairnRepoLoadIndex(cairnRepo *repo, const char *id, const char *disk, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return NULL;
}

const cairnRepoManifestDisk *
cairnRepoManifestFindDisk(const cairnRepoManifest *manifest, const char *name)
{
    return NULL;
}

cairnRepo *
cairnRepoOpen(const char *path, const char *keyfile, cairnRepoLockMode lock, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return NULL;
}

cairnRepoWriter *
cairnRepoWriterNew(cairnRepo *repo, const char *domain, const char *domain_xml, GError **error)
{
    g_set_error(error, CAIRN_REPO_ERROR, CAIRN_REPO_ERROR_NOT_IMPLEMENTED, "%s: not implemented",
                G_STRFUNC);
    return NULL;
}
