/*
 * repo-prune.c: retention (Proxmox Backup Server's prune semantics).
 *
 * Snapshots are taken newest first. keep-last keeps the newest N. Then
 * each period rule in turn (hourly, daily, weekly, monthly, yearly) walks
 * the snapshots not yet marked: periods already holding a snapshot kept by
 * an earlier rule are skipped; the newest snapshot of each other period is
 * kept until N periods are; the older snapshots of a period this rule
 * kept are marked for removal. Whatever no rule keeps is removed. With no
 * rule at all, everything is kept.
 */
#include <string.h>

#include "repo-private.h"

/* A sentinel compared by address (a literal may not be: clang
 * -Wstring-compare). */
static const char REMOVE[] = "remove";

typedef struct {
    const char *reason;
    const char *format; /* g_date_time_format() of the period; NULL: each snapshot */
} pruneRule;

static const pruneRule rules[] = {
    { "keep-last", NULL },      { "keep-hourly", "%Y/%m/%d/%H" }, { "keep-daily", "%Y/%m/%d" },
    { "keep-weekly", "%G/%V" }, { "keep-monthly", "%Y/%m" },      { "keep-yearly", "%Y" },
};


static char *
periodOf(const pruneRule *rule, gint64 t, size_t i)
{
    g_autoptr(GDateTime) dt = NULL;

    if (!rule->format)
        return g_strdup_printf("#%zu", i);
    dt = g_date_time_new_from_unix_local(t);
    return dt ? g_date_time_format(dt, rule->format) : g_strdup("?");
}


static void
markRule(const pruneRule *rule, guint keep, const gint64 *times, size_t n, const char **marks)
{
    g_autoptr(GHashTable) already = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) included = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (size_t i = 0; i < n; i++) {
        if (marks[i] && marks[i] != REMOVE)
            g_hash_table_add(already, periodOf(rule, times[i], i));
    }
    for (size_t i = 0; i < n; i++) {
        g_autofree char *period = NULL;

        if (marks[i])
            continue;
        period = periodOf(rule, times[i], i);
        if (g_hash_table_contains(already, period))
            continue;
        if (!g_hash_table_contains(included, period)) {
            if (g_hash_table_size(included) >= keep)
                break;
            g_hash_table_add(included, g_steal_pointer(&period));
            marks[i] = rule->reason;
        } else {
            marks[i] = REMOVE;
        }
    }
}


void
cairnRepoPruneSelect(const cairnRepoPrunePolicy *policy,
                     const gint64 *times,
                     size_t n,
                     const char **ret_reasons)
{
    const guint keeps[] = { policy->keep_last,   policy->keep_hourly,  policy->keep_daily,
                            policy->keep_weekly, policy->keep_monthly, policy->keep_yearly };
    bool any = false;

    G_STATIC_ASSERT(G_N_ELEMENTS(keeps) == G_N_ELEMENTS(rules));
    for (size_t i = 0; i < n; i++)
        ret_reasons[i] = NULL;
    for (size_t r = 0; r < G_N_ELEMENTS(rules); r++) {
        if (keeps[r] == 0)
            continue;
        any = true;
        markRule(&rules[r], keeps[r], times, n, ret_reasons);
    }
    for (size_t i = 0; i < n; i++) {
        if (!any) {
            ret_reasons[i] = "keep-all";
        } else if (ret_reasons[i] == REMOVE) {
            ret_reasons[i] = NULL;
        }
    }
}


void
cairnRepoPruneItemFree(cairnRepoPruneItem *item)
{
    if (!item)
        return;
    g_free(item->id);
    g_free(item->domain);
    g_free(item->reason);
    g_free(item);
}


typedef struct {
    GPtrArray *keys;
    const char *prefix;
} keyCollect;


static bool
collectKey(const char *key, guint64 size, gint64 mtime, gpointer opaque, GError **error)
{
    keyCollect *kc = opaque;

    if (g_str_has_prefix(key, kc->prefix))
        g_ptr_array_add(kc->keys, g_strdup(key));
    return true;
}


/* Remove snapshot @id: manifest first (the snapshot disappears), then
 * the rest of its directory. */
bool
cairnRepoRemoveSnapshot(cairnRepo *repo, const char *id, GError **error)
{
    cairnRepoStore *store = repo->store;
    g_autofree char *mkey = cairnRepoManifestKey(id);
    g_autofree char *prefix = g_strdup_printf("snapshots/%s/", id);
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    keyCollect kc = { keys, prefix };
    int err;

    if (!store->driver->remove(store, mkey, error))
        return false;
    if ((err = cairnRepoHook("prune-remove")) != 0) {
        cairnRepoSetErrno(error, err, "cannot remove snapshot %s", id);
        return false;
    }
    if (!store->driver->list(store, prefix, collectKey, &kc, error))
        return false;
    for (guint i = 0; i < keys->len; i++) {
        if (!store->driver->remove(store, keys->pdata[i], error))
            return false;
    }
    return true;
}


static bool
pruneDomain(cairnRepo *repo,
            GPtrArray *snaps,
            const cairnRepoPrunePolicy *policy,
            bool dry_run,
            GPtrArray *items,
            GError **error)
{
    g_autofree gint64 *times = g_new0(gint64, MAX(snaps->len, 1));
    g_autofree const char **reasons = g_new0(const char *, MAX(snaps->len, 1));

    /* newest first */
    for (guint i = 0; i < snaps->len; i++)
        times[i] = ((cairnRepoManifest *)snaps->pdata[snaps->len - 1 - i])->start_time;
    cairnRepoPruneSelect(policy, times, snaps->len, reasons);
    for (guint i = 0; i < snaps->len; i++) {
        cairnRepoManifest *m = snaps->pdata[snaps->len - 1 - i];
        cairnRepoPruneItem *item = g_new0(cairnRepoPruneItem, 1);

        item->id = g_strdup(m->id);
        item->domain = g_strdup(m->domain);
        item->time = m->start_time;
        item->keep = reasons[i] != NULL;
        item->reason = g_strdup(reasons[i] ? reasons[i] : "remove");
        g_ptr_array_add(items, item);
        if (!item->keep && !dry_run && !cairnRepoRemoveSnapshot(repo, m->id, error))
            return false;
    }
    return true;
}


bool
cairnRepoPrune(cairnRepo *repo,
               const char *domain,
               const cairnRepoPrunePolicy *policy,
               bool dry_run,
               GPtrArray **ret_items,
               GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) items =
        g_ptr_array_new_with_free_func((GDestroyNotify)cairnRepoPruneItemFree);
    g_autoptr(GHashTable) byDomain =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GList) domains = NULL;

    if (!(all = cairnRepoListSnapshots(repo, domain, error)))
        return false;
    /* oldest first within each domain, as listed */
    for (guint i = 0; i < all->len; i++) {
        cairnRepoManifest *m = all->pdata[i];
        GPtrArray *list = g_hash_table_lookup(byDomain, m->domain);

        if (!list) {
            list = g_ptr_array_new();
            g_hash_table_insert(byDomain, m->domain, list);
        }
        g_ptr_array_add(list, m);
    }
    domains = g_list_sort(g_hash_table_get_keys(byDomain), (GCompareFunc)strcmp);
    for (GList *l = domains; l; l = l->next) {
        if (!pruneDomain(repo, g_hash_table_lookup(byDomain, l->data), policy, dry_run, items,
                         error))
            return false;
    }
    if (ret_items)
        *ret_items = g_steal_pointer(&items);
    return true;
}
