/*
 * cairnd.h: the daemon's state, shared by its parts: the listener
 * (server.c), the peers (client.c) and the calls (dispatch*.c).
 */
#pragma once

#include <stdbool.h>
#include <gio/gio.h>

#include "datatypes.h"


typedef enum {
    CAIRND_MODE_SESSION,
    CAIRND_MODE_SYSTEM,
    CAIRND_MODE_TEST,
} cairndMode;

typedef struct _cairndDaemon cairndDaemon;
typedef struct _cairndClient cairndClient;

struct _cairndDaemon {
    cairndMode mode;
    char *serve_uri;  /* the URI of the hosted driver, e.g. qemu:///embed?root=DIR */
    char *public_uri; /* what clients ask for: qemu:///session, qemu:///system, test:///default */
    char *socket_path;
    unsigned int max_clients;       /* authenticated peers at once */
    unsigned int max_handshakes;    /* unauthenticated peers at once (server.c) */
    unsigned int handshake_timeout; /* seconds a peer has to authenticate */
    unsigned int shutdown_timeout;  /* seconds calls in flight get at SIGTERM */
    unsigned int idle_timeout;      /* seconds; 0: never exit when idle */
    unsigned int workers;
    char *guid; /* the D-Bus server GUID */

    GMainLoop *loop;
    GSocketService *service;
    GThreadPool *pool;   /* runs the calls, so the main loop never blocks */
    bool inline_reads;   /* the driver keeps its state in memory (the test driver):
                             * reads run in GDBus's worker thread, see dispatch.c */
    cairnConnect *admin; /* the daemon's own connection: reattaches, counts VMs */
    GDBusAuthObserver *observer;

    /* The main loop's alone (server.c): */
    GQueue handshakes;            /* of the unauthenticated peers, oldest first */
    unsigned int handshakes_live; /* those and the dropped ones not yet done */
    bool listener_closed;         /* cairndServerStopAccepting() ran */

    GMutex lock;         /* protects what follows */
    GPtrArray *clients;  /* of cairndClient*, one reference each */
    GPtrArray *channels; /* every call channel whose thread is not joined (channel.c) */
    guint idle_source;
    unsigned int next_client_id;
    bool stopping;              /* SIGTERM came: no new call runs */
    unsigned int calls_running; /* calls taken and not yet answered */
    guint stop_source;          /* the end of --shutdown-timeout */

    /* Tests only (CAIRND_TEST_REPLY_DELAY=METHOD:MS): the reply of every
     * call of METHOD waits MS milliseconds after it ran. */
    char *test_delay_method;
    unsigned int test_delay_ms;
};

/* Set up the lock and lists of @daemon (zeroed before); it serves nothing
 * until configured. Undone by cairndDaemonClear(). */
void cairndDaemonInit(cairndDaemon *daemon);

/* Host the test driver, test:///default (cairnd --test, and in-process
 * tests and fuzz targets with no listener). */
void cairndDaemonServeTest(cairndDaemon *daemon);

/* Free the lists and strings of @daemon, once every peer, channel thread,
 * the pool and the listener are gone. The lock stays usable. */
void cairndDaemonClear(cairndDaemon *daemon);

/* Take a call of a peer for running: false, counting nothing, once the
 * daemon stops. Any thread. */
bool cairndDaemonCallBegin(cairndDaemon *daemon);

/* The call taken by cairndDaemonCallBegin() is answered (its reply
 * written or queued): the last one of a stopping daemon quits its main
 * loop. Any thread. */
void cairndDaemonCallEnd(cairndDaemon *daemon);

/* SIGTERM: refuse new calls from now on, and quit the main loop once the
 * running ones are answered, or after daemon->shutdown_timeout seconds.
 * Main loop. */
void cairndDaemonBeginStop(cairndDaemon *daemon);

/* Calls taken and not answered (after the main loop: abandoned ones). */
unsigned int cairndDaemonCallsRunning(cairndDaemon *daemon);

/* Called from the main loop when a peer goes away or at start: arm the
 * idle timer if nothing runs and nobody is connected. */
void cairndDaemonCheckIdle(cairndDaemon *daemon);
