/*
 * daemon.c: the daemon's state (see cairnd.h): its setup and teardown,
 * what the hosted driver is, and the idle timeout. Everything of cairnd
 * but main() and its options is in the cairnd library, which in-process
 * tests and fuzz targets link too.
 */
#include "cairn/cairn.h"
#include "client.h"


void
cairndDaemonInit(cairndDaemon *daemon)
{
    g_mutex_init(&daemon->lock);
    daemon->clients = g_ptr_array_new_with_free_func((GDestroyNotify)cairndClientUnref);
    daemon->channels = g_ptr_array_new();
    daemon->loop = g_main_loop_new(NULL, FALSE);
}


void
cairndDaemonServeTest(cairndDaemon *daemon)
{
    daemon->mode = CAIRND_MODE_TEST;
    daemon->serve_uri = g_strdup("test:///default");
    daemon->public_uri = g_strdup("test:///default");
    daemon->inline_reads = true;
}


void
cairndDaemonClear(cairndDaemon *daemon)
{
    g_clear_pointer(&daemon->channels, g_ptr_array_unref);
    g_clear_pointer(&daemon->clients, g_ptr_array_unref);
    g_clear_pointer(&daemon->loop, g_main_loop_unref);
    g_clear_pointer(&daemon->serve_uri, g_free);
    g_clear_pointer(&daemon->public_uri, g_free);
    g_clear_pointer(&daemon->socket_path, g_free);
    g_clear_pointer(&daemon->guid, g_free);
    g_clear_pointer(&daemon->test_delay_method, g_free);
    g_clear_handle_id(&daemon->stop_source, g_source_remove);
}


/* Domains running under the hosted driver (the test driver's are not
 * real and do not count), or -1. */
static int
cairndRunningDomains(cairndDaemon *daemon)
{
    if (daemon->mode == CAIRND_MODE_TEST || !daemon->admin)
        return 0;
    return cairnConnectListAllDomains(daemon->admin, NULL, CAIRN_CONNECT_LIST_DOMAINS_ACTIVE);
}


static gboolean
cairndIdleExpired(gpointer opaque)
{
    cairndDaemon *daemon = opaque;
    int running;

    if (cairndClientCount(daemon) > 0) {
        g_mutex_lock(&daemon->lock);
        daemon->idle_source = 0;
        g_mutex_unlock(&daemon->lock);
        return G_SOURCE_REMOVE;
    }
    if ((running = cairndRunningDomains(daemon)) != 0) {
        g_debug("idle, but %d domains run: staying", running);
        return G_SOURCE_CONTINUE;
    }
    g_info("idle for %u s with no domain running: exiting", daemon->idle_timeout);
    g_main_loop_quit(daemon->loop);
    g_mutex_lock(&daemon->lock);
    daemon->idle_source = 0;
    g_mutex_unlock(&daemon->lock);
    return G_SOURCE_REMOVE;
}


void
cairndDaemonCheckIdle(cairndDaemon *daemon)
{
    g_mutex_lock(&daemon->lock);
    if (daemon->idle_timeout && daemon->clients->len == 0 && !daemon->idle_source)
        daemon->idle_source =
            g_timeout_add_seconds(daemon->idle_timeout, cairndIdleExpired, daemon);
    g_mutex_unlock(&daemon->lock);
}


bool
cairndDaemonCallBegin(cairndDaemon *daemon)
{
    bool ok;

    g_mutex_lock(&daemon->lock);
    if ((ok = !daemon->stopping))
        daemon->calls_running++;
    g_mutex_unlock(&daemon->lock);
    return ok;
}


void
cairndDaemonCallEnd(cairndDaemon *daemon)
{
    bool last;

    g_mutex_lock(&daemon->lock);
    g_assert(daemon->calls_running > 0);
    last = --daemon->calls_running == 0 && daemon->stopping;
    g_mutex_unlock(&daemon->lock);
    if (last) {
        g_info("the last call in flight is answered: exiting");
        g_main_loop_quit(daemon->loop);
    }
}


static gboolean
cairndStopExpired(gpointer opaque)
{
    cairndDaemon *daemon = opaque;

    daemon->stop_source = 0;
    g_main_loop_quit(daemon->loop);
    return G_SOURCE_REMOVE;
}


void
cairndDaemonBeginStop(cairndDaemon *daemon)
{
    unsigned int running;

    g_mutex_lock(&daemon->lock);
    daemon->stopping = true;
    running = daemon->calls_running;
    g_mutex_unlock(&daemon->lock);
    if (running == 0) {
        g_main_loop_quit(daemon->loop);
        return;
    }
    g_info("waiting up to %u s for %u calls in flight", daemon->shutdown_timeout, running);
    daemon->stop_source = g_timeout_add(daemon->shutdown_timeout * 1000, cairndStopExpired, daemon);
}


unsigned int
cairndDaemonCallsRunning(cairndDaemon *daemon)
{
    unsigned int running;

    g_mutex_lock(&daemon->lock);
    running = daemon->calls_running;
    g_mutex_unlock(&daemon->lock);
    return running;
}
