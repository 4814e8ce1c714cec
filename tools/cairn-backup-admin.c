/*
 * cairn-backup-admin.c: the repository commands of cairn-backup that
 * need no domain: init, list, verify, prune, gc. Each is a front-end of
 * the repository library (repo.h): it opens the repository, calls it, and
 * prints a table or, with --json, one JSON document on stdout.
 */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "repo.h"
#include "cairn-backup.h"
#include "cairn-backup-progress.h"


static char *
cbJsonToString(JsonBuilder *builder)
{
    g_autoptr(JsonNode) root = json_builder_get_root(builder);
    g_autoptr(JsonGenerator) gen = json_generator_new();

    json_generator_set_root(gen, root);
    return json_generator_to_data(gen, NULL);
}


static char *
cbFormatTime(gint64 secs)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(secs);

    return dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S") : g_strdup("?");
}


/* SIZE of --chunk-size: bytes, or a number with a binary suffix K or M
 * (also KiB, MiB); 0 (the default) when @text is NULL. */
static bool
cbParseChunkSize(const char *text, guint32 *ret_size, GError **error)
{
    guint64 n = 0;
    char *end = NULL;

    *ret_size = 0;
    if (!text)
        return true;
    if (g_ascii_isdigit(*text)) {
        n = g_ascii_strtoull(text, &end, 10);
        if (n > G_MAXUINT32)
            n = 0;
        else if (g_ascii_strcasecmp(end, "K") == 0 || g_ascii_strcasecmp(end, "KiB") == 0)
            n <<= 10;
        else if (g_ascii_strcasecmp(end, "M") == 0 || g_ascii_strcasecmp(end, "MiB") == 0)
            n <<= 20;
        else if (*end)
            n = 0;
    }
    if (!cairnRepoChunkSizeValid(n)) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE,
                    "--chunk-size '%s': a power of two from 64K to 16M is needed", text);
        return false;
    }
    *ret_size = (guint32)n;
    return true;
}


bool
cbCmdInit(const cbOptions *opts, GError **error)
{
    const char *path = opts->args[0];
    guint32 chunk_size = 0;

    if (!cbParseChunkSize(opts->chunk_size, &chunk_size, error) ||
        !cairnRepoInitChunked(path, opts->encrypt, chunk_size, error))
        return false;
    if (opts->json) {
        g_autoptr(cairnRepo) repo =
            cairnRepoOpen(path, opts->encrypt, CAIRN_REPO_LOCK_SHARED, error);
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *json = NULL;

        if (!repo)
            return false;
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "repository");
        json_builder_add_string_value(b, path);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, cairnRepoGetId(repo));
        json_builder_set_member_name(b, "encrypted");
        json_builder_add_boolean_value(b, cairnRepoIsEncrypted(repo));
        json_builder_set_member_name(b, "chunk_size");
        json_builder_add_int_value(b, cairnRepoGetChunkSize(repo));
        json_builder_end_object(b);
        json = cbJsonToString(b);
        cbPrintJSON(json);
        return true;
    }
    printf("Repository %s created%s\n", path, opts->encrypt ? " (encrypted)" : "");
    return true;
}


static void
cbListJsonSnapshot(JsonBuilder *b, const cairnRepoManifest *m)
{
    guint i;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_string_value(b, m->id);
    json_builder_set_member_name(b, "domain");
    json_builder_add_string_value(b, m->domain);
    json_builder_set_member_name(b, "checkpoint");
    json_builder_add_string_value(b, m->checkpoint);
    json_builder_set_member_name(b, "start_time");
    json_builder_add_int_value(b, m->start_time);
    json_builder_set_member_name(b, "end_time");
    json_builder_add_int_value(b, m->end_time);
    json_builder_set_member_name(b, "bytes_new");
    json_builder_add_int_value(b, m->bytes_new);
    json_builder_set_member_name(b, "bytes_stored");
    json_builder_add_int_value(b, m->bytes_stored);
    json_builder_set_member_name(b, "disks");
    json_builder_begin_array(b);
    for (i = 0; i < m->disks->len; i++) {
        const cairnRepoManifestDisk *d = g_ptr_array_index(m->disks, i);
        const char *read = g_hash_table_lookup(d->info, "read");

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, d->name);
        json_builder_set_member_name(b, "size");
        json_builder_add_int_value(b, d->size);
        json_builder_set_member_name(b, "mode");
        json_builder_add_string_value(b, d->mode);
        json_builder_set_member_name(b, "read");
        json_builder_add_string_value(b, read ? read : "");
        json_builder_set_member_name(b, "bytes_read");
        json_builder_add_int_value(b, d->bytes_put);
        json_builder_set_member_name(b, "bytes_new");
        json_builder_add_int_value(b, d->bytes_new);
        json_builder_set_member_name(b, "bytes_stored");
        json_builder_add_int_value(b, d->bytes_stored);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}


