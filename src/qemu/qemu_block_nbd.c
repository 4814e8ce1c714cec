/*
 * qemu_block_nbd.c: NBD layers and qcow2 backing strings (see
 * qemu_block_nbd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cairn/cairn-error.h"
#include "qemu_block.h"
#include "qemu_block_nbd.h"
#include "util/cairnerror.h"

#define FROM CAIRN_FROM_QEMU

#define QCOW2_MAGIC 0x514649fbu
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_HEADER_V2_LEN 72
#define QCOW2_MAX_BACKING 1023
#define QCOW2_MAX_EXT_AREA 65536


static guint32
be32(const unsigned char *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}


static guint64
be64(const unsigned char *p)
{
    return ((guint64)be32(p) << 32) | be32(p + 4);
}


static bool
nbdPread(int fd, void *buf, size_t len, off_t off)
{
    ssize_t n;

    do {
        n = pread(fd, buf, len, off);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)len;
}


/* The backing-format header extension, NULL when absent. */
static char *
nbdReadBackingFormat(int fd, guint32 version, const unsigned char *hdr, guint64 end)
{
    guint64 off = version >= 3 ? be32(hdr + 100) : QCOW2_HEADER_V2_LEN;
    guint64 limit = MIN(end, off + QCOW2_MAX_EXT_AREA);

    while (off + 8 <= limit) {
        unsigned char ext[8];
        guint32 type;
        guint32 len;

        if (!nbdPread(fd, ext, sizeof(ext), off))
            return NULL;
        type = be32(ext);
        len = be32(ext + 4);
        if (type == 0)
            return NULL;
        if (type == QCOW2_EXT_BACKING_FORMAT && len > 0 && len < 64) {
            char fmt[64] = { 0 };

            if (!nbdPread(fd, fmt, len, off + 8))
                return NULL;
            return g_strndup(fmt, len);
        }
        off += 8 + ((len + 7) & ~7u);
    }
    return NULL;
}


bool
qemuBlockNBDReadBacking(const char *path, char **ret_backing, char **ret_format, GError **error)
{
    unsigned char hdr[104] = { 0 };
    g_autofree char *backing = NULL;
    guint64 offset;
    guint32 size;
    guint32 version;
    int fd;

    *ret_backing = NULL;
    *ret_format = NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED, "cannot open '%s': %s", path,
                      g_strerror(errno));
        return false;
    }
    if (!nbdPread(fd, hdr, QCOW2_HEADER_V2_LEN, 0) || be32(hdr) != QCOW2_MAGIC) {
        close(fd);
        return true;
    }
    version = be32(hdr + 4);
    if (version >= 3 && !nbdPread(fd, hdr, sizeof(hdr), 0)) {
        close(fd);
        return true;
    }
    offset = be64(hdr + 8);
    size = be32(hdr + 16);
    if (offset == 0 || size == 0 || size > QCOW2_MAX_BACKING) {
        close(fd);
        return true;
    }
    backing = g_malloc0(size + 1);
    if (!nbdPread(fd, backing, size, (off_t)offset)) {
        cairnErrorSet(error, FROM, CAIRN_ERR_OPERATION_FAILED,
                      "cannot read the backing file name of '%s'", path);
        close(fd);
        return false;
    }
    *ret_format = nbdReadBackingFormat(fd, version, hdr, offset);
    *ret_backing = g_steal_pointer(&backing);
    close(fd);
    return true;
}


JsonObject *
qemuBlockNBDStorageProps(const char *uri, const char *node)
{
    g_autoptr(cairnDomainDiskBacking) backing = cairnDomainDiskBackingFromURI(uri, NULL);
    JsonObject *obj;
    JsonObject *server;

    if (!backing)
        return NULL;
    obj = json_object_new();
    server = json_object_new();
    json_object_set_string_member(obj, "driver", "nbd");
    json_object_set_string_member(server, "type", "unix");
    json_object_set_string_member(server, "path", backing->socket);
    json_object_set_object_member(obj, "server", server);
    if (backing->name)
        json_object_set_string_member(obj, "export", backing->name);
    json_object_set_int_member(obj, "reconnect-delay", QEMU_BLOCK_NBD_RECONNECT_DELAY);
    json_object_set_string_member(obj, "node-name", node);
    json_object_set_boolean_member(obj, "read-only", TRUE);
    return obj;
}


void
qemuBlockNBDNoteBacking(cairnDomainDef *def, GHashTable *chains)
{
    for (guint i = 0; chains && i < def->disks->len; i++) {
        cairnDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        GPtrArray *layers = g_hash_table_lookup(chains, disk->dst);
        qemuBlockLayer *top;

        if (disk->backing || !layers || layers->len == 0)
            continue;
        top = g_ptr_array_index(layers, 0);
        disk->backing = cairnDomainDiskBackingFromURI(top->file, top->driver);
    }
}
