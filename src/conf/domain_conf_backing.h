/*
 * domain_conf_backing.h: a disk's <backingStore>, in libvirt's layout.
 *
 * Cairn knows one layer below a disk's image, given in the definition
 * instead of being probed from the image's header (libvirt does the same
 * for a user-given backingStore):
 *
 *   <backingStore type='network'>
 *     <format type='raw'/>
 *     <source protocol='nbd' name='EXPORT'>
 *       <host transport='unix' socket='/run/x.sock'/>
 *     </source>
 *   </backingStore>
 *
 * or type='file' with <source file='...'/>. The layer is read-only. An
 * empty <backingStore/> (libvirt's "no backing") and a nested empty one
 * inside the layer are accepted and dropped; deeper chains, other
 * protocols and TCP hosts are CAIRN_ERR_CONFIG_UNSUPPORTED (ignored with
 * LENIENT).
 *
 * The same layer can be written as the backing-file string QEMU keeps in a
 * qcow2 header, an NBD URI: nbd+unix:///EXPORT?socket=/run/x.sock
 * (cairnDomainDiskBackingToURI() / cairnDomainDiskBackingFromURI()).
 */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libxml/tree.h>

typedef enum {
    CAIRN_DOMAIN_BACKING_FILE = 0,
    CAIRN_DOMAIN_BACKING_NBD, /* type='network' protocol='nbd', unix socket */
} cairnDomainDiskBackingKind;

typedef struct _cairnDomainDiskBacking cairnDomainDiskBacking;
struct _cairnDomainDiskBacking {
    cairnDomainDiskBackingKind kind;
    char *format; /* <format type=...>: "raw" or "qcow2"; NULL: unknown */
    char *file;   /* FILE: <source file=...> */
    char *name;   /* NBD: the export name; may be NULL (default export) */
    char *socket; /* NBD: <host transport='unix' socket=...> */
};

cairnDomainDiskBacking *cairnDomainDiskBackingNew(cairnDomainDiskBackingKind kind);
void cairnDomainDiskBackingFree(cairnDomainDiskBacking *backing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnDomainDiskBacking, cairnDomainDiskBackingFree)
cairnDomainDiskBacking *cairnDomainDiskBackingCopy(const cairnDomainDiskBacking *backing);

/* Parse <backingStore> @node; *@ret is NULL for an empty element. Errors:
 * CAIRN_ERR_XML_ERROR (missing socket, file), CAIRN_ERR_CONFIG_UNSUPPORTED
 * (outside the subset above, unless @lenient). */
bool cairnDomainDiskBackingParse(const xmlNode *node,
                                 bool lenient,
                                 cairnDomainDiskBacking **ret,
                                 GError **error);

/* Append the element, indented by @ind. */
void cairnDomainDiskBackingFormat(GString *buf, const cairnDomainDiskBacking *backing, int ind);

/* The NBD URI (nbd+unix:///NAME?socket=PATH) or the file name. */
char *cairnDomainDiskBackingToURI(const cairnDomainDiskBacking *backing);

/* An NBD layer from a backing-file string, format @format (may be NULL);
 * NULL when @str is not an nbd+unix URI with a socket. */
cairnDomainDiskBacking *cairnDomainDiskBackingFromURI(const char *str, const char *format);

/* True when @str is an NBD URI (nbd:, nbd+unix:, nbd+tcp: ...). */
bool cairnDomainDiskBackingIsNBDURI(const char *str);