bool
cbCmdList(const cbOptions *opts, GError **error)
{
    const char *domain = opts->nargs > 1 ? opts->args[1] : NULL;
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(GPtrArray) snaps = NULL;
    guint i;

    if (!(repo = cairnRepoOpen(opts->args[0], opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !(snaps = cairnRepoListSnapshots(repo, domain, error)))
        return false;
    if (opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *json = NULL;

        json_builder_begin_array(b);
        for (i = 0; i < snaps->len; i++)
            cbListJsonSnapshot(b, g_ptr_array_index(snaps, i));
        json_builder_end_array(b);
        json = cbJsonToString(b);
        cbPrintJSON(json);
        return true;
    }
    printf("%-28s %-16s %-19s %-10s %10s %10s\n", "ID", "DOMAIN", "TIME (UTC)", "DISKS", "SIZE",
           "NEW");
    for (i = 0; i < snaps->len; i++) {
        const cairnRepoManifest *m = g_ptr_array_index(snaps, i);
        g_autoptr(GString) disks = g_string_new(NULL);
        guint64 size = 0;
        g_autofree char *time = cbFormatTime(m->start_time);
        g_autofree char *size_s = NULL;
        g_autofree char *new_s = cbFormatSize(m->bytes_stored);

        for (guint j = 0; j < m->disks->len; j++) {
            const cairnRepoManifestDisk *d = g_ptr_array_index(m->disks, j);

            g_string_append_printf(disks, "%s%s", j ? "," : "", d->name);
            size += d->size;
        }
        size_s = cbFormatSize(size);
        printf("%-28s %-16s %-19s %-10s %10s %10s\n", m->id, m->domain, time, disks->str, size_s,
               new_s);
    }
    return true;
}


bool
cbCmdVerify(const cbOptions *opts, cbExitCode *ret_exit, GError **error)
{
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(cairnRepoVerifyReport) report = NULL;
    const char *const *ids = opts->nargs > 1 ? (const char *const *)opts->args + 1 : NULL;
    guint i;

    if (!(repo = cairnRepoOpen(opts->args[0], opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !cairnRepoVerify(repo, ids, NULL, NULL, &report, error))
        return false;
    if (opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *json = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "snapshots");
        json_builder_add_int_value(b, report->snapshots);
        json_builder_set_member_name(b, "chunks");
        json_builder_add_int_value(b, report->chunks);
        json_builder_set_member_name(b, "bytes");
        json_builder_add_int_value(b, report->bytes);
        json_builder_set_member_name(b, "problems");
        json_builder_begin_array(b);
        for (i = 0; i < report->problems->len; i++) {
            const cairnRepoVerifyProblem *p = g_ptr_array_index(report->problems, i);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "object");
            json_builder_add_string_value(b, p->object);
            json_builder_set_member_name(b, "problem");
            json_builder_add_string_value(b, p->problem);
            json_builder_set_member_name(b, "used_by");
            json_builder_begin_array(b);
            for (guint j = 0; j < p->users->len; j++)
                json_builder_add_string_value(b, g_ptr_array_index(p->users, j));
            json_builder_end_array(b);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
        json = cbJsonToString(b);
        cbPrintJSON(json);
    } else {
        for (i = 0; i < report->problems->len; i++) {
            const cairnRepoVerifyProblem *p = g_ptr_array_index(report->problems, i);
            g_autofree char *users = NULL;

            g_ptr_array_add(p->users, NULL);
            users = g_strjoinv(", ", (char **)p->users->pdata);
            g_ptr_array_remove_index(p->users, p->users->len - 1);
            /* The problem names the object already, or is one word. */
            if (strstr(p->problem, p->object))
                printf("%s%s%s\n", p->problem, *users ? "; used by " : "", users);
            else
                printf("%s: %s%s%s\n", p->object, p->problem, *users ? "; used by " : "", users);
        }
        printf("%s: %" G_GUINT64_FORMAT " snapshots, %" G_GUINT64_FORMAT " chunks checked, %u "
               "problems\n",
               report->problems->len ? "DAMAGED" : "OK", report->snapshots, report->chunks,
               report->problems->len);
    }
    if (report->problems->len)
        *ret_exit = CB_EXIT_DAMAGED;
    return true;
}


bool
cbCmdPrune(const cbOptions *opts, GError **error)
{
    const char *domain = opts->nargs > 1 ? opts->args[1] : NULL;
    cairnRepoPrunePolicy policy = {
        .keep_last = MAX(opts->keep_last, 0),
        .keep_hourly = MAX(opts->keep_hourly, 0),
        .keep_daily = MAX(opts->keep_daily, 0),
        .keep_weekly = MAX(opts->keep_weekly, 0),
        .keep_monthly = MAX(opts->keep_monthly, 0),
        .keep_yearly = MAX(opts->keep_yearly, 0),
    };
    g_autoptr(cairnRepo) repo = NULL;
    g_autoptr(GPtrArray) items = NULL;
    guint i;

    if (!policy.keep_last && !policy.keep_hourly && !policy.keep_daily && !policy.keep_weekly &&
        !policy.keep_monthly && !policy.keep_yearly) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE,
                    "prune needs a policy: --keep-last N (or --keep-hourly/daily/weekly/"
                    "monthly/yearly N)");
        return false;
    }
    if (!(repo = cairnRepoOpen(opts->args[0], opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !cairnRepoPrune(repo, domain, &policy, opts->dry_run, &items, error))
        return false;
    if (opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *json = NULL;

        json_builder_begin_array(b);
        for (i = 0; i < items->len; i++) {
            const cairnRepoPruneItem *it = g_ptr_array_index(items, i);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "id");
            json_builder_add_string_value(b, it->id);
            json_builder_set_member_name(b, "domain");
            json_builder_add_string_value(b, it->domain);
            json_builder_set_member_name(b, "keep");
            json_builder_add_boolean_value(b, it->keep);
            json_builder_set_member_name(b, "reason");
            json_builder_add_string_value(b, it->reason);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json = cbJsonToString(b);
        cbPrintJSON(json);
        return true;
    }
    for (i = 0; i < items->len; i++) {
        const cairnRepoPruneItem *it = g_ptr_array_index(items, i);

        printf("%-28s %-16s %s\n", it->id, it->domain,
               it->keep ? it->reason : (opts->dry_run ? "would remove" : "removed"));
    }
    return true;
}


bool
cbCmdGc(const cbOptions *opts, GError **error)
{
    g_autoptr(cairnRepo) repo = NULL;
    cairnRepoGcStats stats = { 0 };
    g_autofree char *removed = NULL;
    g_autofree char *kept = NULL;

    if (!(repo = cairnRepoOpen(opts->args[0], opts->key, CAIRN_REPO_LOCK_EXCLUSIVE, error)))
        return false;
    if (opts->grace >= 0)
        cairnRepoSetGcGrace(repo, opts->grace);
    if (!cairnRepoGc(repo, opts->dry_run, &stats, error))
        return false;
    if (opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *json = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "chunks");
        json_builder_add_int_value(b, stats.chunks);
        json_builder_set_member_name(b, "chunks_removed");
        json_builder_add_int_value(b, stats.chunks_removed);
        json_builder_set_member_name(b, "bytes_removed");
        json_builder_add_int_value(b, stats.bytes_removed);
        json_builder_set_member_name(b, "bytes_kept");
        json_builder_add_int_value(b, stats.bytes_kept);
        json_builder_set_member_name(b, "temp_removed");
        json_builder_add_int_value(b, stats.temp_removed);
        json_builder_set_member_name(b, "incomplete_removed");
        json_builder_add_int_value(b, stats.incomplete_removed);
        json_builder_set_member_name(b, "dry_run");
        json_builder_add_boolean_value(b, opts->dry_run);
        json_builder_end_object(b);
        json = cbJsonToString(b);
        cbPrintJSON(json);
        return true;
    }
    removed = cbFormatSize(stats.bytes_removed);
    kept = cbFormatSize(stats.bytes_kept);
    printf("%s %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " chunks (%s), kept %s; "
           "%" G_GUINT64_FORMAT " temp files, %" G_GUINT64_FORMAT " incomplete snapshots\n",
           opts->dry_run ? "would remove" : "removed", stats.chunks_removed, stats.chunks, removed,
           kept, stats.temp_removed, stats.incomplete_removed);
    return true;
}


bool
cbCmdSync(const cbOptions *opts, GError **error)
{
    g_autoptr(cairnRepo) src = NULL;
    g_autoptr(cairnRepo) dst = NULL;
    cairnRepoSyncStats st = { 0 };
    g_autofree char *bytes = NULL;

    if (opts->last < 0) {
        g_set_error(error, CB_ERROR, CB_ERROR_USAGE, "--last must be positive");
        return false;
    }
    if (!(src = cairnRepoOpen(opts->args[0], opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !(dst = cairnRepoOpen(opts->args[1], opts->key, CAIRN_REPO_LOCK_SHARED, error)) ||
        !cairnRepoSync(src, dst, opts->domain, (guint)opts->last, &st, error))
        return false;
    if (opts->json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *json = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "snapshots_copied");
        json_builder_add_int_value(b, st.snapshots_copied);
        json_builder_set_member_name(b, "snapshots_present");
        json_builder_add_int_value(b, st.snapshots_present);
        json_builder_set_member_name(b, "chunks_copied");
        json_builder_add_int_value(b, st.chunks_copied);
        json_builder_set_member_name(b, "chunks_present");
        json_builder_add_int_value(b, st.chunks_present);
        json_builder_set_member_name(b, "bytes_copied");
        json_builder_add_int_value(b, st.bytes_copied);
        json_builder_end_object(b);
        json = cbJsonToString(b);
        cbPrintJSON(json);
        return true;
    }
    bytes = cbFormatSize(st.bytes_copied);
    printf("copied %" G_GUINT64_FORMAT " snapshots (%" G_GUINT64_FORMAT
           " already there), %" G_GUINT64_FORMAT " chunks, %s (%" G_GUINT64_FORMAT
           " chunks already there)\n",
           st.snapshots_copied, st.snapshots_present, st.chunks_copied, bytes, st.chunks_present);
    return true;
}
