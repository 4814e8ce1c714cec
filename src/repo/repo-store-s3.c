/*
 * repo-store-s3.c: the store driver for s3://BUCKET[/PREFIX] (Ceph RGW, AWS,
 * any S3 service), over libcurl with SigV4 signing. docs/s3.md explains
 * why the repository is safe there without rename or locks.
 *
 * A pool of curl easy handles serves the calls of every thread; their
 * transfers run concurrently in one curl multi handle per store (its
 * connections kept alive and shared: repo-s3-xfer.c). Requests are
 * retried with backoff on 5xx, 429, timeouts and broken connections. Objects are stored as they are
 * given: decoding and digest checks stay in the layers above, so nothing
 * read from the bucket bypasses them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "repo-private.h"
#include "repo-s3-xfer.h"
#include "repo-store.h"

#define S3_MARKER_REFRESH_US (600 * G_USEC_PER_SEC)
#define S3_MARKER_STALE_DEFAULT 3600
#define S3_RETRIES_DEFAULT 5
#define S3_LIST_MAX (4u * 1024 * 1024)
#define S3_KNOWN_MAX_DEFAULT 131072
#define S3_CHUNKS "chunks/"

typedef struct {
    cairnRepoStore parent;
    char *url; /* s3://bucket[/prefix], for messages */
    char *bucket;
    char *prefix; /* "" or "prefix/" */
    char *scheme; /* "https" */
    char *host;   /* "host[:port]" */
    bool path_style;
    bool unsigned_payload; /* PUT bodies sent as UNSIGNED-PAYLOAD */
    char *sigv4;           /* "aws:amz:REGION:s3" */
    char *access;          /* access key id */
    char *userpwd;         /* "access:secret" */
    char *token;           /* session token header, or NULL */
    int retries;
    gint64 marker_stale; /* seconds */

    GMutex pool_lock;
    GPtrArray *idle; /* CURL* */
    s3Xfer *xfer;    /* the multi handle every transfer runs in */
    long connections;

    /* write-behind of the puts without durable (s3Put, s3Sync) */
    GThreadPool *uploads; /* s3Upload* */
    GMutex up_lock;
    GCond up_cond;
    GHashTable *pending; /* key -> size, under up_lock: queued or uploading */
    guint n_pending;     /* under up_lock */
    GError *up_error;    /* the first failed upload since the last sync */
    GPtrArray *spare;    /* s3Buf*, under up_lock: bodies uploaded, kept for reuse */

    /* requests answered, by method, and bytes sent / received: logged
     * (debug, or to stderr with CAIRN_S3_STATS=1) when the store is closed */
    gint n_put, n_get, n_head, n_delete, n_list, n_retry;
    gssize bytes_up, bytes_down;

    GMutex marker_lock;
    char *marker_key;   /* NULL when no marker is held */
    gint64 marker_time; /* monotonic time of its last PUT */

    /* the chunks the store has, from one LIST of chunks/ taken at the first
     * exists() of a chunk (when there are at most known_max): exists()
     * answers from it instead of a HEAD each; chunks this store uploads
     * are added. docs/s3.md: "Chunks are immutable and content-addressed" */
    GMutex known_lock;
    int known_state;   /* 0: not listed yet, 1: listed, -1: HEAD each */
    GHashTable *known; /* key -> size, under known_lock */
    guint known_max;
} s3Store;

typedef struct {
    guint8 **buf;
    size_t *cap;
    size_t len;
    size_t max;
    bool overflow;
} s3Sink;

typedef struct {
    long status;
    gint64 mtime;
    guint64 length;
} s3Reply;


/* ---- configuration ---- */

static const char *
envOr(const char *name, const char *fallback)
{
    const char *v = g_getenv(name);

    return v && *v ? v : fallback;
}


/* Read @profile of the credentials file into @s (access, secret, token). */
static bool
s3LoadProfile(s3Store *s, char **ret_access, char **ret_secret, char **ret_token, GError **error)
{
    g_autofree char *deffile = g_build_filename(g_get_home_dir(), ".aws", "credentials", NULL);
    const char *file = envOr("AWS_SHARED_CREDENTIALS_FILE", deffile);
    const char *profile = envOr("AWS_PROFILE", "default");
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    struct stat st;

    if (stat(file, &st) < 0) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "%s: no S3 credentials: set AWS_ACCESS_KEY_ID and "
                          "AWS_SECRET_ACCESS_KEY, or write profile '%s' to %s",
                          s->url, profile, file);
        return false;
    }
    if (st.st_mode & 077) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "credentials file %s is readable by others (mode %04o): chmod 600 it",
                          file, (unsigned)(st.st_mode & 07777));
        return false;
    }
    if (!g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, &local)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY, "cannot read credentials file %s: %s", file,
                          local->message);
        return false;
    }
    *ret_access = g_key_file_get_string(kf, profile, "aws_access_key_id", NULL);
    *ret_secret = g_key_file_get_string(kf, profile, "aws_secret_access_key", NULL);
    *ret_token = g_key_file_get_string(kf, profile, "aws_session_token", NULL);
    if (!*ret_access || !*ret_secret) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "credentials file %s has no aws_access_key_id and "
                          "aws_secret_access_key in profile '%s'",
                          file, profile);
        return false;
    }
    g_strstrip(*ret_access);
    g_strstrip(*ret_secret);
    return true;
}


static bool
s3ParseUrl(s3Store *s, const char *url, GError **error)
{
    const char *rest = url + strlen("s3://");
    const char *slash = strchr(rest, '/');
    g_autofree char *prefix = NULL;

    s->bucket = slash ? g_strndup(rest, (size_t)(slash - rest)) : g_strdup(rest);
    prefix = slash ? g_strdup(slash + 1) : g_strdup("");
    while (*prefix && prefix[strlen(prefix) - 1] == '/')
        prefix[strlen(prefix) - 1] = '\0';
    if (!*s->bucket ||
        strspn(s->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen(s->bucket)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "invalid S3 URL %s: expected s3://BUCKET[/PREFIX]", url);
        return false;
    }
    s->prefix = *prefix ? g_strconcat(prefix, "/", NULL) : g_strdup("");
    return true;
}


