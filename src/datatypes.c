/*
 * datatypes.c: the reference-counted public objects.
 */
#include <string.h>

#include "datatypes.h"
#include "driver.h"

cairnConnect *
cairnConnectNew(void)
{
    cairnConnect *conn = g_new0(cairnConnect, 1);

    conn->magic = CAIRN_CONNECT_MAGIC;
    g_atomic_ref_count_init(&conn->refs);
    return conn;
}


void
cairnConnectUnref(cairnConnect *conn)
{
    if (!conn || !g_atomic_ref_count_dec(&conn->refs))
        return;
    if (conn->driver && conn->driver->connectClose)
        conn->driver->connectClose(conn);
    if (conn->events_free)
        conn->events_free(conn->events);
    conn->magic = 0;
    g_free(conn->uri);
    g_free(conn);
}


cairnDomain *
cairnDomainNew(cairnConnect *conn, const char *name, const unsigned char *uuid, int id)
{
    cairnDomain *dom = g_new0(cairnDomain, 1);

    dom->magic = CAIRN_DOMAIN_MAGIC;
    g_atomic_ref_count_init(&dom->refs);
    g_atomic_ref_count_inc(&conn->refs);
    dom->conn = conn;
    dom->name = g_strdup(name);
    memcpy(dom->uuid, uuid, CAIRN_UUID_BUFLEN);
    dom->id = id;
    return dom;
}


cairnDomain *
cairnDomainRefInternal(cairnDomain *dom)
{
    g_atomic_ref_count_inc(&dom->refs);
    return dom;
}


void
cairnDomainUnref(cairnDomain *dom)
{
    if (!dom || !g_atomic_ref_count_dec(&dom->refs))
        return;
    dom->magic = 0;
    cairnConnectUnref(dom->conn);
    g_free(dom->name);
    g_free(dom);
}


cairnDomainCheckpoint *
cairnCheckpointNew(cairnDomain *dom, const char *name)
{
    cairnDomainCheckpoint *chk = g_new0(cairnDomainCheckpoint, 1);

    chk->magic = CAIRN_CHECKPOINT_MAGIC;
    g_atomic_ref_count_init(&chk->refs);
    chk->domain = cairnDomainRefInternal(dom);
    chk->name = g_strdup(name);
    return chk;
}


void
cairnCheckpointUnref(cairnDomainCheckpoint *chk)
{
    if (!chk || !g_atomic_ref_count_dec(&chk->refs))
        return;
    chk->magic = 0;
    cairnDomainUnref(chk->domain);
    g_free(chk->name);
    g_free(chk);
}


bool
cairnConnectIsValid(const cairnConnect *conn)
{
    return conn && conn->magic == CAIRN_CONNECT_MAGIC;
}


bool
cairnDomainIsValid(const cairnDomain *dom)
{
    return dom && dom->magic == CAIRN_DOMAIN_MAGIC && cairnConnectIsValid(dom->conn);
}


bool
cairnCheckpointIsValid(const cairnDomainCheckpoint *chk)
{
    return chk && chk->magic == CAIRN_CHECKPOINT_MAGIC && cairnDomainIsValid(chk->domain);
}
