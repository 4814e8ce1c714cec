/*
 * repo-s3-xfer.h: the transfer engine of the S3 store: one curl multi
 * handle per repository, driven by one thread, that runs the requests of
 * every calling thread at once over a shared pool of kept-alive
 * connections (at most @max_conns to the endpoint; more requests queue
 * inside curl until a connection is free).
 *
 * A caller prepares a curl easy handle (URL, headers, callbacks) and
 * hands it over with s3XferRun(), which returns when the transfer is done;
 * retries and their backoff stay with the caller, per request. Callers in
 * many threads at once make the transfers concurrent.
 */
#pragma once

#include <stdbool.h>
#include <curl/curl.h>
#include <glib.h>

typedef struct _s3Xfer s3Xfer;

typedef struct {
    guint peak_running; /* most transfers in flight at once */
    guint connects;     /* connections opened */
    guint transfers;    /* transfers completed */
} s3XferStats;

/* Start the engine (its thread and multi handle); NULL on failure. */
s3Xfer *s3XferNew(long max_conns);

/* Run the transfer of @easy to its end through the engine; the result of
 * curl_easy_perform() as curl_multi_info_read() reports it. */
CURLcode s3XferRun(s3Xfer *x, CURL *easy);

void s3XferGetStats(s3Xfer *x, s3XferStats *stats);

/* Stop the engine; no s3XferRun() may be running. */
void s3XferFree(s3Xfer *x);