static bool
s3ParseEndpoint(s3Store *s, const char *region, GError **error)
{
    const char *ep = g_getenv("AWS_ENDPOINT_URL_S3");
    g_autofree char *aws = NULL;
    const char *sep;
    const char *style = g_getenv("CAIRN_S3_ADDRESSING");
    const char *payload;
    bool custom;

    if (!ep || !*ep)
        ep = g_getenv("AWS_ENDPOINT_URL");
    custom = ep && *ep;
    if (!custom)
        ep = aws = g_strdup_printf("https://s3.%s.amazonaws.com", region);
    if (!(sep = strstr(ep, "://"))) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "invalid S3 endpoint '%s': expected http(s)://HOST[:PORT]", ep);
        return false;
    }
    s->scheme = g_strndup(ep, (size_t)(sep - ep));
    s->host = g_strdup(sep + 3);
    while (*s->host && s->host[strlen(s->host) - 1] == '/')
        s->host[strlen(s->host) - 1] = '\0';
    if (style && g_str_equal(style, "path"))
        s->path_style = true;
    else if (style && g_str_equal(style, "virtual"))
        s->path_style = false;
    else if (style && *style) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "CAIRN_S3_ADDRESSING is '%s': expected 'path' or 'virtual'", style);
        return false;
    } else {
        s->path_style = custom;
    }
    /* over TLS the record MACs protect the body, as botocore reasons */
    payload = g_getenv("CAIRN_S3_PAYLOAD");
    if (payload && g_str_equal(payload, "unsigned")) {
        s->unsigned_payload = true;
    } else if (payload && g_str_equal(payload, "signed")) {
        s->unsigned_payload = false;
    } else if (payload && *payload) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_INVALID,
                          "CAIRN_S3_PAYLOAD is '%s': expected 'signed' or 'unsigned'", payload);
        return false;
    } else {
        s->unsigned_payload = g_str_equal(s->scheme, "https");
    }
    return true;
}


/* ---- requests ---- */

static size_t
s3Write(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    s3Sink *sink = opaque;
    size_t n = size * nmemb;

    if (sink->len + n > sink->max) {
        sink->overflow = true;
        return 0;
    }
    if (sink->len + n > *sink->cap || !*sink->buf) {
        *sink->cap = MAX(MAX(*sink->cap * 2, sink->len + n), 4096);
        *sink->buf = g_realloc(*sink->buf, *sink->cap);
    }
    memcpy(*sink->buf + sink->len, ptr, n);
    sink->len += n;
    return n;
}


static size_t
s3Discard(char *ptr G_GNUC_UNUSED, size_t size, size_t nmemb, void *opaque G_GNUC_UNUSED)
{
    return size * nmemb;
}


static CURL *
s3HandleTake(s3Store *s)
{
    CURL *c = NULL;

    g_mutex_lock(&s->pool_lock);
    if (s->idle->len)
        c = g_ptr_array_steal_index_fast(s->idle, s->idle->len - 1);
    g_mutex_unlock(&s->pool_lock);
    return c ? c : curl_easy_init();
}


static void
s3HandleGive(s3Store *s, CURL *c)
{
    g_mutex_lock(&s->pool_lock);
    g_ptr_array_add(s->idle, c);
    g_mutex_unlock(&s->pool_lock);
}


/* Percent-encode @in for a URL path (keeping '/') or a query value. */
static char *
s3Encode(const char *in, bool keep_slash)
{
    GString *out = g_string_new(NULL);

    for (const char *p = in; *p; p++) {
        if (g_ascii_isalnum(*p) || strchr("-_.~", *p) || (keep_slash && *p == '/'))
            g_string_append_c(out, *p);
        else
            g_string_append_printf(out, "%%%02X", (unsigned char)*p);
    }
    return g_string_free(out, FALSE);
}


/* The URL of object @key (NULL: the bucket), with @query (sorted, encoded). */
static char *
s3Url(s3Store *s, const char *key, const char *query)
{
    g_autofree char *path = key ? s3Encode(key, true) : g_strdup("");
    const char *q = query ? "?" : "";

    if (s->path_style) {
        return g_strdup_printf("%s://%s/%s/%s%s%s", s->scheme, s->host, s->bucket, path, q,
                               query ? query : "");
    }
    return g_strdup_printf("%s://%s.%s/%s%s%s", s->scheme, s->bucket, s->host, path, q,
                           query ? query : "");
}


static bool
s3Transient(CURLcode rc, long status)
{
    switch (rc) {
    case CURLE_OK:
        return status >= 500 || status == 429;
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}


/* The <Code> of an S3 error body, or NULL. */
static char *
s3ErrorCode(const guint8 *body, size_t len)
{
    g_autofree char *text = body ? g_strndup((const char *)body, len) : NULL;
    const char *start;
    const char *end;

    if (!text || !(start = strstr(text, "<Code>")) || !(end = strstr(start, "</Code>")))
        return NULL;
    start += strlen("<Code>");
    return g_strndup(start, (size_t)(end - start));
}


static void
s3SetHttpError(s3Store *s,
               const char *method,
               const char *what,
               long status,
               const guint8 *body,
               size_t len,
               GError **error)
{
    g_autofree char *code = s3ErrorCode(body, len);

    if (code && g_str_equal(code, "NoSuchBucket")) {
        /* not NOT_FOUND: that would read as "no repository under the prefix" */
        cairnRepoSetError(error, CAIRN_REPO_ERROR_IO, "%s: bucket '%s' does not exist at %s://%s",
                          s->url, s->bucket, s->scheme, s->host);
    } else if (status == 403) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_KEY,
                          "%s: access denied (%s) for %s of %s: check the S3 credentials "
                          "(access key id %s) and the region",
                          s->url, code ? code : "403", method, what, s->access);
    } else if (status == 404) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_NOT_FOUND, "%s/%s: no such object", s->url, what);
    } else {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_IO, "%s: %s of %s failed: HTTP %ld%s%s", s->url,
                          method, what, status, code ? " " : "", code ? code : "");
    }
}


static void
s3Setup(s3Store *s, CURL *c, const char *method, const char *url, struct curl_slist *headers)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
    curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    /* a stalled transfer (under 1 KiB/s for 30 s) is a timeout, retried */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    if (g_getenv("CAIRN_S3_DEBUG"))
        curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    if (g_str_equal(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (!g_str_equal(method, "GET"))
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}


/* "x-amz-content-sha256: HEX" of @body (NULL: empty) into @hdr. */
static void
payloadHash(const guint8 *body, size_t len, char *hdr)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    size_t n = strlen("x-amz-content-sha256: ");

    EVP_Digest(body ? (const void *)body : "", body ? len : 0, md, &mdlen, EVP_sha256(), NULL);
    memcpy(hdr, "x-amz-content-sha256: ", n);
    for (unsigned int i = 0; i < mdlen; i++) {
        hdr[n + 2 * i] = hex[md[i] >> 4];
        hdr[n + 2 * i + 1] = hex[md[i] & 15];
    }
    hdr[n + 2 * mdlen] = '\0';
}


