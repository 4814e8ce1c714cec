/*
 * datatypes.h: the reference-counted public objects (connection, domain,
 * checkpoint handle). Drivers create domain and checkpoint handles with
 * cairnDomainNew()/cairnCheckpointNew(); public entry points check them
 * with the ...IsValid() helpers.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "cairn/cairn-common.h"
#include "cairn/cairn-domain.h"

typedef struct _cairnDriver cairnDriver;
typedef struct _cairnEventState cairnEventState; /* conf/object_event.h */

#define CAIRN_CONNECT_MAGIC 0x43414952u    /* "CAIR" */
#define CAIRN_DOMAIN_MAGIC 0x444f4d4eu     /* "DOMN" */
#define CAIRN_CHECKPOINT_MAGIC 0x43484b50u /* "CHKP" */

struct _cairnConnect {
    unsigned int magic;
    gatomicrefcount refs;
    char *uri;          /* the URI as opened, normalised */
    unsigned int flags; /* CAIRN_CONNECT_RO, ... */
    const cairnDriver *driver;
    void *privateData;                            /* the driver's connection state */
    cairnEventState *events;                      /* registered event callbacks and queued events */
    void (*events_free)(cairnEventState *events); /* frees them; set with them */
};

struct _cairnDomain {
    unsigned int magic;
    gatomicrefcount refs;
    cairnConnect *conn; /* holds a reference */
    char *name;
    unsigned char uuid[CAIRN_UUID_BUFLEN];
    int id; /* -1 when inactive */
};

struct _cairnDomainCheckpoint {
    unsigned int magic;
    gatomicrefcount refs;
    cairnDomain *domain; /* holds a reference */
    char *name;
};

/* A connection with no driver and no event state yet: the opener (libcairn.c)
 * gives it both. The last unref closes the driver, then frees the events
 * with conn->events_free. */
cairnConnect *cairnConnectNew(void);
void cairnConnectUnref(cairnConnect *conn);

/* A new handle (one reference) that holds a reference on @conn. */
cairnDomain *
cairnDomainNew(cairnConnect *conn, const char *name, const unsigned char *uuid, int id);
cairnDomain *cairnDomainRefInternal(cairnDomain *dom);
void cairnDomainUnref(cairnDomain *dom);

/* A new handle (one reference) that holds a reference on @dom. */
cairnDomainCheckpoint *cairnCheckpointNew(cairnDomain *dom, const char *name);
void cairnCheckpointUnref(cairnDomainCheckpoint *chk);

bool cairnConnectIsValid(const cairnConnect *conn);
bool cairnDomainIsValid(const cairnDomain *dom);
bool cairnCheckpointIsValid(const cairnDomainCheckpoint *chk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnConnect, cairnConnectUnref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomain, cairnDomainUnref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainCheckpoint, cairnCheckpointUnref)
