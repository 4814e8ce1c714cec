/*
 * remote_protocol.c: the slot <-> method table and the interface
 * description shared by the remote driver and cairnd.
 */
#include <string.h>

#include "remote_protocol.h"
#include "remote/remote_resources.h"

/* Indexed by remoteProcedure; remote_protocol.h lists the same order. */
static const remoteProcedureInfo remoteProcedures[] = {
    { REMOTE_PROC_CONNECT_OPEN, "connectOpen", "ConnectOpen", false },
    { REMOTE_PROC_CONNECT_CLOSE, "connectClose", "ConnectClose", false },
    { REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, "connectListAllDomains", "ConnectListAllDomains",
      false },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, "domainLookupByName", "DomainLookupByName", false },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, "domainLookupByUUID", "DomainLookupByUUID", false },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, "domainLookupByID", "DomainLookupByID", false },
    { REMOTE_PROC_DOMAIN_DEFINE_XML, "domainDefineXML", "DomainDefineXML", true },
    { REMOTE_PROC_DOMAIN_UNDEFINE, "domainUndefine", "DomainUndefine", true },
    { REMOTE_PROC_DOMAIN_CREATE, "domainCreate", "DomainCreate", true },
    { REMOTE_PROC_DOMAIN_DESTROY, "domainDestroy", "DomainDestroy", true },
    { REMOTE_PROC_DOMAIN_SHUTDOWN, "domainShutdown", "DomainShutdown", true },
    { REMOTE_PROC_DOMAIN_GET_XML_DESC, "domainGetXMLDesc", "DomainGetXMLDesc", false },
    { REMOTE_PROC_DOMAIN_GET_INFO, "domainGetInfo", "DomainGetInfo", false },
    { REMOTE_PROC_DOMAIN_GET_STATE, "domainGetState", "DomainGetState", false },
    { REMOTE_PROC_DOMAIN_IS_ACTIVE, "domainIsActive", "DomainIsActive", false },
    { REMOTE_PROC_DOMAIN_IS_PERSISTENT, "domainIsPersistent", "DomainIsPersistent", false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_CREATE_XML, "domainCheckpointCreateXML",
      "DomainCheckpointCreateXML", true },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_GET_XML_DESC, "domainCheckpointGetXMLDesc",
      "DomainCheckpointGetXMLDesc", false },
    { REMOTE_PROC_DOMAIN_LIST_ALL_CHECKPOINTS, "domainListAllCheckpoints",
      "DomainListAllCheckpoints", false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN, "domainCheckpointListAllChildren",
      "DomainCheckpointListAllChildren", false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME, "domainCheckpointLookupByName",
      "DomainCheckpointLookupByName", false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_GET_PARENT, "domainCheckpointGetParent",
      "DomainCheckpointGetParent", false },
    { REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE, "domainCheckpointDelete", "DomainCheckpointDelete",
      true },
    /* QMP/HMP pass-through can change anything. */
    { REMOTE_PROC_DOMAIN_QEMU_MONITOR_COMMAND, "domainQemuMonitorCommand",
      "DomainQemuMonitorCommand", true },
    /* The public layer refuses a read-only repair itself. */
    { REMOTE_PROC_DOMAIN_CHECKPOINT_VALIDATE, "domainCheckpointValidate",
      "DomainCheckpointValidate", false },
    { REMOTE_PROC_DOMAIN_BACKUP_BEGIN, "domainBackupBegin", "DomainBackupBegin", true },
    { REMOTE_PROC_DOMAIN_BACKUP_GET_XML_DESC, "domainBackupGetXMLDesc", "DomainBackupGetXMLDesc",
      false },
    { REMOTE_PROC_DOMAIN_GET_JOB_INFO, "domainGetJobInfo", "DomainGetJobInfo", false },
    { REMOTE_PROC_DOMAIN_GET_JOB_STATS, "domainGetJobStats", "DomainGetJobStats", false },
    { REMOTE_PROC_DOMAIN_ABORT_JOB, "domainAbortJob", "DomainAbortJob", true },
    { REMOTE_PROC_DOMAIN_BLOCK_PULL, "domainBlockPull", "DomainBlockPull", true },
    { REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO, "domainGetBlockJobInfo", "DomainGetBlockJobInfo",
      false },
    { REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT, "domainBlockJobAbort", "DomainBlockJobAbort", true },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, "connectDomainEventRegisterAny",
      "ConnectDomainEventRegisterAny", false },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, "connectDomainEventDeregisterAny",
      "ConnectDomainEventDeregisterAny", false },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, "connectGetLibVersion", "ConnectGetLibVersion", false },
    /* Not a driver slot: the transport's call channel (cairn-remote.xml). */
    { REMOTE_PROC_CONNECT_OPEN_CHANNEL, NULL, "ConnectOpenChannel", false },
    { REMOTE_PROC_DOMAIN_SUSPEND, "domainSuspend", "DomainSuspend", true },
    { REMOTE_PROC_DOMAIN_RESUME, "domainResume", "DomainResume", true },
    { REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED, "domainBlockJobSetSpeed", "DomainBlockJobSetSpeed",
      true },
};