/* One request with retries. @body (PUT) may be NULL; the response body
 * goes to @sink (may be NULL: discarded). An HTTP status >= 300 is left
 * in @reply for the caller; only transport failures (after the retries)
 * are errors here. */
/* The key (URL/KEY) this thread's last request, a HEAD, found missing:
 * the writer HEADs a chunk (exists) and then puts it with no_replace, which
 * need not HEAD again. */
static GPrivate s3LastMissing = G_PRIVATE_INIT(g_free);


static bool
s3Request(s3Store *s,
          const char *method,
          const char *key,
          const char *query,
          const guint8 *body,
          size_t body_len,
          s3Sink *sink,
          s3Reply *reply,
          GError **error)
{
    g_autofree char *fullkey = key ? g_strconcat(s->prefix, key, NULL) : NULL;
    g_autofree char *url = s3Url(s, fullkey, query);
    struct curl_slist *headers = NULL;
    g_autofree char *tokenhdr =
        s->token ? g_strdup_printf("x-amz-security-token: %s", s->token) : NULL;
    CURL *c = s3HandleTake(s);
    CURLcode rc = CURLE_OK;
    long status = 0;
    char errbuf[CURL_ERROR_SIZE];
    char hashhdr[128];

    g_private_replace(&s3LastMissing, NULL);
    if (!c) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_IO, "%s: cannot create a curl handle", s->url);
        return false;
    }
    /* S3 wants the payload's SHA-256 in a header, which curl 7.88 signs
     * but does not add itself; or UNSIGNED-PAYLOAD (docs/s3.md) */
    if (body && s->unsigned_payload)
        g_strlcpy(hashhdr, "x-amz-content-sha256: UNSIGNED-PAYLOAD", sizeof(hashhdr));
    else
        payloadHash(body, body_len, hashhdr);
    headers = curl_slist_append(headers, hashhdr);
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    if (tokenhdr)
        headers = curl_slist_append(headers, tokenhdr);
    for (int attempt = 0;; attempt++) {
        int hook;

        s3Setup(s, c, method, url, headers);
        errbuf[0] = '\0';
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        if (body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        }
        if (sink) {
            sink->len = 0;
            sink->overflow = false;
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s3Write);
            curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
        } else {
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s3Discard);
        }
        status = 0;
        if ((hook = cairnRepoHook("s3-request")) != 0) {
            rc = CURLE_RECV_ERROR;
            g_snprintf(errbuf, sizeof(errbuf), "injected failure: %s", g_strerror(hook));
        } else {
            rc = s3XferRun(s->xfer, c);
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        }
        if (sink && sink->overflow)
            break;
        if (!s3Transient(rc, status) || attempt >= s->retries)
            break;
        g_atomic_int_inc(&s->n_retry);
        g_debug("%s %s: %s (HTTP %ld), retry %d", method, url,
                rc != CURLE_OK ? (errbuf[0] ? errbuf : curl_easy_strerror(rc)) : "server error",
                status, attempt + 1);
        g_usleep((gulong)(200000u << MIN(attempt, 6)));
    }
    curl_slist_free_all(headers);
    if (sink && sink->overflow) {
        s3HandleGive(s, c);
        cairnRepoSetError(error, CAIRN_REPO_ERROR_CORRUPT, "%s/%s: object is larger than %zu bytes",
                          s->url, key ? key : "", sink->max);
        return false;
    }
    if (rc != CURLE_OK) {
        curl_easy_cleanup(c);
        cairnRepoSetError(error, CAIRN_REPO_ERROR_IO, "%s: %s of %s failed after %d attempts: %s",
                          s->url, method, key ? key : "the bucket", s->retries + 1,
                          errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return false;
    }
    if (g_str_equal(method, "PUT")) {
        g_atomic_int_inc(&s->n_put);
        g_atomic_pointer_add(&s->bytes_up, (gssize)body_len);
    } else if (g_str_equal(method, "HEAD")) {
        g_atomic_int_inc(&s->n_head);
    } else if (g_str_equal(method, "DELETE")) {
        g_atomic_int_inc(&s->n_delete);
    } else {
        g_atomic_int_inc(query ? &s->n_list : &s->n_get);
        g_atomic_pointer_add(&s->bytes_down, (gssize)(sink ? sink->len : 0));
    }
    reply->status = status;
    reply->mtime = -1;
    reply->length = 0;
    {
        long filetime = -1;
        curl_off_t len = -1;

        curl_easy_getinfo(c, CURLINFO_FILETIME, &filetime);
        curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
        reply->mtime = filetime;
        reply->length = len > 0 ? (guint64)len : 0;
    }
    s3HandleGive(s, c);
    return true;
}


/* ---- markers (docs/s3.md: "Markers replace the lock") ---- */

static bool s3PutRaw(s3Store *s, const char *key, const guint8 *data, size_t len, GError **error);
static bool s3UploadPending(s3Store *s, const char *key, guint64 *ret_size);

static bool
s3MarkerPut(s3Store *s, GError **error)
{
    g_autofree char *body =
        g_strdup_printf("host=%s\npid=%d\ntime=%" G_GINT64_FORMAT "\n", g_get_host_name(),
                        (int)getpid(), g_get_real_time() / G_USEC_PER_SEC);

    if (!s3PutRaw(s, s->marker_key, (const guint8 *)body, strlen(body), error))
        return false;
    s->marker_time = g_get_monotonic_time();
    return true;
}


/* Refresh the marker when it is older than S3_MARKER_REFRESH_US. */
static void
s3MarkerRefresh(s3Store *s)
{
    if (!g_mutex_trylock(&s->marker_lock))
        return;
    if (s->marker_key && g_get_monotonic_time() - s->marker_time > S3_MARKER_REFRESH_US) {
        g_autoptr(GError) local = NULL;

        if (!s3MarkerPut(s, &local))
            g_debug("cannot refresh %s: %s", s->marker_key, local->message);
    }
    g_mutex_unlock(&s->marker_lock);
}


/* ---- the driver ---- */

static bool
s3PutRaw(s3Store *s, const char *key, const guint8 *data, size_t len, GError **error)
{
    s3Reply r;

    if (!s3Request(s, "PUT", key, NULL, data, len, NULL, &r, error))
        return false;
    if (r.status >= 300) {
        s3SetHttpError(s, "PUT", key, r.status, NULL, 0, error);
        return false;
    }
    return true;
}


