/*
 * cairn-backup-live-parts.c: servers, images and domain XML of a live
 * restore (see cairn-backup-live-parts.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cairn-backup-live-parts.h"
#include "cairn-backup-serve.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* How long a new server may take to appear, ms. */
#define CB_LIVE_SERVER_START_MS 10000
#define CB_LIVE_SERVER_STOP_MS 5000
#define CB_LIVE_POLL_MS 10


void
cbLiveDiskFree(cbLiveDisk *d)
{
    if (!d)
        return;
    g_free(d->disk);
    g_free(d->image);
    g_free(d->socket);
    g_free(d->pidfile);
    if (d->zeros)
        g_array_unref(d->zeros);
    g_free(d);
}


char *
cbLiveDiskURI(const cbLiveDisk *d)
{
    g_autofree char *name = g_uri_escape_string(d->disk, NULL, FALSE);
    g_autofree char *sock = g_uri_escape_string(d->socket, "/", FALSE);

    return g_strdup_printf("nbd+unix:///%s?socket=%s", name, sock);
}


/* ---- servers ---------------------------------------------------------- */

/* Whether process @pid runs nbdkit with @socket on its command line. */
static bool
cbLiveIsServer(pid_t pid, const char *socket)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *cmdline = NULL;
    gsize len = 0;
    bool nbdkit = false;
    bool sock = false;

    if (!g_file_get_contents(path, &cmdline, &len, NULL))
        return false;
    for (gsize off = 0; off < len; off += strlen(cmdline + off) + 1) {
        const char *arg = cmdline + off;
        g_autofree char *base = g_path_get_basename(arg);

        if (off == 0)
            nbdkit = g_str_equal(base, "nbdkit");
        else if (g_str_equal(arg, socket))
            sock = true;
    }
    return nbdkit && sock;
}


pid_t
cbLiveServerPid(const cbLiveDisk *d)
{
    g_autofree char *text = NULL;
    gint64 pid;

    if (!g_file_get_contents(d->pidfile, &text, NULL, NULL))
        return 0;
    pid = g_ascii_strtoll(g_strstrip(text), NULL, 10);
    if (pid <= 0 || pid > G_MAXINT || !cbLiveIsServer((pid_t)pid, d->socket))
        return 0;
    return (pid_t)pid;
}


static bool
cbLiveSocketAccepts(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;
    bool ok;

    if (strlen(path) >= sizeof(addr.sun_path))
        return false;
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return false;
    ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
    close(fd);
    return ok;
}


bool
cbLiveServerSpawn(const cbOptions *opts,
                  const char *repo,
                  const char *id,
                  cbLiveDisk *d,
                  GPid *ret_pid,
                  int *ret_err,
                  GError **error)
{
    g_auto(GStrv) serve = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) gerr = NULL;

    if (strlen(d->socket) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
        cbSetError(error, "socket path '%s' is too long; use a shorter --to", d->socket);
        return false;
    }
    if (!(serve = cbServeArgv(opts, repo, id, d->disk, d->socket, NULL, error)))
        return false;
    /* serve's command line, daemonized with a pid file. */
    for (guint i = 0; serve[i]; i++) {
        if (g_str_equal(serve[i], "--foreground"))
            continue;
        g_ptr_array_add(argv, g_strdup(serve[i]));
        if (i == 0) {
            g_ptr_array_add(argv, g_strdup("-P"));
            g_ptr_array_add(argv, g_strdup(d->pidfile));
        }
    }
    g_ptr_array_add(argv, NULL);
    g_unlink(d->socket);
    g_unlink(d->pidfile);
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                  G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                      G_SPAWN_STDOUT_TO_DEV_NULL,
                                  NULL, NULL, ret_pid, NULL, NULL, ret_err, &gerr)) {
        cbSetError(error, "cannot run nbdkit: %s", gerr->message);
        return false;
    }
    return true;
}


