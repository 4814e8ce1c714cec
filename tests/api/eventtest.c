/*
 * eventtest.c: event registration, deregistration and dispatch on
 * test:///default: argument checks, delivery only from the main context
 * that was thread-default at registration, FIFO order across events and
 * registration order across callbacks, domain filters, deregistration from
 * inside a callback, free callbacks (at deregistration and at close), and
 * a simulated backup's block-job and job-completed events in libvirt's
 * order. The test driver's clock is injected: nothing sleeps.
 */
#include <string.h>

#include "cairn/cairn.h"
#include "conf/domain_event.h"
#include "conf/object_event.h"
#include "test/test_backup.h"
#include "testutils.h"
#include "util/cairntypedparam.h"

typedef struct {
    cairnConnectPtr conn;
    cairnDomainPtr dom;
    GString *log;  /* what callbacks saw, one entry per call */
    gint64 now;    /* the simulated clock */
    int frees;     /* free callbacks run */
    int victim_id; /* deregistered by a callback, when > 0 */
} Fixture;

typedef struct {
    Fixture *f;
    const char *tag;
} Tag;


static gint64
fixtureClock(void *opaque)
{
    return ((Fixture *)opaque)->now;
}


static void
fixtureSetUp(Fixture *f, gconstpointer data)
{
    f->conn = cairnConnectOpen("test:///default");
    f->dom = cairnDomainLookupByName(f->conn, "test");
    g_assert_nonnull(f->dom);
    f->log = g_string_new(NULL);
    testBackupSetClock(f->conn, fixtureClock, f);
}


static void
fixtureTearDown(Fixture *f, gconstpointer data)
{
    cairnDomainFree(f->dom);
    if (f->conn)
        g_assert_cmpint(cairnConnectClose(f->conn), ==, 0);
    g_string_free(f->log, TRUE);
}


/* Run the default main context until nothing is pending. */
static void
drain(void)
{
    while (g_main_context_iteration(NULL, FALSE))
        ;
}


static int
lifecycleCb(cairnConnectPtr conn, cairnDomainPtr dom, int event, int detail, void *opaque)
{
    Tag *t = opaque;

    g_string_append_printf(t->f->log, "%s:%s:%d/%d ", t->tag, cairnDomainGetName(dom), event,
                           detail);
    if (t->f->victim_id > 0) {
        g_assert_cmpint(cairnConnectDomainEventDeregisterAny(conn, t->f->victim_id), ==, 0);
        t->f->victim_id = 0;
    }
    return 0;
}


static void
countFree(void *opaque)
{
    Tag *t = opaque;

    t->f->frees++;
}


static void
emitLifecycle(Fixture *f, const char *name, const unsigned char *uuid, int event)
{
    cairnConnectEmitEvent(f->conn, cairnDomainEventLifecycleNew(name, uuid, 1, event, 0));
}


static void
testArgChecks(Fixture *f, gconstpointer data)
{
    cairnConnectPtr other = cairnConnectOpen("test:///default");
    cairnDomainPtr otherdom = cairnDomainLookupByName(other, "test");
    cairnConnectDomainEventGenericCallback cb = CAIRN_DOMAIN_EVENT_CALLBACK(lifecycleCb);
    Tag tag = { f, "a" };
    int id;

    g_assert_cmpint(cairnConnectDomainEventRegisterAny(NULL, NULL, 0, cb, NULL, NULL), ==, -1);
    g_assert_cmpint(cairnGetLastErrorCode(), ==, CAIRN_ERR_INVALID_CONN);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, NULL, 0, NULL, NULL, NULL), ==, -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "cb in cairnConnectDomainEventRegisterAny must not be NULL");
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, NULL, -1, cb, NULL, NULL), ==, -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "eventID in cairnConnectDomainEventRegisterAny must be non-negative");
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, NULL, CAIRN_DOMAIN_EVENT_ID_COUNT,
                                                       cb, NULL, NULL),
                    ==, -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "invalid argument: eventID in cairnConnectDomainEventRegisterAny must be "
                    "less than 28");
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, otherdom, 0, cb, NULL, NULL), ==,
                    -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "invalid argument: domain 'test' in cairnConnectDomainEventRegisterAny must "
                    "match connection");
    id = cairnConnectDomainEventRegisterAny(f->conn, NULL, 0, cb, &tag, NULL);
    g_assert_cmpint(id, >=, 1);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, NULL, 0, cb, &tag, NULL), ==, -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "invalid argument: event callback already tracked");
    /* The same callback for another domain filter or event is fine. */
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, f->dom, 0, cb, &tag, NULL), >, id);
    g_assert_cmpint(cairnConnectDomainEventDeregisterAny(f->conn, -1), ==, -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "callbackID in cairnConnectDomainEventDeregisterAny must be non-negative");
    g_assert_cmpint(cairnConnectDomainEventDeregisterAny(f->conn, 999), ==, -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "invalid argument: could not find event callback 999 for deletion");
    g_assert_cmpint(cairnConnectDomainEventDeregisterAny(NULL, id), ==, -1);
    g_assert_cmpint(cairnConnectDomainEventDeregisterAny(f->conn, id), ==, 0);
    g_assert_cmpint(cairnConnectDomainEventDeregisterAny(f->conn, id), ==, -1);
    cairnDomainFree(otherdom);
    cairnConnectClose(other);
}


