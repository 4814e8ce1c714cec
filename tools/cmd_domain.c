/*
 * cmd_domain.c: the domain commands of the cairn CLI (define, undefine,
 * start, destroy, shutdown, suspend, resume, dumpxml, domid/domname/domuuid)
 * and the monitoring ones (list, dominfo, domstate, domblklist), with
 * virsh's output formats.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "shell.h"
#include "util/cairnenum.h"


static const char *const domainStates[] = {
    "no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended",
};

static const char *const reasonsNostate[] = { "unknown" };
static const char *const reasonsRunning[] = {
    "unknown",       "booted",   "migrated",           "restored",
    "from snapshot", "unpaused", "migration canceled", "save canceled",
    "event wakeup",  "crashed",  "post-copy",          "post-copy failed",
};
static const char *const reasonsBlocked[] = { "unknown" };
static const char *const reasonsPaused[] = {
    "unknown",   "user",        "migrating",     "saving",           "dumping",
    "I/O error", "watchdog",    "from snapshot", "shutting down",    "creating snapshot",
    "crashed",   "starting up", "post-copy",     "post-copy failed", "api error",
};
static const char *const reasonsShutdown[] = { "unknown", "user" };
static const char *const reasonsShutoff[] = {
    "unknown", "shutdown", "destroyed",     "crashed", "migrated",
    "saved",   "failed",   "from snapshot", "daemon",
};
static const char *const reasonsCrashed[] = { "unknown", "panicked" };
static const char *const reasonsPMSuspended[] = { "unknown" };

typedef struct {
    const char *const *names;
    size_t count;
} reasonTable;

static const reasonTable domainReasons[] = {
    { reasonsNostate, G_N_ELEMENTS(reasonsNostate) },
    { reasonsRunning, G_N_ELEMENTS(reasonsRunning) },
    { reasonsBlocked, G_N_ELEMENTS(reasonsBlocked) },
    { reasonsPaused, G_N_ELEMENTS(reasonsPaused) },
    { reasonsShutdown, G_N_ELEMENTS(reasonsShutdown) },
    { reasonsShutoff, G_N_ELEMENTS(reasonsShutoff) },
    { reasonsCrashed, G_N_ELEMENTS(reasonsCrashed) },
    { reasonsPMSuspended, G_N_ELEMENTS(reasonsPMSuspended) },
};


static const char *
domainStateToString(int state)
{
    const char *name = cairnEnumToString(domainStates, G_N_ELEMENTS(domainStates), state);

    return name ? name : "no state";
}


static const char *
domainReasonToString(int state, int reason)
{
    const char *name = NULL;

    if (state >= 0 && (size_t)state < G_N_ELEMENTS(domainReasons))
        name = cairnEnumToString(domainReasons[state].names, domainReasons[state].count, reason);
    return name ? name : "unknown";
}


/* ---- XML of a domain, parsed ---- */

typedef struct {
    xmlDocPtr doc;
    xmlXPathContextPtr ctxt;
} domainXML;


static void
domainXMLClear(domainXML *x)
{
    if (x->ctxt)
        xmlXPathFreeContext(x->ctxt);
    if (x->doc)
        xmlFreeDoc(x->doc);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(domainXML, domainXMLClear)


static bool
domainXMLGet(shellControl *ctl, cairnDomainPtr dom, unsigned int flags, domainXML *x)
{
    g_autofree char *xml = cairnDomainGetXMLDesc(dom, flags);

    if (!xml)
        return shellSaveError(ctl);
    if (!(x->doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOWARNING))) {
        shellError(ctl, "%s", "Failed to parse domain description xml");
        return false;
    }
    x->ctxt = xmlXPathNewContext(x->doc);
    x->ctxt->node = xmlDocGetRootElement(x->doc);
    return true;
}


/* The string value of @expr (an XPath string() expression) at @node, or
 * NULL when empty. */
static char *
domainXMLString(domainXML *x, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr obj;
    char *ret = NULL;

    x->ctxt->node = node ? node : xmlDocGetRootElement(x->doc);
    obj = xmlXPathEval(BAD_CAST expr, x->ctxt);
    if (obj && obj->type == XPATH_STRING && obj->stringval && *obj->stringval)
        ret = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return ret;
}