/* ---- the chunks known to exist ---- */

typedef struct _s3ListParse s3ListParse;
static s3ListParse *s3ListParseNew(void);
static void s3ListParseFree(s3ListParse *lp);
static bool s3ListPage(s3Store *s, const char *full_prefix, s3ListParse *lp, GError **error);
static bool s3ListParseMore(s3ListParse *lp);
static GPtrArray *s3ListParseKeys(s3ListParse *lp);
static GArray *s3ListParseSizes(s3ListParse *lp);
static GArray *s3ListParseMtimes(s3ListParse *lp);


/* LIST chunks/ into s->known (under known_lock), unless it holds more than
 * known_max chunks: then every exists() HEADs, as before. */
static bool
s3KnownLoad(s3Store *s, GError **error)
{
    g_autofree char *full = g_strconcat(s->prefix, S3_CHUNKS, NULL);
    s3ListParse *lp = s3ListParseNew();
    g_autoptr(GHashTable) known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t skip = strlen(s->prefix);
    bool ok = true;

    s3MarkerRefresh(s);
    do {
        GPtrArray *keys = s3ListParseKeys(lp);
        GArray *sizes = s3ListParseSizes(lp);

        if (!(ok = s3ListPage(s, full, lp, error)))
            break;
        for (guint i = 0; i < keys->len; i++) {
            const char *key = keys->pdata[i];

            if (strlen(key) > skip) {
                g_hash_table_insert(known, g_strdup(key + skip),
                                    GSIZE_TO_POINTER(g_array_index(sizes, guint64, i)));
            }
        }
        g_ptr_array_set_size(keys, 0);
        g_array_set_size(sizes, 0);
        g_array_set_size(s3ListParseMtimes(lp), 0);
        if (g_hash_table_size(known) > s->known_max) {
            g_debug("%s: more than %u chunks: a HEAD per chunk", s->url, s->known_max);
            s->known_state = -1;
            s3ListParseFree(lp);
            return true;
        }
    } while (s3ListParseMore(lp));
    s3ListParseFree(lp);
    if (!ok)
        return false;
    s->known = g_steal_pointer(&known);
    s->known_state = 1;
    return true;
}


/* Whether chunk @key exists by the listing: 1 yes (its size in
 * *@ret_size), 0 no, -1 error, 2 not known (HEAD it). */
static int
s3KnownLookup(s3Store *s, const char *key, guint64 *ret_size, GError **error)
{
    gpointer size = NULL;
    int ret = 2;

    if (s->known_max == 0 || !g_str_has_prefix(key, S3_CHUNKS))
        return 2;
    g_mutex_lock(&s->known_lock);
    if (s->known_state == 0 && !s3KnownLoad(s, error)) {
        g_mutex_unlock(&s->known_lock);
        return -1;
    }
    if (s->known_state == 1) {
        ret = g_hash_table_lookup_extended(s->known, key, NULL, &size) ? 1 : 0;
        if (ret == 1 && ret_size)
            *ret_size = GPOINTER_TO_SIZE(size);
    }
    g_mutex_unlock(&s->known_lock);
    return ret;
}


/* @key (of @len bytes) is stored now: add it to the listing, if taken. */
static void
s3KnownAdd(s3Store *s, const char *key, size_t len)
{
    if (!g_str_has_prefix(key, S3_CHUNKS))
        return;
    g_mutex_lock(&s->known_lock);
    if (s->known_state == 1)
        g_hash_table_insert(s->known, g_strdup(key), GSIZE_TO_POINTER(len));
    g_mutex_unlock(&s->known_lock);
}


static void
s3KnownRemove(s3Store *s, const char *key)
{
    if (!g_str_has_prefix(key, S3_CHUNKS))
        return;
    g_mutex_lock(&s->known_lock);
    if (s->known_state == 1)
        g_hash_table_remove(s->known, key);
    g_mutex_unlock(&s->known_lock);
}


static int
s3Exists(cairnRepoStore *store, const char *key, guint64 *ret_size, GError **error)
{
    s3Store *s = (s3Store *)store;
    s3Reply r;
    int known;

    /* queued here: it exists once the next sync returns */
    if (s3UploadPending(s, key, ret_size))
        return 1;
    if ((known = s3KnownLookup(s, key, ret_size, error)) == 0)
        g_private_replace(&s3LastMissing, g_strconcat(s->url, "/", key, NULL));
    if (known != 2)
        return known;
    if (!s3Request(s, "HEAD", key, NULL, NULL, 0, NULL, &r, error))
        return -1;
    if (r.status == 404) {
        g_private_replace(&s3LastMissing, g_strconcat(s->url, "/", key, NULL));
        return 0;
    }
    if (r.status >= 300) {
        s3SetHttpError(s, "HEAD", key, r.status, NULL, 0, error);
        return -1;
    }
    if (ret_size)
        *ret_size = r.length;
    return 1;
}


/* Whether this thread's last request was a HEAD that found @key missing. */
static bool
s3JustMissing(s3Store *s, const char *key)
{
    const char *last = g_private_get(&s3LastMissing);
    size_t n = strlen(s->url);

    return last && strncmp(last, s->url, n) == 0 && last[n] == '/' &&
           g_str_equal(last + n + 1, key);
}


/* ---- write-behind ----
 *
 * A put without @durable returns once its bytes are copied and queued:
 * the store's upload threads PUT them (with the retries of any request),
 * as many at once as the store has connections, while the caller goes on
 * (reads and compresses the next chunk). s3Sync waits for every queued
 * upload and fails if one failed; a put fails at once while a failure is
 * unreported. The repository's writer syncs before it writes the indexes
 * and the manifest, so no manifest names a chunk whose upload failed. */

typedef struct {
    char *key;
    guint8 *data;
    size_t len;
    size_t cap; /* of data */
} s3Upload;

/* A body buffer kept for the next put: fresh memory costs a page fault
 * per 4 KiB (half the CPU of a put in a VM), reused memory does not. */
typedef struct {
    guint8 *data;
    size_t cap;
} s3Buf;

#define S3_BUF_ROUND (1u << 20)