bool
cbLiveServerWait(cbLiveDisk *d, GPid pid, int errfd, GError **error)
{
    g_autoptr(GIOChannel) ch = g_io_channel_unix_new(errfd);
    g_autofree char *err = NULL;
    gint64 deadline;
    int status = 0;

    g_io_channel_set_close_on_unref(ch, TRUE);
    g_io_channel_read_to_end(ch, &err, NULL, NULL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    g_spawn_close_pid(pid);
    if (!g_spawn_check_wait_status(status, NULL)) {
        cbSetError(error, "nbdkit failed to serve disk '%s': %s", d->disk,
                   err ? g_strstrip(err) : "");
        return false;
    }
    /* nbdkit listens before it forks; its pid file comes from the child. */
    deadline = g_get_monotonic_time() + CB_LIVE_SERVER_START_MS * G_TIME_SPAN_MILLISECOND;
    while (!cbLiveServerPid(d) || !cbLiveSocketAccepts(d->socket)) {
        if (g_get_monotonic_time() > deadline) {
            cbSetError(error, "nbdkit for disk '%s' did not come up on '%s'", d->disk, d->socket);
            return false;
        }
        g_usleep(CB_LIVE_POLL_MS * G_TIME_SPAN_MILLISECOND);
    }
    return true;
}


bool
cbLiveServerStart(
    const cbOptions *opts, const char *repo, const char *id, cbLiveDisk *d, GError **error)
{
    GPid pid;
    int errfd;

    return cbLiveServerSpawn(opts, repo, id, d, &pid, &errfd, error) &&
           cbLiveServerWait(d, pid, errfd, error);
}


void
cbLiveServerStop(cbLiveDisk *d)
{
    pid_t pid = cbLiveServerPid(d);

    if (pid > 0) {
        gint64 deadline = g_get_monotonic_time() + CB_LIVE_SERVER_STOP_MS * G_TIME_SPAN_MILLISECOND;

        kill(pid, SIGTERM);
        while (kill(pid, 0) == 0 && cbLiveIsServer(pid, d->socket)) {
            if (g_get_monotonic_time() > deadline) {
                kill(pid, SIGKILL);
                break;
            }
            g_usleep(CB_LIVE_POLL_MS * G_TIME_SPAN_MILLISECOND);
        }
    }
    g_unlink(d->socket);
    g_unlink(d->pidfile);
}


/* ---- images ----------------------------------------------------------- */

char *
cbLiveImageBacking(const char *image, GError **error)
{
    const char *argv[] = { "qemu-img", "info", "--output=json", "-U", image, NULL };
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) gerr = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    JsonObject *obj;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      &status, &gerr)) {
        cbSetError(error, "cannot run qemu-img: %s", gerr->message);
        return NULL;
    }
    if (!g_spawn_check_wait_status(status, NULL) ||
        !json_parser_load_from_data(parser, out, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        cbSetError(error, "cannot read image '%s': %s", image, err ? g_strstrip(err) : "");
        return NULL;
    }
    obj = json_node_get_object(json_parser_get_root(parser));
    return g_strdup(json_object_get_string_member_with_default(obj, "backing-filename", ""));
}


bool
cbLiveImageCreate(cbLiveDisk *d, char **ret_temp, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(d->image);
    g_autofree char *base = g_path_get_basename(d->image);
    g_autofree char *temp = g_strdup_printf("%s/.%s.partial", dir, base);
    g_autofree char *uri = cbLiveDiskURI(d);
    g_autofree char *size = g_strdup_printf("%" G_GUINT64_FORMAT, d->size);
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-u", "-F",
                           "raw",      "-b",     uri,  temp, size,    NULL };
    g_autoptr(GError) gerr = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    g_unlink(temp);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, &gerr)) {
        cbSetError(error, "cannot run qemu-img: %s", gerr->message);
        return false;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        cbSetError(error, "cannot create '%s': %s", d->image, g_strstrip(err));
        g_unlink(temp);
        return false;
    }
    *ret_temp = g_steal_pointer(&temp);
    return true;
}


/* qemu-io on @temp with the commands in @script on its stdin. */
static bool
cbLiveQemuIo(const char *temp, const char *script, GError **error)
{
    const char *argv[] = { "qemu-io", "-f", "qcow2", temp, NULL };
    g_autoptr(GSubprocess) proc = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    if (!(proc = g_subprocess_newv(argv,
                                   G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   error)) ||
        !g_subprocess_communicate_utf8(proc, script, NULL, &out, &err, error))
        return false;
    if (!g_subprocess_get_successful(proc) || (out && strstr(out, "rror"))) {
        cbSetError(error, "cannot mark the zero chunks in '%s': %s", temp,
                   err && *err ? g_strstrip(err) : (out ? g_strstrip(out) : ""));
        return false;
    }
    return true;
}


bool
cbLiveImageCommit(cbLiveDisk *d, const char *temp, GError **error)
{
    g_autoptr(GString) script = g_string_new(NULL);

    for (guint i = 0; d->zeros && i + 1 < d->zeros->len; i += 2)
        g_string_append_printf(script, "write -z %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                               g_array_index(d->zeros, guint64, i),
                               g_array_index(d->zeros, guint64, i + 1));
    if (script->len > 0 && !cbLiveQemuIo(temp, script->str, error)) {
        g_unlink(temp);
        return false;
    }
    if (g_rename(temp, d->image) < 0) {
        cbSetErrno(error, errno, "cannot rename '%s' to '%s'", temp, d->image);
        g_unlink(temp);
        return false;
    }
    return true;
}


/* ---- domain XML ------------------------------------------------------- */

static xmlNode *
cbLiveChild(xmlNode *node, const char *name)
{
    for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, name))
            return c;
    }
    return NULL;
}


static void
cbLiveDropChildren(xmlNode *node, const char *name)
{
    xmlNode *c = node->children;

    while (c) {
        xmlNode *next = c->next;

        if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, name)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
}