static void
testOrderAndFilter(Fixture *f, gconstpointer data)
{
    static const unsigned char other_uuid[CAIRN_UUID_BUFLEN] = { 1 };
    unsigned char uuid[CAIRN_UUID_BUFLEN];
    Tag a = { f, "A" }, b = { f, "B" }, c = { f, "C" };
    cairnConnectDomainEventGenericCallback cb = CAIRN_DOMAIN_EVENT_CALLBACK(lifecycleCb);

    g_assert_cmpint(cairnDomainGetUUID(f->dom, uuid), ==, 0);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, NULL, 0, cb, &a, NULL), >, 0);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, f->dom, 0, cb, &b, NULL), >, 0);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, f->dom, 8, cb, &c, NULL), >, 0);
    emitLifecycle(f, "test", uuid, CAIRN_DOMAIN_EVENT_STARTED);
    emitLifecycle(f, "other", other_uuid, CAIRN_DOMAIN_EVENT_DEFINED);
    emitLifecycle(f, "test", uuid, CAIRN_DOMAIN_EVENT_STOPPED);
    /* Nothing runs until the main loop does. */
    g_assert_cmpstr(f->log->str, ==, "");
    drain();
    g_assert_cmpstr(f->log->str, ==, "A:test:2/0 B:test:2/0 A:other:0/0 A:test:5/0 B:test:5/0 ");
}


static void
testOtherContext(Fixture *f, gconstpointer data)
{
    unsigned char uuid[CAIRN_UUID_BUFLEN];
    GMainContext *ctx = g_main_context_new();
    Tag a = { f, "A" };

    g_assert_cmpint(cairnDomainGetUUID(f->dom, uuid), ==, 0);
    g_main_context_push_thread_default(ctx);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(
                        f->conn, NULL, 0, CAIRN_DOMAIN_EVENT_CALLBACK(lifecycleCb), &a, NULL),
                    >, 0);
    g_main_context_pop_thread_default(ctx);
    emitLifecycle(f, "test", uuid, CAIRN_DOMAIN_EVENT_STARTED);
    drain();
    g_assert_cmpstr(f->log->str, ==, "");
    while (g_main_context_iteration(ctx, FALSE))
        ;
    g_assert_cmpstr(f->log->str, ==, "A:test:2/0 ");
    g_main_context_unref(ctx);
}


static void
testDeregisterInCallback(Fixture *f, gconstpointer data)
{
    unsigned char uuid[CAIRN_UUID_BUFLEN];
    Tag a = { f, "A" }, b = { f, "B" };
    cairnConnectDomainEventGenericCallback cb = CAIRN_DOMAIN_EVENT_CALLBACK(lifecycleCb);

    g_assert_cmpint(cairnDomainGetUUID(f->dom, uuid), ==, 0);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(f->conn, NULL, 0, cb, &a, countFree), >, 0);
    f->victim_id = cairnConnectDomainEventRegisterAny(f->conn, f->dom, 0, cb, &b, countFree);
    g_assert_cmpint(f->victim_id, >, 0);
    emitLifecycle(f, "test", uuid, CAIRN_DOMAIN_EVENT_STARTED);
    emitLifecycle(f, "test", uuid, CAIRN_DOMAIN_EVENT_STOPPED);
    drain();
    /* A removed B before B's turn: B never ran; its free callback ran
     * once, after the dispatch. */
    g_assert_cmpstr(f->log->str, ==, "A:test:2/0 A:test:5/0 ");
    g_assert_cmpint(f->frees, ==, 1);
    /* Closing the connection frees the rest. */
    cairnDomainFree(g_steal_pointer(&f->dom));
    g_assert_cmpint(cairnConnectClose(g_steal_pointer(&f->conn)), ==, 0);
    g_assert_cmpint(f->frees, ==, 2);
}


static void
testDroppedWithoutCallbacks(Fixture *f, gconstpointer data)
{
    unsigned char uuid[CAIRN_UUID_BUFLEN];
    Tag a = { f, "A" };

    g_assert_cmpint(cairnDomainGetUUID(f->dom, uuid), ==, 0);
    emitLifecycle(f, "test", uuid, CAIRN_DOMAIN_EVENT_STARTED);
    g_assert_cmpint(cairnConnectDomainEventRegisterAny(
                        f->conn, NULL, 0, CAIRN_DOMAIN_EVENT_CALLBACK(lifecycleCb), &a, NULL),
                    >, 0);
    drain();
    g_assert_cmpstr(f->log->str, ==, "");
}


static void
blockJobCb(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque)
{
    Tag *t = opaque;

    g_string_append_printf(t->f->log, "%s:%s:%d:%d ", t->tag, disk, type, status);
}