/* A buffer of at least @len bytes (its size in *@ret_cap). */
static guint8 *
s3BufTake(s3Store *s, size_t len, size_t *ret_cap)
{
    s3Buf *b = NULL;
    guint8 *data;

    g_mutex_lock(&s->up_lock);
    for (guint i = s->spare->len; i-- > 0;) {
        if (((s3Buf *)s->spare->pdata[i])->cap >= len) {
            b = g_ptr_array_steal_index_fast(s->spare, i);
            break;
        }
    }
    g_mutex_unlock(&s->up_lock);
    if (!b) {
        *ret_cap = (MAX(len, 1) + S3_BUF_ROUND - 1) / S3_BUF_ROUND * S3_BUF_ROUND;
        return g_malloc(*ret_cap);
    }
    data = b->data;
    *ret_cap = b->cap;
    g_free(b);
    return data;
}


/* Keep @data (of @cap bytes) for reuse; under up_lock. */
static void
s3BufGiveLocked(s3Store *s, guint8 *data, size_t cap)
{
    s3Buf *b;

    if (s->spare->len > (guint)s->connections) {
        g_free(data);
        return;
    }
    b = g_new(s3Buf, 1);
    b->data = data;
    b->cap = cap;
    g_ptr_array_add(s->spare, b);
}


static void
s3BufFree(gpointer p)
{
    s3Buf *b = p;

    g_free(b->data);
    g_free(b);
}


static void
s3UploadRun(gpointer data, gpointer opaque)
{
    s3Upload *u = data;
    s3Store *s = opaque;
    g_autoptr(GError) local = NULL;
    int err = cairnRepoHook("s3-upload");
    bool ok;

    if (err) {
        cairnRepoSetErrno(&local, err, "%s: upload of %s failed", s->url, u->key);
        ok = false;
    } else if ((ok = s3PutRaw(s, u->key, u->data, u->len, &local))) {
        s3KnownAdd(s, u->key, u->len);
    }

    g_mutex_lock(&s->up_lock);
    if (!ok && !s->up_error)
        s->up_error = g_steal_pointer(&local);
    g_hash_table_remove(s->pending, u->key);
    s->n_pending--;
    g_cond_broadcast(&s->up_cond);
    s3BufGiveLocked(s, g_steal_pointer(&u->data), u->cap);
    g_mutex_unlock(&s->up_lock);
    g_free(u->key);
    g_free(u);
}


/* Queue @data (of @cap bytes, taken) for upload under @key; waits while
 * the store has as many uploads queued as connections. */
static bool
s3UploadQueue(s3Store *s, const char *key, guint8 *data, size_t len, size_t cap, GError **error)
{
    s3Upload *u;

    g_mutex_lock(&s->up_lock);
    while (!s->up_error && s->n_pending >= (guint)s->connections)
        g_cond_wait(&s->up_cond, &s->up_lock);
    if (s->up_error) {
        g_propagate_error(error, g_error_copy(s->up_error));
        g_mutex_unlock(&s->up_lock);
        g_free(data);
        return false;
    }
    s->n_pending++;
    g_hash_table_insert(s->pending, g_strdup(key), GSIZE_TO_POINTER(len));
    g_mutex_unlock(&s->up_lock);
    u = g_new0(s3Upload, 1);
    u->key = g_strdup(key);
    u->data = data;
    u->len = len;
    u->cap = cap;
    g_thread_pool_push(s->uploads, u, NULL);
    return true;
}


/* Wait until no upload is queued; the first failure since the last call. */
static bool
s3UploadWait(s3Store *s, GError **error)
{
    GError *failed;

    g_mutex_lock(&s->up_lock);
    while (s->n_pending)
        g_cond_wait(&s->up_cond, &s->up_lock);
    failed = g_steal_pointer(&s->up_error);
    g_mutex_unlock(&s->up_lock);
    if (failed) {
        g_propagate_error(error, failed);
        return false;
    }
    return true;
}


/* Whether @key is queued for upload (with its size in *@ret_size). */
static bool
s3UploadPending(s3Store *s, const char *key, guint64 *ret_size)
{
    gpointer size = NULL;
    bool found;

    g_mutex_lock(&s->up_lock);
    found = g_hash_table_lookup_extended(s->pending, key, NULL, &size);
    g_mutex_unlock(&s->up_lock);
    if (found && ret_size)
        *ret_size = GPOINTER_TO_SIZE(size);
    return found;
}


