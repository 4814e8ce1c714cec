/*
 * domain_filter.h: the filter groups of cairnConnectListAllDomains(),
 * shared by every driver.
 */
#pragma once

#include <stdbool.h>

/* What a driver knows of one domain for filtering. */
typedef struct {
    bool active;
    bool persistent;
    int state; /* a cairnDomainState */
    bool has_checkpoints;
} cairnDomainFilterFacts;

/* Every CAIRN_CONNECT_LIST_DOMAINS_* flag a driver can honour. */
unsigned int cairnDomainFilterKnownFlags(void);

/* True if a domain with @facts passes @flags: within each group
 * (active/inactive, persistent/transient, running/paused/shutoff/other,
 * has/no checkpoint) a group filters only when one of its bits is set, and
 * then keeps domains matching any set bit of the group. */
bool cairnDomainFilterMatch(const cairnDomainFilterFacts *facts, unsigned int flags);
