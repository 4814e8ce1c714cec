/*
 * remote_protocol.h: what the remote driver and cairnd share: names,
 * limits, the interface description and the one table that maps each
 * driver slot to its D-Bus method.
 *
 * The interface itself is written once, in cairn-remote.xml (compiled in
 * as a GResource); nothing here repeats its signatures.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <gio/gio.h>

#define CAIRN_REMOTE_INTERFACE "org.cairn.Cairn1"
#define CAIRN_REMOTE_OBJECT_PATH "/org/cairn/Cairn1"
#define CAIRN_REMOTE_SIGNAL_DOMAIN_EVENT "DomainEvent"

/* Limits, as libvirt's remote protocol has them: one string (an XML
 * document, a QMP command) at most 4 MiB (REMOTE_STRING_MAX), a list at
 * most 16384 entries (REMOTE_DOMAIN_LIST_MAX,
 * REMOTE_DOMAIN_CHECKPOINT_LIST_MAX), one message's body at most 16 MiB.
 * GDBus itself refuses messages over 128 MiB before they are parsed. */
#define CAIRN_REMOTE_STRING_MAX (4 * 1024 * 1024)
#define CAIRN_REMOTE_LIST_MAX 16384
#define CAIRN_REMOTE_MESSAGE_MAX (16 * 1024 * 1024)
/* A whole call on a call channel (ConnectOpenChannel): the body's limit
 * and room for the header. The daemon closes a channel that announces
 * more; the client sends a bigger call through the bus connection. */
#define CAIRN_REMOTE_CHANNEL_CALL_MAX (CAIRN_REMOTE_MESSAGE_MAX + 64 * 1024)
/* Call channels one peer may have open at once. */
#define CAIRN_REMOTE_CHANNEL_MAX 4

/* Socket file name under the run directory. */
#define CAIRN_REMOTE_SOCKET_NAME "cairn-sock"
/* The system daemon's run directory and state root. */
#define CAIRN_REMOTE_SYSTEM_RUNDIR "/run/cairn"
#define CAIRN_REMOTE_SYSTEM_ROOT "/var/lib/cairn"
/* The group whose members may use the system socket. */
#define CAIRN_REMOTE_SYSTEM_GROUP "cairn"

/* One procedure per driver slot, and the transport's own methods (no
 * slot); new ones go at the end. */
typedef enum {
    REMOTE_PROC_CONNECT_OPEN,
    REMOTE_PROC_CONNECT_CLOSE,
    REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS,
    REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME,
    REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID,
    REMOTE_PROC_DOMAIN_LOOKUP_BY_ID,
    REMOTE_PROC_DOMAIN_DEFINE_XML,
    REMOTE_PROC_DOMAIN_UNDEFINE,
    REMOTE_PROC_DOMAIN_CREATE,
    REMOTE_PROC_DOMAIN_DESTROY,
    REMOTE_PROC_DOMAIN_SHUTDOWN,
    REMOTE_PROC_DOMAIN_GET_XML_DESC,
    REMOTE_PROC_DOMAIN_GET_INFO,
    REMOTE_PROC_DOMAIN_GET_STATE,
    REMOTE_PROC_DOMAIN_IS_ACTIVE,
    REMOTE_PROC_DOMAIN_IS_PERSISTENT,
    REMOTE_PROC_DOMAIN_CHECKPOINT_CREATE_XML,
    REMOTE_PROC_DOMAIN_CHECKPOINT_GET_XML_DESC,
    REMOTE_PROC_DOMAIN_LIST_ALL_CHECKPOINTS,
    REMOTE_PROC_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN,
    REMOTE_PROC_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME,
    REMOTE_PROC_DOMAIN_CHECKPOINT_GET_PARENT,
    REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE,
    REMOTE_PROC_DOMAIN_QEMU_MONITOR_COMMAND,
    REMOTE_PROC_DOMAIN_CHECKPOINT_VALIDATE,
    REMOTE_PROC_DOMAIN_BACKUP_BEGIN,
    REMOTE_PROC_DOMAIN_BACKUP_GET_XML_DESC,
    REMOTE_PROC_DOMAIN_GET_JOB_INFO,
    REMOTE_PROC_DOMAIN_GET_JOB_STATS,
    REMOTE_PROC_DOMAIN_ABORT_JOB,
    REMOTE_PROC_DOMAIN_BLOCK_PULL,
    REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO,
    REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT,
    REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
    REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
    REMOTE_PROC_CONNECT_GET_LIB_VERSION,
    REMOTE_PROC_CONNECT_OPEN_CHANNEL,
    REMOTE_PROC_DOMAIN_SUSPEND,
    REMOTE_PROC_DOMAIN_RESUME,
    REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED,

    REMOTE_PROC_LAST
} remoteProcedure;

typedef struct {
    remoteProcedure proc;
    const char *slot;   /* the member of struct _cairnDriver; NULL for a method
                         * of the transport itself */
    const char *method; /* the D-Bus method: the slot, first letter upper-case */
    bool mutating;      /* refused on a read-only connection, by the daemon */
} remoteProcedureInfo;

/* The entry of @proc (0 <= proc < REMOTE_PROC_LAST). */
const remoteProcedureInfo *remoteProcedureGet(remoteProcedure proc);

/* The procedure called @method, or NULL. */
const remoteProcedureInfo *remoteProcedureByMethod(const char *method);

/* The parsed cairn-remote.xml (static; do not unref). */
GDBusNodeInfo *remoteProtocolNodeInfo(void);

/* The org.cairn.Cairn1 interface of it (static). */
GDBusInterfaceInfo *remoteProtocolInterface(void);

/* The text of cairn-remote.xml. */
const char *remoteProtocolXML(void);

/* The socket of qemu:///session: $XDG_RUNTIME_DIR/cairn/cairn-sock, or
 * under GLib's fallback for a missing XDG_RUNTIME_DIR. Caller frees. */
char *remoteSessionSocketPath(void);

/* The socket of qemu:///system: /run/cairn/cairn-sock. Caller frees. */
char *remoteSystemSocketPath(void);

/* The session daemon's state root: $XDG_DATA_HOME/cairn (GLib falls back
 * to ~/.local/share). Caller frees. */
char *remoteSessionRoot(void);

/* True when @name is usable as a domain or checkpoint name on the wire:
 * not empty, no '/', not "." or ".." (so it is one path component: the
 * qemu driver names files after it; "a..b" is a fine name, as in
 * libvirt), no control characters, at most 1024 bytes. */
bool remoteNameIsValid(const char *name);