/* ---- define, undefine, start, destroy, shutdown ---- */

static const shellOptDef opts_define[] = {
    { .name = "file",
      .type = SHELL_OT_DATA,
      .required = true,
      .help = "file containing an XML domain description" },
    { .name = "validate", .type = SHELL_OT_BOOL, .help = "validate the XML against the schema" },
    { .name = NULL }
};


static bool
cmdDefine(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autofree char *buffer = NULL;
    const char *from = NULL;
    unsigned int flags = 0;

    if (shellOptBool(cmd, "validate"))
        flags |= CAIRN_DOMAIN_DEFINE_VALIDATE;
    if (shellOptString(ctl, cmd, "file", &from) < 0)
        return false;
    if (!(buffer = shellReadFile(ctl, from)))
        return false;
    if (!(dom = cairnDomainDefineXMLFlags(ctl->conn, buffer, flags))) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to define domain from %s", from);
        return false;
    }
    shellPrintExtra(ctl, "Domain '%s' defined from %s\n", cairnDomainGetName(dom), from);
    return true;
}


static const shellOptDef opts_undefine[] = {
    SHELL_OPT_DOMAIN,
    { .name = "checkpoints-metadata",
      .type = SHELL_OT_BOOL,
      .help = "remove all domain checkpoint metadata (vm must be inactive)" },
    { .name = NULL }
};


static bool
cmdUndefine(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    const char *name = NULL;
    unsigned int flags = 0;
    int rc;

    if (shellOptBool(cmd, "checkpoints-metadata"))
        flags |= CAIRN_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
    if (!(dom = shellCommandOptDomain(ctl, cmd, &name)))
        return false;
    rc = flags ? cairnDomainUndefineFlags(dom, flags) : cairnDomainUndefine(dom);
    if (rc < 0) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to undefine domain '%s'", name);
        return false;
    }
    shellPrintExtra(ctl, "Domain '%s' has been undefined\n", name);
    return true;
}


static const shellOptDef opts_domain_only[] = { SHELL_OPT_DOMAIN, { .name = NULL } };


static bool
cmdStart(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (cairnDomainGetID(dom) != -1) {
        shellError(ctl, "%s", "Domain is already active");
        return false;
    }
    if (cairnDomainCreate(dom) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to start domain '%s'", cairnDomainGetName(dom));
        return false;
    }
    shellPrintExtra(ctl, "Domain '%s' started\n", cairnDomainGetName(dom));
    return true;
}


static bool
cmdDestroy(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, &name)))
        return false;
    if (cairnDomainDestroy(dom) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to destroy domain '%s'", name);
        return false;
    }
    shellPrintExtra(ctl, "Domain '%s' destroyed\n", name);
    return true;
}


static bool
cmdShutdown(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, &name)))
        return false;
    if (cairnDomainShutdown(dom) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to shutdown domain '%s'", name);
        return false;
    }
    shellPrintExtra(ctl, "Domain '%s' is being shutdown\n", name);
    return true;
}


/* virsh's cmdSuspend/cmdResume: @suspend pauses, else continues. */
static bool
domainSetPaused(shellControl *ctl, const shellCmd *cmd, bool suspend)
{
    g_autoptr(shellDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, &name)))
        return false;
    if ((suspend ? cairnDomainSuspend(dom) : cairnDomainResume(dom)) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "Failed to %s domain '%s'", suspend ? "suspend" : "resume", name);
        return false;
    }
    shellPrintExtra(ctl, "Domain '%s' %s\n", name, suspend ? "suspended" : "resumed");
    return true;
}


static bool
cmdSuspend(shellControl *ctl, const shellCmd *cmd)
{
    return domainSetPaused(ctl, cmd, true);
}


static bool
cmdResume(shellControl *ctl, const shellCmd *cmd)
{
    return domainSetPaused(ctl, cmd, false);
}


/* ---- dumpxml, domid, domname, domuuid ---- */

static const shellOptDef opts_dumpxml[] = {
    SHELL_OPT_DOMAIN,
    { .name = "inactive", .type = SHELL_OT_BOOL, .help = "show inactive defined XML" },
    { .name = "security-info",
      .type = SHELL_OT_BOOL,
      .help = "include security sensitive information in XML dump" },
    { .name = "update-cpu",
      .type = SHELL_OT_BOOL,
      .help = "update guest CPU according to host CPU" },
    { .name = "migratable", .type = SHELL_OT_BOOL, .help = "provide XML suitable for migrations" },
    SHELL_OPTS_XPATH,
    { .name = NULL }
};