/* The <disk> element of target @target, or NULL. */
static xmlNode *
cbLiveFindDisk(xmlNode *root, const char *target)
{
    xmlNode *devices = cbLiveChild(root, "devices");

    for (xmlNode *c = devices ? devices->children : NULL; c; c = c->next) {
        xmlNode *t;
        xmlChar *dev;
        bool match;

        if (c->type != XML_ELEMENT_NODE || !g_str_equal((const char *)c->name, "disk") ||
            !(t = cbLiveChild(c, "target")) || !(dev = xmlGetProp(t, BAD_CAST "dev")))
            continue;
        match = g_str_equal((const char *)dev, target);
        xmlFree(dev);
        if (match)
            return c;
    }
    return NULL;
}


/* Point @node (a <disk>) at @d's image, with its export as backing. */
static void
cbLiveRewriteDisk(xmlNode *node, const cbLiveDisk *d)
{
    xmlNode *target = cbLiveChild(node, "target");
    xmlNode *driver;
    xmlNode *source;

    xmlSetProp(node, BAD_CAST "type", BAD_CAST "file");
    cbLiveDropChildren(node, "driver");
    cbLiveDropChildren(node, "source");
    cbLiveDropChildren(node, "backingStore");
    driver = xmlNewNode(NULL, BAD_CAST "driver");
    xmlSetProp(driver, BAD_CAST "name", BAD_CAST "qemu");
    xmlSetProp(driver, BAD_CAST "type", BAD_CAST "qcow2");
    xmlAddPrevSibling(target, driver);
    source = xmlNewNode(NULL, BAD_CAST "source");
    xmlSetProp(source, BAD_CAST "file", BAD_CAST d->image);
    xmlAddPrevSibling(target, source);
    if (!d->done) {
        xmlNode *backing = xmlNewNode(NULL, BAD_CAST "backingStore");
        xmlNode *format = xmlNewChild(backing, NULL, BAD_CAST "format", NULL);
        xmlNode *bsource = xmlNewChild(backing, NULL, BAD_CAST "source", NULL);
        xmlNode *host = xmlNewChild(bsource, NULL, BAD_CAST "host", NULL);

        xmlSetProp(backing, BAD_CAST "type", BAD_CAST "network");
        xmlSetProp(format, BAD_CAST "type", BAD_CAST "raw");
        xmlSetProp(bsource, BAD_CAST "protocol", BAD_CAST "nbd");
        xmlSetProp(bsource, BAD_CAST "name", BAD_CAST d->disk);
        xmlSetProp(host, BAD_CAST "transport", BAD_CAST "unix");
        xmlSetProp(host, BAD_CAST "socket", BAD_CAST d->socket);
        xmlAddPrevSibling(target, backing);
    }
}


char *
cbLiveDomainXML(const char *xml, GPtrArray *disks, const char *name, bool rename, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *root;
    xmlChar *out = NULL;
    int len = 0;
    char *ret;

    if (!xml || !*xml ||
        !(doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                  XML_PARSE_NOBLANKS)) ||
        !(root = xmlDocGetRootElement(doc))) {
        cbSetError(error, "cannot parse the domain XML");
        return NULL;
    }
    if (rename) {
        xmlNode *n = cbLiveChild(root, "name");

        cbLiveDropChildren(root, "uuid");
        if (n)
            xmlNodeSetContent(n, BAD_CAST name);
    }
    for (guint i = 0; i < disks->len; i++) {
        const cbLiveDisk *d = g_ptr_array_index(disks, i);
        xmlNode *node = cbLiveFindDisk(root, d->disk);

        if (!node) {
            cbSetError(error, "the domain has no disk '%s'", d->disk);
            return NULL;
        }
        cbLiveRewriteDisk(node, d);
    }
    xmlDocDumpFormatMemory(doc, &out, &len, 1);
    ret = g_strndup((const char *)out, len);
    xmlFree(out);
    return ret;
}


static xmlNode *
cbLiveParseDisk(const char *xml, const char *target, xmlDoc **ret_doc)
{
    xmlDoc *doc;
    xmlNode *root;

    *ret_doc = NULL;
    if (!xml || !(doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)))
        return NULL;
    *ret_doc = doc;
    if (!(root = xmlDocGetRootElement(doc)))
        return NULL;
    return cbLiveFindDisk(root, target);
}


bool
cbLiveXMLHasBacking(const char *xml, const char *target)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *disk = cbLiveParseDisk(xml, target, &doc);
    xmlNode *backing = cbLiveChild(disk, "backingStore");

    return backing && backing->children;
}


bool
cbLiveXMLUsesImage(const char *xml, const char *target, const char *image)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *disk = cbLiveParseDisk(xml, target, &doc);
    xmlNode *source = cbLiveChild(disk, "source");
    xmlChar *file = source ? xmlGetProp(source, BAD_CAST "file") : NULL;
    bool ret = file && g_str_equal((const char *)file, image);

    xmlFree(file);
    return ret;
}
