/*
 * cairn-event.h: domain events, the twins of libvirt's
 * virConnectDomainEventRegisterAny/DeregisterAny, the callback types Cairn
 * emits, and virEventRegisterDefaultImpl/virEventRunDefaultImpl.
 *
 * Callbacks run from a GLib main loop: the GMainContext that was the
 * thread-default context (g_main_context_ref_thread_default()) when the
 * connection's first callback was registered. A client without a main
 * loop of its own calls cairnEventRegisterDefaultImpl() once and then
 * cairnEventRunDefaultImpl() in a loop, as with libvirt.
 *
 * Users include <cairn/cairn.h>, never this file directly.
 */
#ifndef CAIRN_EVENT_H
#define CAIRN_EVENT_H

#include <cairn/cairn-common.h>
#include <cairn/cairn-typedparams.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * cairnFreeCallback:
 * @opaque: the opaque pointer given at registration
 *
 * Called when a callback is deregistered (or its connection closes), to
 * release @opaque.
 *
 * Since: 0.1.0
 */
typedef void (*cairnFreeCallback)(void *opaque);

/**
 * cairnDomainEventID:
 *
 * Event identifiers, with libvirt's values. Cairn emits LIFECYCLE,
 * BLOCK_JOB, BLOCK_JOB_2 and JOB_COMPLETED; the others may be registered
 * and never fire.
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_ID_LIFECYCLE = 0,                  /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_REBOOT = 1,                     /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_RTC_CHANGE = 2,                 /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_WATCHDOG = 3,                   /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_IO_ERROR = 4,                   /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_GRAPHICS = 5,                   /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_IO_ERROR_REASON = 6,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_CONTROL_ERROR = 7,              /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB = 8,                  /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_DISK_CHANGE = 9,                /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_TRAY_CHANGE = 10,               /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_PMWAKEUP = 11,                  /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_PMSUSPEND = 12,                 /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_BALLOON_CHANGE = 13,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_PMSUSPEND_DISK = 14,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_DEVICE_REMOVED = 15,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,               /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_TUNABLE = 17,                   /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,           /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_DEVICE_ADDED = 19,              /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_MIGRATION_ITERATION = 20,       /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED = 21,             /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED = 22,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_METADATA_CHANGE = 23,           /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_BLOCK_THRESHOLD = 24,           /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_MEMORY_FAILURE = 25,            /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE = 26, /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_ID_NIC_MAC_CHANGE = 27             /* Since: 0.1.0 */
} cairnDomainEventID;

/**
 * CAIRN_DOMAIN_EVENT_ID_COUNT:
 *
 * Number of event IDs this version knows (one more than the highest).
 * Registering an ID at or above it fails. Since: 0.1.0
 */
#define CAIRN_DOMAIN_EVENT_ID_COUNT 28

/**
 * cairnDomainEventType:
 *
 * The "event" argument of a lifecycle callback.
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_DEFINED = 0,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_UNDEFINED = 1,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_STARTED = 2,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_SUSPENDED = 3,   /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_RESUMED = 4,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_STOPPED = 5,     /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_SHUTDOWN = 6,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_PMSUSPENDED = 7, /* Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_CRASHED = 8      /* Since: 0.1.0 */
} cairnDomainEventType;

/**
 * cairnDomainEventDefinedDetailType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_DEFINED_ADDED = 0,  /* newly created config file. Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_DEFINED_UPDATED = 1 /* changed config file. Since: 0.1.0 */
} cairnDomainEventDefinedDetailType;

/**
 * cairnDomainEventUndefinedDetailType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_UNDEFINED_REMOVED = 0 /* deleted the config file. Since: 0.1.0 */
} cairnDomainEventUndefinedDetailType;

/**
 * cairnDomainEventStartedDetailType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_STARTED_BOOTED = 0 /* normal startup from boot. Since: 0.1.0 */
} cairnDomainEventStartedDetailType;

/**
 * cairnDomainEventStoppedDetailType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_STOPPED_SHUTDOWN = 0,  /* normal shutdown. Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_STOPPED_DESTROYED = 1, /* forced poweroff from host. Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_STOPPED_CRASHED = 2,   /* guest crashed. Since: 0.1.0 */
    CAIRN_DOMAIN_EVENT_STOPPED_FAILED = 5     /* host emulator/mgmt failed. Since: 0.1.0 */
} cairnDomainEventStoppedDetailType;