static bool
cmdDumpXML(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *xpath = NULL;
    unsigned int flags = 0;

    if (shellOptBool(cmd, "inactive"))
        flags |= CAIRN_DOMAIN_XML_INACTIVE;
    if (shellOptBool(cmd, "security-info"))
        flags |= CAIRN_DOMAIN_XML_SECURE;
    if (shellOptBool(cmd, "update-cpu"))
        flags |= CAIRN_DOMAIN_XML_UPDATE_CPU;
    if (shellOptBool(cmd, "migratable"))
        flags |= CAIRN_DOMAIN_XML_MIGRATABLE;
    if (shellOptString(ctl, cmd, "xpath", &xpath) < 0)
        return false;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!(xml = cairnDomainGetXMLDesc(dom, flags)))
        return shellSaveError(ctl);
    return shellDumpXML(ctl, xml, xpath, shellOptBool(cmd, "wrap"));
}


static bool
cmdDomid(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    int id;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    id = cairnDomainGetID(dom);
    if (id == -1) {
        shellPrint(ctl, "%s\n", "-");
    } else {
        shellPrint(ctl, "%d\n", id);
    }
    return true;
}


static bool
cmdDomname(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    shellPrint(ctl, "%s\n", cairnDomainGetName(dom));
    return true;
}


static bool
cmdDomuuid(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    char uuid[CAIRN_UUID_STRING_BUFLEN];

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (cairnDomainGetUUIDString(dom, uuid) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "%s", "failed to get domain UUID");
        return false;
    }
    shellPrint(ctl, "%s\n", uuid);
    return true;
}


const shellCmdDef domainCmds[] = {
    { .name = "define",
      .handler = cmdDefine,
      .opts = opts_define,
      .help = "define (but don't start) a domain from an XML file",
      .desc = "Define a domain." },
    { .name = "destroy",
      .handler = cmdDestroy,
      .opts = opts_domain_only,
      .help = "destroy (stop) a domain",
      .desc = "Forcefully stop a given domain, but leave its resources intact." },
    { .name = "domid",
      .handler = cmdDomid,
      .opts = opts_domain_only,
      .help = "convert a domain name or UUID to domain id",
      .desc = "" },
    { .name = "domname",
      .handler = cmdDomname,
      .opts = opts_domain_only,
      .help = "convert a domain id or UUID to domain name",
      .desc = "" },
    { .name = "domuuid",
      .handler = cmdDomuuid,
      .opts = opts_domain_only,
      .help = "convert a domain name or id to domain UUID",
      .desc = "" },
    { .name = "dumpxml",
      .handler = cmdDumpXML,
      .opts = opts_dumpxml,
      .help = "domain information in XML",
      .desc = "Output the domain information as an XML dump to stdout." },
    { .name = "resume",
      .handler = cmdResume,
      .opts = opts_domain_only,
      .help = "resume a domain",
      .desc = "Resume a previously suspended domain." },
    { .name = "shutdown",
      .handler = cmdShutdown,
      .opts = opts_domain_only,
      .help = "gracefully shutdown a domain",
      .desc = "Run shutdown in the target domain." },
    { .name = "start",
      .handler = cmdStart,
      .opts = opts_domain_only,
      .help = "start a (previously defined) inactive domain",
      .desc = "Start a domain." },
    { .name = "suspend",
      .handler = cmdSuspend,
      .opts = opts_domain_only,
      .help = "suspend a domain",
      .desc = "Suspend a running domain." },
    { .name = "undefine",
      .handler = cmdUndefine,
      .opts = opts_undefine,
      .help = "undefine a domain",
      .desc = "Undefine an inactive domain, or convert persistent to transient." },
    { .name = NULL }
};


/* ---- dominfo, domstate ---- */

