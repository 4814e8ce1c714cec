/*
 * domain_event.c: domain events as values, their dispatch to the typed
 * callbacks, and their GVariant form.
 */
#include <string.h>

#include "domain_event.h"
#include "util/cairnerror.h"
#include "util/cairntypedparam.h"

#define EVENT_VARIANT_TYPE "(isayiiisiia(sv))"


static cairnDomainEvent *
domainEventNew(int event_id, const char *dom_name, const unsigned char *dom_uuid, int dom_id)
{
    cairnDomainEvent *event = g_new0(cairnDomainEvent, 1);

    event->event_id = event_id;
    event->dom_name = g_strdup(dom_name);
    memcpy(event->dom_uuid, dom_uuid, CAIRN_UUID_BUFLEN);
    event->dom_id = dom_id;
    return event;
}


cairnDomainEvent *
cairnDomainEventLifecycleNew(
    const char *dom_name, const unsigned char *dom_uuid, int dom_id, int event, int detail)
{
    cairnDomainEvent *ev =
        domainEventNew(CAIRN_DOMAIN_EVENT_ID_LIFECYCLE, dom_name, dom_uuid, dom_id);

    ev->lifecycle_event = event;
    ev->lifecycle_detail = detail;
    return ev;
}


cairnDomainEvent *
cairnDomainEventBlockJobNew(const char *dom_name,
                            const unsigned char *dom_uuid,
                            int dom_id,
                            int event_id,
                            const char *disk,
                            int type,
                            int status)
{
    cairnDomainEvent *ev = domainEventNew(event_id, dom_name, dom_uuid, dom_id);

    g_assert(event_id == CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB ||
             event_id == CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2);
    ev->disk = g_strdup(disk);
    ev->block_job_type = type;
    ev->block_job_status = status;
    return ev;
}


cairnDomainEvent *
cairnDomainEventJobCompletedNew(const char *dom_name,
                                const unsigned char *dom_uuid,
                                int dom_id,
                                cairnTypedParameter *params,
                                int nparams)
{
    cairnDomainEvent *ev =
        domainEventNew(CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED, dom_name, dom_uuid, dom_id);

    ev->params = params;
    ev->nparams = nparams;
    return ev;
}


void
cairnDomainEventFree(cairnDomainEvent *event)
{
    if (!event)
        return;
    g_free(event->dom_name);
    g_free(event->disk);
    cairnTypedParamArrayFree(event->params, event->nparams);
    g_free(event);
}


cairnDomainEvent *
cairnDomainEventCopy(const cairnDomainEvent *event)
{
    cairnDomainEvent *copy = g_memdup2(event, sizeof(*event));

    copy->dom_name = g_strdup(event->dom_name);
    copy->disk = g_strdup(event->disk);
    copy->params = cairnTypedParamsCopy(event->params, event->nparams);
    return copy;
}


void
cairnDomainEventDispatch(const cairnDomainEvent *event,
                         cairnConnect *conn,
                         cairnDomain *dom,
                         cairnConnectDomainEventGenericCallback cb,
                         void *opaque)
{
    switch (event->event_id) {
    case CAIRN_DOMAIN_EVENT_ID_LIFECYCLE:
        ((cairnConnectDomainEventCallback)(void (*)(void))cb)(conn, dom, event->lifecycle_event,
                                                              event->lifecycle_detail, opaque);
        return;
    case CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB:
    case CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        ((cairnConnectDomainEventBlockJobCallback)(void (*)(void))cb)(
            conn, dom, event->disk, event->block_job_type, event->block_job_status, opaque);
        return;
    case CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED: {
        /* The callback may look at but not keep or free the parameters:
         * hand it a copy so that one callback cannot spoil the next. */
        cairnTypedParameter *params = cairnTypedParamsCopy(event->params, event->nparams);

        ((cairnConnectDomainEventJobCompletedCallback)(void (*)(void))cb)(conn, dom, params,
                                                                          event->nparams, opaque);
        cairnTypedParamArrayFree(params, event->nparams);
        return;
    }
    default:
        cb(conn, dom, opaque);
        return;
    }
}


GVariant *
cairnDomainEventToVariant(const cairnDomainEvent *event)
{
    GVariant *uuid =
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, event->dom_uuid, CAIRN_UUID_BUFLEN, 1);

    return g_variant_new("(is@ayiiisii@a(sv))", (gint32)event->event_id, event->dom_name, uuid,
                         (gint32)event->dom_id, (gint32)event->lifecycle_event,
                         (gint32)event->lifecycle_detail, event->disk ? event->disk : "",
                         (gint32)event->block_job_type, (gint32)event->block_job_status,
                         cairnTypedParamsToVariant(event->params, event->nparams));
}


cairnDomainEvent *
cairnDomainEventFromVariant(GVariant *value, GError **error)
{
    g_autoptr(GVariant) uuid = NULL;
    g_autoptr(GVariant) params = NULL;
    g_autoptr(cairnDomainEvent) event = g_new0(cairnDomainEvent, 1);
    const guint8 *bytes;
    gsize nbytes = 0;
    gint32 id, dom_id, lc_event, lc_detail, type, status;
    const char *name;
    const char *disk;

    if (!g_variant_is_of_type(value, G_VARIANT_TYPE(EVENT_VARIANT_TYPE))) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR,
                      "a domain event must be '%s', not '%s'", EVENT_VARIANT_TYPE,
                      g_variant_get_type_string(value));
        return NULL;
    }
    g_variant_get(value, "(i&s@ayiii&sii@a(sv))", &id, &name, &uuid, &dom_id, &lc_event, &lc_detail,
                  &disk, &type, &status, &params);
    bytes = g_variant_get_fixed_array(uuid, &nbytes, 1);
    if (nbytes != CAIRN_UUID_BUFLEN || id < 0 || id >= CAIRN_DOMAIN_EVENT_ID_COUNT) {
        cairnErrorSet(error, CAIRN_FROM_NONE, CAIRN_ERR_INTERNAL_ERROR, "%s",
                      "malformed domain event");
        return NULL;
    }
    event->event_id = id;
    event->dom_name = g_strdup(name);
    memcpy(event->dom_uuid, bytes, CAIRN_UUID_BUFLEN);
    event->dom_id = dom_id;
    event->lifecycle_event = lc_event;
    event->lifecycle_detail = lc_detail;
    event->disk = *disk ? g_strdup(disk) : NULL;
    event->block_job_type = type;
    event->block_job_status = status;
    if (!cairnTypedParamsFromVariant(params, &event->params, &event->nparams, error))
        return NULL;
    return g_steal_pointer(&event);
}