G_STATIC_ASSERT(G_N_ELEMENTS(remoteProcedures) == REMOTE_PROC_LAST);

#define REMOTE_XML_RESOURCE "/org/cairn/remote/cairn-remote.xml"


const remoteProcedureInfo *
remoteProcedureGet(remoteProcedure proc)
{
    g_assert(proc < REMOTE_PROC_LAST && remoteProcedures[proc].proc == proc);
    return &remoteProcedures[proc];
}


const remoteProcedureInfo *
remoteProcedureByMethod(const char *method)
{
    for (size_t i = 0; i < G_N_ELEMENTS(remoteProcedures); i++) {
        if (g_str_equal(remoteProcedures[i].method, method))
            return &remoteProcedures[i];
    }
    return NULL;
}


const char *
remoteProtocolXML(void)
{
    static GBytes *xml;

    if (g_once_init_enter(&xml)) {
        GBytes *data = g_resource_lookup_data(cairn_remote_get_resource(), REMOTE_XML_RESOURCE,
                                              G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

        /* Compiled in: a missing resource is a build bug. */
        g_assert(data);
        g_once_init_leave(&xml, data);
    }
    return g_bytes_get_data(xml, NULL);
}


GDBusNodeInfo *
remoteProtocolNodeInfo(void)
{
    static GDBusNodeInfo *info;

    if (g_once_init_enter(&info)) {
        g_autoptr(GError) err = NULL;
        GDBusNodeInfo *parsed = g_dbus_node_info_new_for_xml(remoteProtocolXML(), &err);

        if (!parsed)
            g_error("cairn-remote.xml: %s", err->message);
        g_dbus_interface_info_cache_build(parsed->interfaces[0]);
        g_once_init_leave(&info, parsed);
    }
    return info;
}


GDBusInterfaceInfo *
remoteProtocolInterface(void)
{
    return g_dbus_node_info_lookup_interface(remoteProtocolNodeInfo(), CAIRN_REMOTE_INTERFACE);
}


char *
remoteSessionSocketPath(void)
{
    return g_build_filename(g_get_user_runtime_dir(), "cairn", CAIRN_REMOTE_SOCKET_NAME, NULL);
}


char *
remoteSystemSocketPath(void)
{
    return g_build_filename(CAIRN_REMOTE_SYSTEM_RUNDIR, CAIRN_REMOTE_SOCKET_NAME, NULL);
}


char *
remoteSessionRoot(void)
{
    return g_build_filename(g_get_user_data_dir(), "cairn", NULL);
}


bool
remoteNameIsValid(const char *name)
{
    size_t len = name ? strlen(name) : 0;

    if (len == 0 || len > 1024 || strchr(name, '/'))
        return false;
    if (g_str_equal(name, ".") || g_str_equal(name, ".."))
        return false;
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}