static bool
cmdDominfo(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_auto(domainXML) x = { 0 };
    g_autofree char *ostype = NULL;
    char uuid[CAIRN_UUID_STRING_BUFLEN];
    cairnDomainInfo info;
    bool ret = true;
    int persistent;
    int id;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if ((id = cairnDomainGetID(dom)) == -1) {
        shellPrint(ctl, "%-15s %s\n", "Id:", "-");
    } else {
        shellPrint(ctl, "%-15s %d\n", "Id:", id);
    }
    shellPrint(ctl, "%-15s %s\n", "Name:", cairnDomainGetName(dom));
    if (cairnDomainGetUUIDString(dom, uuid) == 0)
        shellPrint(ctl, "%-15s %s\n", "UUID:", uuid);
    if (domainXMLGet(ctl, dom, 0, &x) && (ostype = domainXMLString(&x, NULL, "string(./os/type)")))
        shellPrint(ctl, "%-15s %s\n", "OS Type:", ostype);
    shellResetError(ctl);
    if (cairnDomainGetInfo(dom, &info) == 0) {
        shellPrint(ctl, "%-15s %s\n", "State:", domainStateToString(info.state));
        shellPrint(ctl, "%-15s %d\n", "CPU(s):", info.nrVirtCpu);
        if (info.cpuTime != 0)
            shellPrint(ctl, "%-15s %.1lfs\n", "CPU time:", info.cpuTime / 1000000000.0);
        if (info.maxMem != UINT_MAX) {
            shellPrint(ctl, "%-15s %lu KiB\n", "Max memory:", info.maxMem);
        } else {
            shellPrint(ctl, "%-15s %s\n", "Max memory:", "no limit");
        }
        shellPrint(ctl, "%-15s %lu KiB\n", "Used memory:", info.memory);
    } else {
        ret = shellSaveError(ctl);
    }
    persistent = cairnDomainIsPersistent(dom);
    if (persistent < 0) {
        shellPrint(ctl, "%-15s %s\n", "Persistent:", "unknown");
    } else {
        shellPrint(ctl, "%-15s %s\n", "Persistent:", persistent ? "yes" : "no");
    }
    return ret;
}


static const shellOptDef opts_domstate[] = {
    SHELL_OPT_DOMAIN,
    { .name = "reason", .type = SHELL_OT_BOOL, .help = "also print reason for the state" },
    { .name = NULL }
};


static bool
cmdDomstate(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    int state = 0;
    int reason = 0;

    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (cairnDomainGetState(dom, &state, &reason, 0) < 0)
        return shellSaveError(ctl);
    if (shellOptBool(cmd, "reason")) {
        shellPrint(ctl, "%s (%s)\n", domainStateToString(state),
                   domainReasonToString(state, reason));
    } else {
        shellPrint(ctl, "%s\n", domainStateToString(state));
    }
    return true;
}


/* ---- domblklist ---- */

static const shellOptDef opts_domblklist[] = {
    SHELL_OPT_DOMAIN,
    { .name = "inactive",
      .type = SHELL_OT_BOOL,
      .help = "get inactive rather than running configuration" },
    { .name = "details",
      .type = SHELL_OT_BOOL,
      .help = "additionally display the type and device value" },
    { .name = NULL }
};


static bool
domblklistRow(shellControl *ctl, domainXML *x, xmlNodePtr disk, bool details, shellTable *table)
{
    g_autofree char *type = domainXMLString(x, disk, "string(./@type)");
    g_autofree char *device = domainXMLString(x, disk, "string(./@device)");
    g_autofree char *target = domainXMLString(x, disk, "string(./target/@dev)");
    g_autofree char *source = domainXMLString(x, disk,
                                              "string(./source/@file|./source/@dev"
                                              "|./source/@dir|./source/@name"
                                              "|./source/@volume|./source/@path)");

    if (details && (!type || !device)) {
        shellPrint(ctl, "%s", "unable to query block list details");
        return false;
    }
    if (!target) {
        shellError(ctl, "%s", "unable to query block list");
        return false;
    }
    if (details) {
        shellTableAddRow(table, type, device, target, source ? source : "-", NULL);
    } else {
        shellTableAddRow(table, target, source ? source : "-", NULL);
    }
    return true;
}