static bool
s3Put(cairnRepoStore *store,
      const char *key,
      const struct iovec *iov,
      int iovcnt,
      bool no_replace,
      bool durable,
      bool *ret_created,
      GError **error)
{
    s3Store *s = (s3Store *)store;
    g_autofree guint8 *data = NULL;
    size_t len = 0;
    size_t cap = 0;
    size_t off = 0;

    bool head = no_replace && !s3JustMissing(s, key);

    s3MarkerRefresh(s);
    /* HEAD before PUT: a chunk another host stored is not uploaded again
     * (unless this thread's last request was that HEAD) */
    if (head) {
        int ex = s3Exists(store, key, NULL, error);

        if (ex < 0)
            return false;
        if (ex > 0) {
            if (ret_created)
                *ret_created = false;
            return true;
        }
    }
    for (int i = 0; i < iovcnt; i++)
        len += iov[i].iov_len;
    data = s3BufTake(s, len, &cap);
    for (int i = 0; i < iovcnt; i++) {
        memcpy(data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    if (durable ? !s3PutRaw(s, key, data, len, error) :
                  !s3UploadQueue(s, key, g_steal_pointer(&data), len, cap, error))
        return false;
    if (durable)
        s3KnownAdd(s, key, len);
    if (ret_created)
        *ret_created = true;
    return true;
}


static bool
s3Get(cairnRepoStore *store,
      const char *key,
      size_t max_len,
      guint8 **buf,
      size_t *cap,
      size_t *ret_len,
      GError **error)
{
    s3Store *s = (s3Store *)store;
    s3Sink sink = { buf, cap, 0, max_len, false };
    s3Reply r;

    if (!s3Request(s, "GET", key, NULL, NULL, 0, &sink, &r, error))
        return false;
    if (r.status >= 300) {
        s3SetHttpError(s, "GET", key, r.status, *buf, sink.len, error);
        return false;
    }
    *ret_len = sink.len;
    return true;
}


struct _s3ListParse {
    GString *text;
    char *key;
    guint64 size;
    gint64 mtime;
    bool truncated;
    char *token;
    GPtrArray *keys; /* char* */
    GArray *sizes;   /* guint64 */
    GArray *mtimes;  /* gint64 */
};


static s3ListParse *
s3ListParseNew(void)
{
    s3ListParse *lp = g_new0(s3ListParse, 1);

    lp->text = g_string_new(NULL);
    lp->keys = g_ptr_array_new_with_free_func(g_free);
    lp->sizes = g_array_new(FALSE, FALSE, sizeof(guint64));
    lp->mtimes = g_array_new(FALSE, FALSE, sizeof(gint64));
    return lp;
}


static void
s3ListParseFree(s3ListParse *lp)
{
    g_string_free(lp->text, TRUE);
    g_free(lp->key);
    g_free(lp->token);
    g_ptr_array_unref(lp->keys);
    g_array_unref(lp->sizes);
    g_array_unref(lp->mtimes);
    g_free(lp);
}


/* Whether the last page said more follow. */
static bool
s3ListParseMore(s3ListParse *lp)
{
    return lp->truncated && lp->token;
}


static GPtrArray *
s3ListParseKeys(s3ListParse *lp)
{
    return lp->keys;
}


static GArray *
s3ListParseSizes(s3ListParse *lp)
{
    return lp->sizes;
}


static GArray *
s3ListParseMtimes(s3ListParse *lp)
{
    return lp->mtimes;
}


static void
s3ListStart(GMarkupParseContext *ctx G_GNUC_UNUSED,
            const char *name G_GNUC_UNUSED,
            const char **attr_names G_GNUC_UNUSED,
            const char **attr_values G_GNUC_UNUSED,
            gpointer opaque,
            GError **error G_GNUC_UNUSED)
{
    s3ListParse *lp = opaque;

    g_string_truncate(lp->text, 0);
}


static void
s3ListEnd(GMarkupParseContext *ctx G_GNUC_UNUSED,
          const char *name,
          gpointer opaque,
          GError **error G_GNUC_UNUSED)
{
    s3ListParse *lp = opaque;

    if (g_str_equal(name, "Key")) {
        g_free(lp->key);
        lp->key = g_strdup(lp->text->str);
    } else if (g_str_equal(name, "Size")) {
        lp->size = g_ascii_strtoull(lp->text->str, NULL, 10);
    } else if (g_str_equal(name, "LastModified")) {
        g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(lp->text->str, NULL);

        lp->mtime = dt ? g_date_time_to_unix(dt) : 0;
    } else if (g_str_equal(name, "IsTruncated")) {
        lp->truncated = g_str_equal(lp->text->str, "true");
    } else if (g_str_equal(name, "NextContinuationToken")) {
        g_free(lp->token);
        lp->token = g_strdup(lp->text->str);
    } else if (g_str_equal(name, "Contents") && lp->key) {
        g_ptr_array_add(lp->keys, g_steal_pointer(&lp->key));
        g_array_append_val(lp->sizes, lp->size);
        g_array_append_val(lp->mtimes, lp->mtime);
    }
    g_string_truncate(lp->text, 0);
}


static void
s3ListText(GMarkupParseContext *ctx G_GNUC_UNUSED,
           const char *text,
           gsize len,
           gpointer opaque,
           GError **error G_GNUC_UNUSED)
{
    s3ListParse *lp = opaque;

    g_string_append_len(lp->text, text, (gssize)len);
}


static const GMarkupParser s3ListParser = {
    s3ListStart, s3ListEnd, s3ListText, NULL, NULL,
};


/* One page of ListObjectsV2 under @full_prefix, continuing at *@token. */
static bool
s3ListPage(s3Store *s, const char *full_prefix, s3ListParse *lp, GError **error)
{
    g_autofree guint8 *buf = NULL;
    size_t cap = 0;
    s3Sink sink = { &buf, &cap, 0, S3_LIST_MAX, false };
    g_autofree char *enc_prefix = s3Encode(full_prefix, false);
    g_autofree char *enc_token = lp->token ? s3Encode(lp->token, false) : NULL;
    g_autofree char *query = NULL;
    g_autoptr(GMarkupParseContext) ctx = NULL;
    g_autoptr(GError) local = NULL;
    s3Reply r;

    /* parameters in byte order: SigV4 signs the query as given */
    if (enc_token) {
        query =
            g_strdup_printf("continuation-token=%s&list-type=2&prefix=%s", enc_token, enc_prefix);
    } else {
        query = g_strdup_printf("list-type=2&prefix=%s", enc_prefix);
    }
    g_clear_pointer(&lp->token, g_free);
    lp->truncated = false;
    if (!s3Request(s, "GET", NULL, query, NULL, 0, &sink, &r, error))
        return false;
    if (r.status >= 300) {
        s3SetHttpError(s, "LIST", full_prefix, r.status, buf, sink.len, error);
        return false;
    }
    ctx = g_markup_parse_context_new(&s3ListParser, 0, lp, NULL);
    if (!g_markup_parse_context_parse(ctx, (const char *)buf, (gssize)sink.len, &local) ||
        !g_markup_parse_context_end_parse(ctx, &local)) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_IO, "%s: cannot parse the listing of %s: %s",
                          s->url, full_prefix, local->message);
        return false;
    }
    return true;
}


static bool
s3List(cairnRepoStore *store,
       const char *prefix,
       cairnRepoStoreListFunc func,
       gpointer opaque,
       GError **error)
{
    s3Store *s = (s3Store *)store;
    g_autofree char *full = g_strconcat(s->prefix, prefix, NULL);
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autoptr(GArray) mtimes = g_array_new(FALSE, FALSE, sizeof(gint64));
    s3ListParse lp = { text, NULL, 0, 0, false, NULL, keys, sizes, mtimes };
    bool ok = true;

    s3MarkerRefresh(s);
    do {
        if (!(ok = s3ListPage(s, full, &lp, error)))
            break;
    } while (lp.truncated && lp.token);
    g_free(lp.key);
    g_free(lp.token);
    if (!ok)
        return false;
    for (guint i = 0; i < keys->len; i++) {
        const char *key = keys->pdata[i];

        if (!g_str_has_prefix(key, s->prefix))
            continue;
        key += strlen(s->prefix);
        if (!func(key, g_array_index(sizes, guint64, i), g_array_index(mtimes, gint64, i), opaque,
                  error))
            return false;
    }
    return true;
}


static bool
s3Remove(cairnRepoStore *store, const char *key, GError **error)
{
    s3Store *s = (s3Store *)store;
    s3Reply r;

    s3KnownRemove(s, key);
    if (!s3Request(s, "DELETE", key, NULL, NULL, 0, NULL, &r, error))
        return false;
    if (r.status >= 300 && r.status != 404) {
        s3SetHttpError(s, "DELETE", key, r.status, NULL, 0, error);
        return false;
    }
    return true;
}


