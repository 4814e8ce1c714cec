/*
 * qemu_process.h: QEMU processes: launch from a definition, find again
 * (reattach), watch (crash, guest shutdown) and stop.
 *
 * Every function here that changes a domain requires its caller to hold
 * the domain's lock file (qemuDomainLock()) and the driver state's mutex,
 * and to have refreshed the object from disk after taking the lock.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <gio/gio.h>
#include <glib.h>

#include "qemu_domain.h"
#include "qemu_monitor.h"

/* How long QEMU may take from exec to a listening monitor, in ms. */
#define QEMU_PROCESS_START_TIMEOUT_MS 60000

/* Start @obj (shut off, persistent) from its persistent definition. On
 * failure nothing is left: no process, no live state file, no socket,
 * no pidfile. Errors: CAIRN_ERR_SYSTEM_ERROR for a disk image that cannot
 * be accessed, CAIRN_ERR_CONFIG_UNSUPPORTED for type='kvm' without a
 * usable KVM device (drv->kvm_device, util/cairnkvm.h) or a definition
 * outside what the driver runs,
 * CAIRN_ERR_INTERNAL_ERROR "process exited while connecting to monitor:
 * QEMU'S ERROR" when QEMU refuses to start. */
bool qemuProcessStart(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* Stop @obj (running) and record SHUTOFF with @reason: QMP quit, then
 * SIGTERM, then SIGKILL, each after a grace time; the live state file,
 * socket and pidfile are removed. */
bool qemuProcessStop(qemuDriverState *drv, qemuDomainObj *obj, int reason, GError **error);

/* True if @pid is a live (not zombie) process whose command line names
 * the QMP socket @monitor_path, i.e. it is this domain's QEMU. */
bool qemuProcessIsOurs(pid_t pid, const char *monitor_path);

/* qemuProcessIsOurs() for the running @obj, cheap after the first call:
 * the process found to be ours is then held by a pidfd (obj->pidfd), and
 * only asked whether it has exited. */
bool qemuProcessObjIsOurs(qemuDomainObj *obj);

/* The pid QEMU (or qemu-storage-daemon) wrote into @pidfile, or 0. */
pid_t qemuProcessReadPidfile(const char *pidfile);

/* Wait up to @timeout_ms for @pid to stop being the process whose command
 * line names @monitor_path (qemuProcessIsOurs()); true once it has. */
bool qemuProcessWaitExit(pid_t pid, const char *monitor_path, int timeout_ms);

/* End @pid if it is still the process naming @monitor_path: SIGTERM, then
 * SIGKILL, each followed by a grace time of 5 s. True once it is gone. */
bool qemuProcessKill(pid_t pid, const char *monitor_path);

/* Connect to the running @obj's monitor: its QMP socket, or what the
 * test-only drv->attach_monitor hands over. Every driver path that talks
 * to a running domain's QEMU goes through here. */
qemuMonitor *qemuProcessAttach(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* Reconcile a running @obj with reality; the caller holds the domain
 * lock. A vanished QEMU becomes SHUTOFF/CRASHED (files cleaned up). With
 * @query, QEMU is also asked (query-status): a guest that powered off is
 * stopped and recorded as SHUTOFF/SHUTDOWN, a paused one as PAUSED. A
 * monitor that cannot be reached leaves the state as it is. No-op for a
 * shut off domain. */
bool qemuProcessCheck(qemuDriverState *drv, qemuDomainObj *obj, bool query, GError **error);

/* A domain kept PAUSED/SHUTTING_DOWN for a backup begun with
 * PRESERVE_SHUTDOWN_DOMAIN whose job file is gone: ask QEMU again, which
 * stops it as SHUTOFF/SHUTDOWN. No-op otherwise. */
bool qemuProcessEndPreservedShutdown(qemuDriverState *drv, qemuDomainObj *obj, GError **error);

/* CPU time used by @pid in nanoseconds (0 when unknown). */
unsigned long long qemuProcessCPUTime(pid_t pid);

/* The environment of every QEMU process the driver starts (the emulator,
 * qemu-storage-daemon): LC_ALL=C, and glibc's malloc kept from returning
 * freed heap to the kernel after every NBD request (GLIBC_TUNABLES, unless
 * the caller's environment sets it): QEMU's NBD server allocates a buffer
 * per read request, and with glibc's defaults every request's pages were
 * faulted in anew (bench/README.md: 3 of 4 CPU seconds of serving a
 * backup export). */
void qemuProcessSetupEnv(GSubprocessLauncher *launcher);