static bool
cmdDomblklist(shellControl *ctl, const shellCmd *cmd)
{
    g_autoptr(shellDomain) dom = NULL;
    g_autoptr(shellTable) table = NULL;
    g_auto(domainXML) x = { 0 };
    bool details = shellOptBool(cmd, "details");
    unsigned int flags = 0;
    xmlXPathObjectPtr disks;
    bool ret = true;
    int i;

    if (shellOptBool(cmd, "inactive"))
        flags |= CAIRN_DOMAIN_XML_INACTIVE;
    if (!(dom = shellCommandOptDomain(ctl, cmd, NULL)))
        return false;
    if (!domainXMLGet(ctl, dom, flags, &x))
        return false;
    if (details) {
        table = shellTableNew("Type", "Device", "Target", "Source", NULL);
    } else {
        table = shellTableNew("Target", "Source", NULL);
    }
    disks = xmlXPathEval(BAD_CAST "./devices/disk", x.ctxt);
    for (i = 0; ret && disks && disks->nodesetval && i < disks->nodesetval->nodeNr; i++)
        ret = domblklistRow(ctl, &x, disks->nodesetval->nodeTab[i], details, table);
    xmlXPathFreeObject(disks);
    if (ret)
        shellTablePrint(ctl, table);
    return ret;
}


/* ---- list ---- */

static const shellOptDef opts_list[] = {
    { .name = "inactive", .type = SHELL_OT_BOOL, .help = "list inactive domains" },
    { .name = "all", .type = SHELL_OT_BOOL, .help = "list inactive & active domains" },
    { .name = "transient", .type = SHELL_OT_BOOL, .help = "list transient domains" },
    { .name = "persistent", .type = SHELL_OT_BOOL, .help = "list persistent domains" },
    { .name = "with-checkpoint",
      .type = SHELL_OT_BOOL,
      .help = "list domains with existing checkpoint" },
    { .name = "without-checkpoint",
      .type = SHELL_OT_BOOL,
      .help = "list domains without a checkpoint" },
    { .name = "state-running", .type = SHELL_OT_BOOL, .help = "list domains in running state" },
    { .name = "state-paused", .type = SHELL_OT_BOOL, .help = "list domains in paused state" },
    { .name = "state-shutoff", .type = SHELL_OT_BOOL, .help = "list domains in shutoff state" },
    { .name = "state-other", .type = SHELL_OT_BOOL, .help = "list domains in other states" },
    { .name = "uuid", .type = SHELL_OT_BOOL, .help = "list uuid's only" },
    { .name = "name", .type = SHELL_OT_BOOL, .help = "list domain names only" },
    { .name = "id", .type = SHELL_OT_BOOL, .help = "list domain IDs only" },
    { .name = "table", .type = SHELL_OT_BOOL, .help = "list table (default)" },
    { .name = NULL }
};


static const struct {
    const char *opt;
    unsigned int flag;
} listFilters[] = {
    { "persistent", CAIRN_CONNECT_LIST_DOMAINS_PERSISTENT },
    { "transient", CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT },
    { "with-checkpoint", CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT },
    { "without-checkpoint", CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT },
    { "state-running", CAIRN_CONNECT_LIST_DOMAINS_RUNNING },
    { "state-paused", CAIRN_CONNECT_LIST_DOMAINS_PAUSED },
    { "state-shutoff", CAIRN_CONNECT_LIST_DOMAINS_SHUTOFF },
    { "state-other", CAIRN_CONNECT_LIST_DOMAINS_OTHER },
};


static unsigned int
listFlags(const shellCmd *cmd)
{
    unsigned int flags = CAIRN_CONNECT_LIST_DOMAINS_ACTIVE;
    size_t i;

    if (shellOptBool(cmd, "inactive") || shellOptBool(cmd, "state-shutoff"))
        flags = CAIRN_CONNECT_LIST_DOMAINS_INACTIVE;
    if (shellOptBool(cmd, "all"))
        flags = CAIRN_CONNECT_LIST_DOMAINS_INACTIVE | CAIRN_CONNECT_LIST_DOMAINS_ACTIVE;
    for (i = 0; i < G_N_ELEMENTS(listFilters); i++) {
        if (shellOptBool(cmd, listFilters[i].opt))
            flags |= listFilters[i].flag;
    }
    return flags;
}


