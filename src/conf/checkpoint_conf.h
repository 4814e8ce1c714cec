/*
 * checkpoint_conf.h: <domaincheckpoint> XML, per spec/xml.md section 1.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "domain_conf.h"

typedef enum {
    CAIRN_CHECKPOINT_TYPE_DEFAULT = 0, /* not yet decided */
    CAIRN_CHECKPOINT_TYPE_NONE,        /* checkpoint='no' */
    CAIRN_CHECKPOINT_TYPE_BITMAP,      /* checkpoint='bitmap' */
    CAIRN_CHECKPOINT_TYPE_LAST
} cairnCheckpointType;

typedef struct _cairnCheckpointDiskDef cairnCheckpointDiskDef;
struct _cairnCheckpointDiskDef {
    char *name; /* disk target, or a source path before alignment */
    cairnCheckpointType type;
    char *bitmap;            /* bitmap name, for BITMAP disks */
    unsigned long long size; /* bytes dirtied since the checkpoint ... */
    bool has_size;           /* ... when computed (output only) */
};

typedef struct _cairnCheckpointDef cairnCheckpointDef;
struct _cairnCheckpointDef {
    char *name;
    char *description;
    char *parent_name;       /* NULL for a root */
    long long creation_time; /* seconds since the epoch; 0 = unset */
    GPtrArray *disks;        /* of cairnCheckpointDiskDef* */
    /* The embedded <domain>: parsed (leniently, for disk alignment) and,
     * so that it round-trips exactly, the formatted text of the element as
     * read or as Cairn formatted it, exactly as it appears inside
     * <domaincheckpoint> (indented by 2, ending with a newline), with its
     * secrets; dom_xml_public is the same without secrets, or NULL when
     * there are none to hide. Kept formatted so that output is a plain
     * copy. All NULL when there is no <domain>. */
    cairnDomainDef *dom;
    char *dom_xml;
    char *dom_xml_public;
};

typedef enum {
    /* Reading metadata back (public REDEFINE flag, or a driver loading its
     * saved files): creationTime, parent and domain are honoured. */
    CAIRN_CHECKPOINT_PARSE_REDEFINE = 1 << 0,
} cairnCheckpointParseFlags;

/* Output flags: numerically equal to the public
 * CAIRN_DOMAIN_CHECKPOINT_XML_* flags. */
typedef enum {
    CAIRN_CHECKPOINT_FORMAT_SECURE = 1 << 0,
    CAIRN_CHECKPOINT_FORMAT_NO_DOMAIN = 1 << 1,
    CAIRN_CHECKPOINT_FORMAT_SIZE = 1 << 2,
} cairnCheckpointFormatFlags;

cairnCheckpointDef *cairnCheckpointDefNew(void);
void cairnCheckpointDefFree(cairnCheckpointDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cairnCheckpointDef, cairnCheckpointDefFree)
cairnCheckpointDef *cairnCheckpointDefCopy(const cairnCheckpointDef *def);

/* Parse checkpoint XML. Enforces what libvirt's domaincheckpoint.rng
 * enforces (CAIRN_ERR_XML_INVALID_SCHEMA), then the parser rules of
 * spec/xml.md 1.2. Without REDEFINE, creationTime := cairnClockNow() and a
 * missing name := that time in decimal. Errors are raised in
 * CAIRN_FROM_DOMAIN_CHECKPOINT. */
cairnCheckpointDef *
cairnCheckpointDefParseString(const char *xml, unsigned int flags, GError **error);

/* Limits on a checkpoint a driver accepts (create, redefine, a backup's
 * checkpoint), chosen so that every accepted checkpoint can be saved,
 * loaded back by any later process and carried through cairnd, whatever
 * the path (docs/checkpoint-validate.md, "Limits of a checkpoint"):
 * - the name, at most CAIRN_CHECKPOINT_NAME_MAX bytes: NAME.xml and the
 *   temporary file of its atomic write (".NAME.xml.XXXXXX") stay within
 *   the 255 bytes of a file name, and QEMU's bitmap name limit (1023);
 * - the description, at most CAIRN_CHECKPOINT_DESCRIPTION_MAX bytes;
 * - the whole document as saved (with secrets and the <domain>), at most
 *   CAIRN_CHECKPOINT_XML_MAX bytes: below the daemon's 4 MiB string limit
 *   (with room for SIZE attributes), so that its checkpoint-dumpxml can be
 *   redefined through cairnd, and far below the XML reader's 10 MiB. */
#define CAIRN_CHECKPOINT_NAME_MAX 200
#define CAIRN_CHECKPOINT_DESCRIPTION_MAX (1024 * 1024)
#define CAIRN_CHECKPOINT_XML_MAX (3 * 1024 * 1024)

/* Check @def against those limits (the whole document as formatted with
 * SECURE and its <domain>, so call it once the domain is attached). Errors
 * CAIRN_ERR_INVALID_ARG, raised in CAIRN_FROM_DOMAIN_CHECKPOINT. */
bool cairnCheckpointDefCheckLimits(const cairnCheckpointDef *def, GError **error);

/* Format per spec/xml.md 1.5 (flags: cairnCheckpointFormatFlags). */
char *cairnCheckpointDefFormat(const cairnCheckpointDef *def, unsigned int flags);

/* Attach a copy of @dom (formatted inactive) as def's <domain>. */
void cairnCheckpointDefSetDomain(cairnCheckpointDef *def, const cairnDomainDef *dom);

/* Disk alignment (spec/xml.md 1.3) against def->dom, which must be set.
 * All errors CAIRN_ERR_CONFIG_UNSUPPORTED. */
bool cairnCheckpointAlignDisks(cairnCheckpointDef *def, GError **error);

/* Every BITMAP disk without a bitmap name gets the checkpoint's name (and
 * DEFAULT disks become BITMAP): what redefine without <domain> does. */
void cairnCheckpointDefAssignBitmapNames(cairnCheckpointDef *def);

/* Redefine checks on the definition alone (spec/xml.md 1.4): if it embeds a
 * <domain>, its UUID must equal @uuid (CAIRN_ERR_INVALID_ARG "definition
 * for checkpoint X must use uuid U") and disks are aligned against it;
 * otherwise bitmap names are filled in. Parent checks live in the tree. */
bool
cairnCheckpointRedefineValidate(cairnCheckpointDef *def, const unsigned char *uuid, GError **error);

const char *cairnCheckpointTypeToString(cairnCheckpointType t);
