/*
 * domain_event.h: the domain events a driver emits, as values.
 *
 * A driver builds an event with one of the ...New() functions and hands it
 * to its connection with cairnConnectEmitEvent() (object_event.h), which
 * queues it for the callbacks registered on that connection; they run from
 * the main loop. The daemon forwards events as D-Bus signals carrying
 * cairnDomainEventToVariant(); the remote driver rebuilds them with
 * cairnDomainEventFromVariant() and emits them into its own connection.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-event.h"
#include "datatypes.h"

typedef struct _cairnDomainEvent cairnDomainEvent;
struct _cairnDomainEvent {
    int event_id; /* cairnDomainEventID */
    /* The domain, by value: dispatch makes a handle from it. */
    char *dom_name;
    unsigned char dom_uuid[CAIRN_UUID_BUFLEN];
    int dom_id;
    /* LIFECYCLE */
    int lifecycle_event;  /* cairnDomainEventType */
    int lifecycle_detail; /* its detail enum */
    /* BLOCK_JOB (disk = source path), BLOCK_JOB_2 (disk = target) */
    char *disk;
    int block_job_type;   /* cairnDomainBlockJobType */
    int block_job_status; /* cairnConnectDomainEventBlockStatus */
    /* JOB_COMPLETED */
    cairnTypedParameter *params;
    int nparams;
};

cairnDomainEvent *cairnDomainEventLifecycleNew(
    const char *dom_name, const unsigned char *dom_uuid, int dom_id, int event, int detail);

/* @event_id is CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB (with the disk's source
 * path as @disk) or CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2 (with its target);
 * libvirt emits both for every block job end. */
cairnDomainEvent *cairnDomainEventBlockJobNew(const char *dom_name,
                                              const unsigned char *dom_uuid,
                                              int dom_id,
                                              int event_id,
                                              const char *disk,
                                              int type,
                                              int status);

/* Takes ownership of @params. */
cairnDomainEvent *cairnDomainEventJobCompletedNew(const char *dom_name,
                                                  const unsigned char *dom_uuid,
                                                  int dom_id,
                                                  cairnTypedParameter *params,
                                                  int nparams);

void cairnDomainEventFree(cairnDomainEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainEvent, cairnDomainEventFree)
cairnDomainEvent *cairnDomainEventCopy(const cairnDomainEvent *event);

/* Call @cb, registered for event->event_id, with @conn and @dom as that
 * event ID's callback type requires. */
void cairnDomainEventDispatch(const cairnDomainEvent *event,
                              cairnConnect *conn,
                              cairnDomain *dom,
                              cairnConnectDomainEventGenericCallback cb,
                              void *opaque);

/* "(isayiiisiia(sv))": event id, domain name, uuid bytes, domain id,
 * lifecycle event, detail, disk ("" for none), block job type, status,
 * params. Floating reference. */
GVariant *cairnDomainEventToVariant(const cairnDomainEvent *event);
cairnDomainEvent *cairnDomainEventFromVariant(GVariant *value, GError **error);