/* Running domains first by id, then inactive ones by name. */
static int
listSorter(const void *a, const void *b)
{
    cairnDomainPtr da = *(cairnDomainPtr const *)a;
    cairnDomainPtr db = *(cairnDomainPtr const *)b;
    int ida = cairnDomainGetID(da);
    int idb = cairnDomainGetID(db);

    if (ida == -1 && idb == -1)
        return strcasecmp(cairnDomainGetName(da), cairnDomainGetName(db));
    if (ida != -1 && idb != -1)
        return ida < idb ? -1 : ida > idb;
    return ida != -1 ? -1 : 1;
}


static void
listPrintPlain(shellControl *ctl, cairnDomainPtr dom, bool uuid, bool id, bool name)
{
    char uuidstr[CAIRN_UUID_STRING_BUFLEN];
    int domid = cairnDomainGetID(dom);
    const char *sep = "";

    if (id && domid == -1 && !uuid && !name)
        return;
    if (uuid && cairnDomainGetUUIDString(dom, uuidstr) == 0) {
        shellPrint(ctl, "%s", uuidstr);
        sep = " ";
    }
    if (id) {
        if (domid == -1) {
            shellPrint(ctl, "%s-", sep);
        } else {
            shellPrint(ctl, "%s%d", sep, domid);
        }
        sep = " ";
    }
    if (name)
        shellPrint(ctl, "%s%s", sep, cairnDomainGetName(dom));
    shellPrint(ctl, "\n");
}


static void
listTableRow(shellTable *table, cairnDomainPtr dom)
{
    g_autofree char *idstr = NULL;
    int state = 0;
    int id = cairnDomainGetID(dom);

    if (cairnDomainGetState(dom, &state, NULL, 0) < 0)
        return; /* the domain went away meanwhile */
    idstr = id == -1 ? g_strdup("-") : g_strdup_printf("%d", id);
    shellTableAddRow(table, idstr, cairnDomainGetName(dom), domainStateToString(state), NULL);
}


static bool
cmdList(shellControl *ctl, const shellCmd *cmd)
{
    bool uuid = shellOptBool(cmd, "uuid");
    bool name = shellOptBool(cmd, "name");
    bool id = shellOptBool(cmd, "id");
    bool table = shellOptBool(cmd, "table");
    g_autoptr(shellTable) tbl = NULL;
    cairnDomainPtr *doms = NULL;
    int ndoms;
    int i;

    if (!shellExclusive(ctl, "table", table, "name", name) ||
        !shellExclusive(ctl, "table", table, "uuid", uuid) ||
        !shellExclusive(ctl, "table", table, "id", id))
        return false;
    if (!uuid && !name && !id)
        table = true;
    if ((ndoms = cairnConnectListAllDomains(ctl->conn, &doms, listFlags(cmd))) < 0) {
        shellSaveError(ctl);
        shellError(ctl, "%s", "Failed to list domains");
        return false;
    }
    qsort(doms, ndoms, sizeof(*doms), listSorter);
    if (table)
        tbl = shellTableNew("Id", "Name", "State", NULL);
    for (i = 0; i < ndoms; i++) {
        if (table) {
            listTableRow(tbl, doms[i]);
        } else {
            listPrintPlain(ctl, doms[i], uuid, id, name);
        }
        shellDomainFree(doms[i]);
    }
    free(doms);
    shellResetError(ctl);
    if (table)
        shellTablePrint(ctl, tbl);
    return true;
}


const shellCmdDef domainMonitorCmds[] = { { .name = "domblklist",
                                            .handler = cmdDomblklist,
                                            .opts = opts_domblklist,
                                            .help = "list all domain blocks",
                                            .desc =
                                                "Get the summary of block devices for a domain." },
                                          { .name = "dominfo",
                                            .handler = cmdDominfo,
                                            .opts = opts_domain_only,
                                            .help = "domain information",
                                            .desc = "Returns basic information about the domain." },
                                          { .name = "domstate",
                                            .handler = cmdDomstate,
                                            .opts = opts_domstate,
                                            .help = "domain state",
                                            .desc = "Returns state about a domain." },
                                          { .name = "list",
                                            .handler = cmdList,
                                            .opts = opts_list,
                                            .help = "list domains",
                                            .desc = "Returns list of domains." },
                                          { .name = NULL } };