static void
jobCompletedCb(cairnConnectPtr conn,
               cairnDomainPtr dom,
               cairnTypedParameterPtr params,
               int nparams,
               void *opaque)
{
    Tag *t = opaque;
    int success = -1;
    unsigned long long processed = 0;

    g_assert_cmpint(cairnTypedParamsGetBoolean(params, nparams, "success", &success), ==, 1);
    cairnTypedParamsGetULLong(params, nparams, "disk_processed", &processed);
    g_string_append_printf(t->f->log, "%s:%s:n=%d:success=%d:processed=%llu ", t->tag,
                           cairnDomainGetName(dom), nparams, success, processed);
}


static void
registerBackupEvents(Fixture *f, Tag *bj, Tag *bj2, Tag *jc)
{
    g_assert_cmpint(
        cairnConnectDomainEventRegisterAny(f->conn, NULL, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(jobCompletedCb), jc, NULL),
        >, 0);
    g_assert_cmpint(
        cairnConnectDomainEventRegisterAny(f->conn, f->dom, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(blockJobCb), bj2, NULL),
        >, 0);
    g_assert_cmpint(
        cairnConnectDomainEventRegisterAny(f->conn, NULL, CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB,
                                           CAIRN_DOMAIN_EVENT_CALLBACK(blockJobCb), bj, NULL),
        >, 0);
}


static void
testBackupEvents(Fixture *f, gconstpointer data)
{
    Tag bj = { f, "block-job" }, bj2 = { f, "block-job-2" }, jc = { f, "job-completed" };

    registerBackupEvents(f, &bj, &bj2, &jc);
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, 0);
    f->now += 999;
    testBackupTick(f->conn);
    drain();
    g_assert_cmpstr(f->log->str, ==, "");
    f->now += 1;
    testBackupTick(f->conn);
    drain();
    g_assert_cmpstr(f->log->str, ==,
                    "block-job:/guest/diskimage1:5:0 block-job-2:vda:5:0 "
                    "job-completed:test:n=6:success=1:processed=1073741824 ");
    g_string_truncate(f->log, 0);

    /* An aborted push: canceled disks, an unsuccessful job. */
    g_assert_cmpint(cairnDomainBackupBegin(f->dom, "<domainbackup/>", NULL, 0), ==, 0);
    f->now += 500;
    g_assert_cmpint(cairnDomainAbortJob(f->dom), ==, 0);
    drain();
    g_assert_cmpstr(f->log->str, ==,
                    "block-job:/guest/diskimage1:5:2 block-job-2:vda:5:2 "
                    "job-completed:test:n=6:success=0:processed=536870912 ");
}


static void
testVariantRoundTrip(Fixture *f, gconstpointer data)
{
    static const unsigned char uuid[CAIRN_UUID_BUFLEN] = { 1, 2, 3 };
    g_autoptr(cairnTypedParamList) list = cairnTypedParamListNew();
    g_autoptr(cairnDomainEvent) ev = NULL;
    g_autoptr(cairnDomainEvent) back = NULL;
    g_autoptr(GVariant) v = NULL;
    g_autoptr(GError) err = NULL;
    cairnTypedParameter *params = NULL;
    int nparams = 0;
    const char *msg = NULL;

    cairnTypedParamListAddInt(list, "operation", 9);
    cairnTypedParamListAddBoolean(list, "success", false);
    cairnTypedParamListAddString(list, "errmsg", "boom");
    cairnTypedParamListSteal(list, &params, &nparams);
    ev = cairnDomainEventJobCompletedNew("g", uuid, 3, params, nparams);
    v = g_variant_ref_sink(cairnDomainEventToVariant(ev));
    back = cairnDomainEventFromVariant(v, &err);
    g_assert_no_error(err);
    g_assert_cmpint(back->event_id, ==, CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED);
    g_assert_cmpstr(back->dom_name, ==, "g");
    g_assert_cmpmem(back->dom_uuid, CAIRN_UUID_BUFLEN, uuid, CAIRN_UUID_BUFLEN);
    g_assert_cmpint(back->dom_id, ==, 3);
    g_assert_null(back->disk);
    g_assert_cmpint(back->nparams, ==, 3);
    g_assert_cmpint(cairnTypedParamsGetString(back->params, back->nparams, "errmsg", &msg), ==, 1);
    g_assert_cmpstr(msg, ==, "boom");
    g_assert_cmpint(cairnTypedParamsGetInt(back->params, back->nparams, "errmsg", NULL), ==, -1);
    g_assert_cmpint(cairnTypedParamsGetBoolean(back->params, back->nparams, "errmsg", &nparams), ==,
                    -1);
    g_assert_cmpstr(cairnGetLastErrorMessage(), ==,
                    "invalid argument: invalid type 'boolean' requested for parameter 'errmsg', "
                    "actual type is 'string'");
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixtureSetUp, fn, fixtureTearDown)
    ADD("/event/arg-checks", testArgChecks);
    ADD("/event/order-and-filter", testOrderAndFilter);
    ADD("/event/other-context", testOtherContext);
    ADD("/event/deregister-in-callback", testDeregisterInCallback);
    ADD("/event/dropped-without-callbacks", testDroppedWithoutCallbacks);
    ADD("/event/backup-events", testBackupEvents);
    ADD("/event/variant-round-trip", testVariantRoundTrip);
#undef ADD
    return g_test_run();
}