/**
 * cairnDomainEventShutdownDetailType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_EVENT_SHUTDOWN_FINISHED = 0 /* guest finished shutdown. Since: 0.1.0 */
} cairnDomainEventShutdownDetailType;

/**
 * cairnDomainBlockJobType:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_BLOCK_JOB_TYPE_UNKNOWN = 0,       /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_TYPE_PULL = 1,          /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_TYPE_COPY = 2,          /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_TYPE_COMMIT = 3,        /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT = 4, /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_TYPE_BACKUP = 5         /* Since: 0.1.0 */
} cairnDomainBlockJobType;

/**
 * cairnConnectDomainEventBlockStatus:
 *
 * Since: 0.1.0
 */
typedef enum {
    CAIRN_DOMAIN_BLOCK_JOB_COMPLETED = 0, /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_FAILED = 1,    /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_CANCELED = 2,  /* Since: 0.1.0 */
    CAIRN_DOMAIN_BLOCK_JOB_READY = 3      /* Since: 0.1.0 */
} cairnConnectDomainEventBlockStatus;

/**
 * cairnConnectDomainEventGenericCallback:
 *
 * The type RegisterAny takes; cast the real callback with
 * CAIRN_DOMAIN_EVENT_CALLBACK(). @dom is only valid during the call
 * (take a reference with cairnDomainRef() to keep it).
 *
 * Since: 0.1.0
 */
typedef void (*cairnConnectDomainEventGenericCallback)(cairnConnectPtr conn,
                                                       cairnDomainPtr dom,
                                                       void *opaque);

/**
 * cairnConnectDomainEventCallback:
 *
 * CAIRN_DOMAIN_EVENT_ID_LIFECYCLE: @event is a cairnDomainEventType,
 * @detail its detail enum. The return value is ignored.
 *
 * Since: 0.1.0
 */
typedef int (*cairnConnectDomainEventCallback)(
    cairnConnectPtr conn, cairnDomainPtr dom, int event, int detail, void *opaque);

/**
 * cairnConnectDomainEventBlockJobCallback:
 *
 * CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB (@disk is the disk's source path) and
 * CAIRN_DOMAIN_EVENT_ID_BLOCK_JOB_2 (@disk is its target, e.g. "vda").
 * @type is a cairnDomainBlockJobType, @status a
 * cairnConnectDomainEventBlockStatus.
 *
 * Since: 0.1.0
 */
typedef void (*cairnConnectDomainEventBlockJobCallback)(
    cairnConnectPtr conn, cairnDomainPtr dom, const char *disk, int type, int status, void *opaque);

/**
 * cairnConnectDomainEventJobCompletedCallback:
 *
 * CAIRN_DOMAIN_EVENT_ID_JOB_COMPLETED: @params are the finished job's
 * statistics, as cairnDomainGetJobStats() with
 * CAIRN_DOMAIN_JOB_STATS_COMPLETED gives them. They belong to the caller
 * of the callback: do not free them.
 *
 * Since: 0.1.0
 */
typedef void (*cairnConnectDomainEventJobCompletedCallback)(cairnConnectPtr conn,
                                                            cairnDomainPtr dom,
                                                            cairnTypedParameterPtr params,
                                                            int nparams,
                                                            void *opaque);

/**
 * CAIRN_DOMAIN_EVENT_CALLBACK:
 *
 * Cast a specific callback to the generic type RegisterAny takes (through
 * void (*)(void), so that -Wcast-function-type stays quiet).
 *
 * Since: 0.1.0
 */
#define CAIRN_DOMAIN_EVENT_CALLBACK(cb)                                                            \
 ((cairnConnectDomainEventGenericCallback)(void (*)(void))(cb))

int cairnConnectDomainEventRegisterAny(cairnConnectPtr conn,
                                       cairnDomainPtr dom,
                                       int eventID,
                                       cairnConnectDomainEventGenericCallback cb,
                                       void *opaque,
                                       cairnFreeCallback freecb);
int cairnConnectDomainEventDeregisterAny(cairnConnectPtr conn, int callbackID);

int cairnEventRegisterDefaultImpl(void);
int cairnEventRunDefaultImpl(void);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_EVENT_H */