typedef struct {
    cairnRepoStore *store;
    const char *const *keys;
    guint n;
    guint next; /* atomic */
    GMutex lock;
    GError *error; /* the first, under lock */
} s3RemoveJob;


static gpointer
s3RemoveWorker(gpointer opaque)
{
    s3RemoveJob *job = opaque;
    guint i;

    while ((i = (guint)g_atomic_int_add(&job->next, 1)) < job->n) {
        g_autoptr(GError) local = NULL;

        if (!s3Remove(job->store, job->keys[i], &local)) {
            g_mutex_lock(&job->lock);
            if (!job->error)
                job->error = g_steal_pointer(&local);
            g_mutex_unlock(&job->lock);
            g_atomic_int_set(&job->next, (gint)job->n);
        }
    }
    return NULL;
}


/* The DELETEs go out at once, as many as the store has connections: the
 * threads only wait, the transfers run in the store's multi handle. */
static bool
s3RemoveMany(cairnRepoStore *store, const char *const *keys, guint n, GError **error)
{
    s3Store *s = (s3Store *)store;
    s3RemoveJob job = { store, keys, n, 0, { 0 }, NULL };
    guint nthreads = MIN(n, (guint)s->connections);
    g_autoptr(GPtrArray) threads = g_ptr_array_new();

    if (n == 0)
        return true;
    s3MarkerRefresh(s);
    g_mutex_init(&job.lock);
    for (guint i = 0; i < nthreads; i++)
        g_ptr_array_add(threads, g_thread_new("cairn-s3-rm", s3RemoveWorker, &job));
    for (guint i = 0; i < threads->len; i++)
        g_thread_join(threads->pdata[i]);
    g_mutex_clear(&job.lock);
    if (job.error) {
        g_propagate_error(error, job.error);
        return false;
    }
    return true;
}


static bool
s3Sync(cairnRepoStore *store, GError **error)
{
    /* a PUT is durable when the store answers it: wait for the answers */
    return s3UploadWait((s3Store *)store, error);
}


typedef struct {
    const char *own;
    gint64 own_mtime;
    GPtrArray *keys;
    GArray *mtimes;
} s3Markers;


static bool
s3CollectMarker(const char *key,
                guint64 size G_GNUC_UNUSED,
                gint64 mtime,
                gpointer opaque,
                GError **error G_GNUC_UNUSED)
{
    s3Markers *m = opaque;

    if (g_str_equal(key, m->own)) {
        m->own_mtime = mtime;
        return true;
    }
    g_ptr_array_add(m->keys, g_strdup(key));
    g_array_append_val(m->mtimes, mtime);
    return true;
}


static bool
s3Lock(cairnRepoStore *store, cairnRepoLockMode mode, GError **error)
{
    s3Store *s = (s3Store *)store;
    bool exclusive = mode == CAIRN_REPO_LOCK_EXCLUSIVE;
    guint8 rnd[8];
    char hex[17];
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) mtimes = g_array_new(FALSE, FALSE, sizeof(gint64));
    s3Markers m = { NULL, -1, keys, mtimes };
    guint live = 0;
    const char *blocker = NULL;

    for (size_t i = 0; i < sizeof(rnd); i++)
        rnd[i] = (guint8)g_random_int_range(0, 256);
    for (size_t i = 0; i < sizeof(rnd); i++)
        g_snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    g_mutex_lock(&s->marker_lock);
    s->marker_key = g_strdup_printf("locks/%s-%s", exclusive ? "exclusive" : "shared", hex);
    m.own = s->marker_key;
    /* write first, read second: of two concurrent openers, one sees the other */
    if (!s3MarkerPut(s, error)) {
        g_clear_pointer(&s->marker_key, g_free);
        g_mutex_unlock(&s->marker_lock);
        return false;
    }
    g_mutex_unlock(&s->marker_lock);
    if (!s3List(store, "locks/", s3CollectMarker, &m, error))
        return false;
    for (guint i = 0; i < keys->len; i++) {
        const char *key = keys->pdata[i];
        gint64 mt = g_array_index(mtimes, gint64, i);

        /* the server's time of our own marker is "now": no clock to trust */
        if (m.own_mtime >= 0 && mt < m.own_mtime - s->marker_stale) {
            /* a killed process's marker: gc clears it */
            if (exclusive)
                s3Remove(store, key, NULL);
            continue;
        }
        if (exclusive || g_str_has_prefix(key, "locks/exclusive-")) {
            live++;
            blocker = key;
        }
    }
    if (live) {
        g_autofree char *own = NULL;

        g_mutex_lock(&s->marker_lock);
        own = g_steal_pointer(&s->marker_key);
        g_mutex_unlock(&s->marker_lock);
        s3Remove(store, own, NULL);
        if (exclusive) {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_LOCKED,
                              "repository %s is in use by %u other process(es) (e.g. %s): gc "
                              "runs when nothing else uses the repository",
                              s->url, live, blocker);
        } else {
            cairnRepoSetError(error, CAIRN_REPO_ERROR_LOCKED,
                              "repository %s is locked by gc (%s); try again when it is done",
                              s->url, blocker);
        }
        return false;
    }
    return true;
}


static bool
s3Cleanup(cairnRepoStore *store G_GNUC_UNUSED,
          bool dry_run G_GNUC_UNUSED,
          guint64 *ret_count,
          GError **error G_GNUC_UNUSED)
{
    /* a PUT is atomic: no temp objects exist */
    *ret_count = 0;
    return true;
}


/* One line of the counters, as CAIRN_S3_STATS=1 prints it. */
static char *
s3StatsLine(s3Store *s)
{
    s3XferStats x;

    s3XferGetStats(s->xfer, &x);
    return g_strdup_printf(
        "%s: s3 requests: PUT %d (%" G_GSSIZE_FORMAT " bytes), GET %d (%" G_GSSIZE_FORMAT
        " bytes), HEAD %d, LIST %d, DELETE %d, retries %d, connections %u, "
        "at once %u",
        s->url, g_atomic_int_get(&s->n_put), s->bytes_up, g_atomic_int_get(&s->n_get),
        s->bytes_down, g_atomic_int_get(&s->n_head), g_atomic_int_get(&s->n_list),
        g_atomic_int_get(&s->n_delete), g_atomic_int_get(&s->n_retry), x.connects, x.peak_running);
}


