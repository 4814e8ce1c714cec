/*
 * qmpscenarios.h: what the QMP conversation tests do. Each scenario
 * drives the real wrappers of qemu_monitor_cmd.h and checks their
 * results; tests/data/qmp/NAME.qmp is its conversation. Scenarios marked
 * "capture" run unchanged against a real QEMU to record that file
 * (qmpreplaytest --capture); the others describe situations a healthy
 * QEMU does not produce on demand (EOF mid-command, split and oversized
 * messages, ...) and their files are written by hand.
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "qemu/qemu_monitor.h"

typedef struct {
    int fd;            /* connected QMP socket; scenarios with own_open open it */
    qemuMonitor *mon;  /* opened by the runner unless own_open */
    GPtrArray *events; /* "NAME" of every event the handler saw */
    int eofs;          /* calls of the EOF handler */
} qmpScenarioEnv;

typedef struct {
    const char *name;
    void (*run)(qmpScenarioEnv *env);
    bool capture;    /* recordable from a real QEMU */
    bool own_open;   /* the scenario opens the monitor itself */
    int trim_arrays; /* when recording, cut long reply arrays to this */
} qmpScenario;

/* The table, terminated by an entry with name NULL. */
extern const qmpScenario qmpScenarios[];

const qmpScenario *qmpScenarioFind(const char *name);

/* Images a capture's working directory holds (created with qemu-img):
 * base.qcow2 (64 MiB), disk.qcow2 (backing base.qcow2), target.qcow2 and
 * target2.qcow2 (64 MiB each). */
bool qmpScenarioPrepareImages(const char *workdir, GError **error);

/* Open env->mon on env->fd with handlers recording into @env. */
qemuMonitor *qmpScenarioOpen(qmpScenarioEnv *env, int timeout_ms, GError **error);
