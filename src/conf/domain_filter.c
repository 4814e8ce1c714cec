/*
 * domain_filter.c: the filter groups of cairnConnectListAllDomains().
 */
#include "cairn/cairn-domain.h"
#include "domain_filter.h"

#define GROUP_ACTIVE (CAIRN_CONNECT_LIST_DOMAINS_ACTIVE | CAIRN_CONNECT_LIST_DOMAINS_INACTIVE)
#define GROUP_PERSISTENT                                                                           \
 (CAIRN_CONNECT_LIST_DOMAINS_PERSISTENT | CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT)
#define GROUP_STATE                                                                                \
 (CAIRN_CONNECT_LIST_DOMAINS_RUNNING | CAIRN_CONNECT_LIST_DOMAINS_PAUSED |                         \
  CAIRN_CONNECT_LIST_DOMAINS_SHUTOFF | CAIRN_CONNECT_LIST_DOMAINS_OTHER)
#define GROUP_CHECKPOINT                                                                           \
 (CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT)

unsigned int
cairnDomainFilterKnownFlags(void)
{
    return GROUP_ACTIVE | GROUP_PERSISTENT | GROUP_STATE | GROUP_CHECKPOINT;
}


static unsigned int
stateFlag(int state)
{
    switch (state) {
    case CAIRN_DOMAIN_RUNNING:
        return CAIRN_CONNECT_LIST_DOMAINS_RUNNING;
    case CAIRN_DOMAIN_PAUSED:
        return CAIRN_CONNECT_LIST_DOMAINS_PAUSED;
    case CAIRN_DOMAIN_SHUTOFF:
        return CAIRN_CONNECT_LIST_DOMAINS_SHUTOFF;
    default:
        return CAIRN_CONNECT_LIST_DOMAINS_OTHER;
    }
}


/* True if the group is unfiltered or @have is among the set bits. */
static bool
groupPasses(unsigned int flags, unsigned int group, unsigned int have)
{
    return !(flags & group) || (flags & have);
}


bool
cairnDomainFilterMatch(const cairnDomainFilterFacts *facts, unsigned int flags)
{
    unsigned int active =
        facts->active ? CAIRN_CONNECT_LIST_DOMAINS_ACTIVE : CAIRN_CONNECT_LIST_DOMAINS_INACTIVE;
    unsigned int persistent = facts->persistent ? CAIRN_CONNECT_LIST_DOMAINS_PERSISTENT :
                                                  CAIRN_CONNECT_LIST_DOMAINS_TRANSIENT;
    unsigned int chk = facts->has_checkpoints ? CAIRN_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT :
                                                CAIRN_CONNECT_LIST_DOMAINS_NO_CHECKPOINT;

    return groupPasses(flags, GROUP_ACTIVE, active) &&
           groupPasses(flags, GROUP_PERSISTENT, persistent) &&
           groupPasses(flags, GROUP_STATE, stateFlag(facts->state)) &&
           groupPasses(flags, GROUP_CHECKPOINT, chk);
}