bool
cairnRepoStoreS3GetStats(cairnRepoStore *store, cairnRepoS3Stats *stats)
{
    s3Store *s = (s3Store *)store;
    s3XferStats x;

    if (!store || store->driver->name == NULL || !g_str_equal(store->driver->name, "s3"))
        return false;
    s3XferGetStats(s->xfer, &x);
    stats->put = (guint)g_atomic_int_get(&s->n_put);
    stats->get = (guint)g_atomic_int_get(&s->n_get);
    stats->head = (guint)g_atomic_int_get(&s->n_head);
    stats->list = (guint)g_atomic_int_get(&s->n_list);
    stats->del = (guint)g_atomic_int_get(&s->n_delete);
    stats->retries = (guint)g_atomic_int_get(&s->n_retry);
    stats->bytes_up = (guint64)g_atomic_pointer_get(&s->bytes_up);
    stats->bytes_down = (guint64)g_atomic_pointer_get(&s->bytes_down);
    stats->connects = x.connects;
    stats->peak_running = x.peak_running;
    return true;
}


static void
s3Free(cairnRepoStore *store)
{
    s3Store *s = (s3Store *)store;

    /* uploads not synced belong to no snapshot: let them finish */
    if (s->uploads)
        g_thread_pool_free(s->uploads, FALSE, TRUE);
    if (s->up_error)
        g_debug("%s: upload failed: %s", s->url, s->up_error->message);
    g_clear_error(&s->up_error);
    if (s->pending)
        g_hash_table_unref(s->pending);
    if (s->spare)
        g_ptr_array_free(s->spare, TRUE);
    g_mutex_clear(&s->up_lock);
    g_cond_clear(&s->up_cond);
    if (s->marker_key && s->idle)
        s3Remove(store, s->marker_key, NULL);
    if (s->xfer) {
        g_autofree char *line = s3StatsLine(s);

        g_debug("%s", line);
        if (g_strcmp0(g_getenv("CAIRN_S3_STATS"), "1") == 0)
            fprintf(stderr, "%s\n", line);
    }
    /* the easy handles are out of the multi handle: none is running */
    g_clear_pointer(&s->xfer, s3XferFree);
    if (s->idle) {
        for (guint i = 0; i < s->idle->len; i++)
            curl_easy_cleanup(s->idle->pdata[i]);
        g_ptr_array_free(s->idle, TRUE);
    }
    g_mutex_clear(&s->pool_lock);
    g_mutex_clear(&s->marker_lock);
    g_mutex_clear(&s->known_lock);
    if (s->known)
        g_hash_table_unref(s->known);
    g_free(s->marker_key);
    g_free(s->url);
    g_free(s->bucket);
    g_free(s->prefix);
    g_free(s->scheme);
    g_free(s->host);
    g_free(s->sigv4);
    g_free(s->access);
    if (s->userpwd)
        memset(s->userpwd, 0, strlen(s->userpwd));
    g_free(s->userpwd);
    g_free(s->token);
    g_free(s);
}


static const cairnRepoStoreDriver s3Driver = {
    .name = "s3",
    .put = s3Put,
    .get = s3Get,
    .exists = s3Exists,
    .list = s3List,
    .remove = s3Remove,
    .remove_many = s3RemoveMany,
    .sync = s3Sync,
    .lock = s3Lock,
    .cleanup = s3Cleanup,
    .free = s3Free,
};


bool
cairnRepoPathIsS3(const char *path)
{
    return path && g_str_has_prefix(path, "s3://");
}


static gsize s3CurlInit;

cairnRepoStore *
cairnRepoStoreS3Open(const char *url, GError **error)
{
    g_autoptr(cairnRepoStore) store = NULL;
    s3Store *s = g_new0(s3Store, 1);
    const char *region = envOr("AWS_REGION", envOr("AWS_DEFAULT_REGION", "us-east-1"));
    g_autofree char *access = NULL;
    g_autofree char *secret = NULL;
    g_autofree char *token = NULL;

    if (g_once_init_enter(&s3CurlInit)) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        g_once_init_leave(&s3CurlInit, 1);
    }
    s->parent.driver = &s3Driver;
    g_mutex_init(&s->pool_lock);
    g_mutex_init(&s->marker_lock);
    g_mutex_init(&s->known_lock);
    g_mutex_init(&s->up_lock);
    g_cond_init(&s->up_cond);
    s->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->spare = g_ptr_array_new_with_free_func(s3BufFree);
    store = &s->parent;
    s->url = g_strdup(url);
    s->retries = (int)g_ascii_strtoll(envOr("CAIRN_S3_RETRIES", "5"), NULL, 10);
    s->retries = CLAMP(s->retries, 0, 20);
    s->marker_stale = g_ascii_strtoll(envOr("CAIRN_S3_MARKER_STALE", "3600"), NULL, 10);
    s->known_max = (guint)CLAMP(
        g_ascii_strtoll(envOr("CAIRN_S3_LIST_CHUNKS", G_STRINGIFY(S3_KNOWN_MAX_DEFAULT)), NULL, 10),
        0, G_MAXINT);
    if (!s3ParseUrl(s, url, error) || !s3ParseEndpoint(s, region, error))
        return NULL;
    if (g_getenv("AWS_ACCESS_KEY_ID") && g_getenv("AWS_SECRET_ACCESS_KEY")) {
        access = g_strdup(g_getenv("AWS_ACCESS_KEY_ID"));
        secret = g_strdup(g_getenv("AWS_SECRET_ACCESS_KEY"));
        token = g_strdup(g_getenv("AWS_SESSION_TOKEN"));
    } else if (!s3LoadProfile(s, &access, &secret, &token, error)) {
        return NULL;
    }
    s->sigv4 = g_strdup_printf("aws:amz:%s:s3", region);
    s->access = g_strdup(access);
    s->userpwd = g_strdup_printf("%s:%s", access, secret);
    s->token = token && *token ? g_strdup(token) : NULL;
    memset(secret, 0, strlen(secret));
    s->connections = g_ascii_strtoll(envOr("CAIRN_S3_CONNECTIONS", "16"), NULL, 10);
    s->connections = CLAMP(s->connections, 1, 64);
    if (!(s->xfer = s3XferNew(s->connections))) {
        cairnRepoSetError(error, CAIRN_REPO_ERROR_IO, "%s: cannot create a curl multi handle", url);
        return NULL;
    }
    s->idle = g_ptr_array_new();
    s->uploads = g_thread_pool_new(s3UploadRun, s, (gint)s->connections, FALSE, NULL);
    return g_steal_pointer(&store);
}
