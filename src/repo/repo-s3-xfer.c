/*
 * repo-s3-xfer.c: the transfer engine of the S3 store (repo-s3-xfer.h).
 *
 * The multi handle belongs to the engine's thread alone (curl wants one
 * thread per multi handle): callers queue their request under the lock
 * and wake the thread with curl_multi_wakeup(); the thread adds the queued
 * handles, drives every transfer with curl_multi_perform() and
 * curl_multi_poll(), and marks each finished request done, waking its
 * caller. Connections live in the multi handle's cache, so a connection
 * opened for one caller's request serves the next request of any caller.
 */
#include "repo-s3-xfer.h"

typedef struct {
    CURL *easy;
    CURLcode rc;
    bool done;
} s3XferReq;

struct _s3Xfer {
    CURLM *multi;
    GThread *thread;
    GMutex lock;
    GCond cond;
    GPtrArray *queue;  /* s3XferReq*, under lock: handed over, not yet added */
    bool stop;         /* under lock */
    guint running;     /* the engine thread's own */
    s3XferStats stats; /* under lock */
};


static void
s3XferFinish(s3Xfer *x, CURLMsg *msg)
{
    s3XferReq *req = NULL;
    long connects = 0;

    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&req);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &connects);
    curl_multi_remove_handle(x->multi, msg->easy_handle);
    x->running--;
    g_mutex_lock(&x->lock);
    x->stats.connects += (guint)MAX(connects, 0);
    x->stats.transfers++;
    req->rc = msg->data.result;
    req->done = true;
    g_cond_broadcast(&x->cond);
    g_mutex_unlock(&x->lock);
}


static gpointer
s3XferThread(gpointer opaque)
{
    s3Xfer *x = opaque;

    for (;;) {
        g_autoptr(GPtrArray) add = NULL;
        CURLMsg *msg;
        int still = 0;
        int left = 0;

        g_mutex_lock(&x->lock);
        if (x->stop && !x->queue->len && !x->running) {
            g_mutex_unlock(&x->lock);
            break;
        }
        if (x->queue->len) {
            add = x->queue;
            x->queue = g_ptr_array_new();
        }
        g_mutex_unlock(&x->lock);
        for (guint i = 0; add && i < add->len; i++) {
            s3XferReq *req = add->pdata[i];
            CURLMcode mc;

            curl_easy_setopt(req->easy, CURLOPT_PRIVATE, req);
            if ((mc = curl_multi_add_handle(x->multi, req->easy)) != CURLM_OK) {
                g_mutex_lock(&x->lock);
                req->rc = CURLE_FAILED_INIT;
                req->done = true;
                g_cond_broadcast(&x->cond);
                g_mutex_unlock(&x->lock);
                continue;
            }
            x->running++;
        }
        if (add && add->len) {
            g_mutex_lock(&x->lock);
            x->stats.peak_running = MAX(x->stats.peak_running, x->running);
            g_mutex_unlock(&x->lock);
        }
        curl_multi_perform(x->multi, &still);
        while ((msg = curl_multi_info_read(x->multi, &left))) {
            if (msg->msg == CURLMSG_DONE)
                s3XferFinish(x, msg);
        }
        /* returns at once when a caller queued a request meanwhile */
        curl_multi_poll(x->multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}


s3Xfer *
s3XferNew(long max_conns)
{
    s3Xfer *x = g_new0(s3Xfer, 1);

    if (!(x->multi = curl_multi_init())) {
        g_free(x);
        return NULL;
    }
    curl_multi_setopt(x->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_conns);
    curl_multi_setopt(x->multi, CURLMOPT_MAXCONNECTS, max_conns);
    /* HTTP/1.1 pipelining is gone; never multiplex (RGW speaks 1.1) */
    curl_multi_setopt(x->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
    g_mutex_init(&x->lock);
    g_cond_init(&x->cond);
    x->queue = g_ptr_array_new();
    x->thread = g_thread_new("cairn-s3", s3XferThread, x);
    return x;
}


CURLcode
s3XferRun(s3Xfer *x, CURL *easy)
{
    s3XferReq req = { easy, CURLE_OK, false };

    g_mutex_lock(&x->lock);
    g_ptr_array_add(x->queue, &req);
    g_mutex_unlock(&x->lock);
    curl_multi_wakeup(x->multi);
    g_mutex_lock(&x->lock);
    while (!req.done)
        g_cond_wait(&x->cond, &x->lock);
    g_mutex_unlock(&x->lock);
    return req.rc;
}


void
s3XferGetStats(s3Xfer *x, s3XferStats *stats)
{
    g_mutex_lock(&x->lock);
    *stats = x->stats;
    g_mutex_unlock(&x->lock);
}


void
s3XferFree(s3Xfer *x)
{
    if (!x)
        return;
    g_mutex_lock(&x->lock);
    x->stop = true;
    g_mutex_unlock(&x->lock);
    curl_multi_wakeup(x->multi);
    g_thread_join(x->thread);
    curl_multi_cleanup(x->multi);
    g_ptr_array_free(x->queue, TRUE);
    g_mutex_clear(&x->lock);
    g_cond_clear(&x->cond);
    g_free(x);
}
