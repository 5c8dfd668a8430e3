/* SPDX-License-Identifier: GPL-2.0-only */
/* The monitor: watch one domain for its whole life and apply its <on_*> actions. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lamina/sched.h"

/* A store event may be missed only if the store daemon restarts; look anyway this often. */
#define SAFETY_POLL_MS 30000
/* While someone else tears the domain down: its store home is gone but the hypervisor has
 * not yet made it dying. The store fired @releaseDomain for the release already and may not
 * fire again, so look often until the domain is gone. */
#define TEARDOWN_POLL_MS 200

static void record_pid(struct life *l, struct life_monitor *m)
{
    if (m->pid <= 0)
        return;
    char v[16];
    snprintf(v, sizeof(v), "%d", m->pid);
    int rc = st_write(l, v, "/lamina/domain/%u/monitor", m->domid);
    if (rc)
        life_log(l, "%s (id %u): cannot record the monitor in the store: %s", m->name, m->domid,
                 strerror(rc));
}

int life_monitor_init(struct life *l, struct life_monitor *m, uint16_t domid, int pid)
{
    memset(m, 0, sizeof(*m));
    struct life_info info;
    int rc = life_get_info(l, domid, &info);
    if (rc)
        return rc;
    m->domid = domid;
    m->pid = pid;
    snprintf(m->name, sizeof(m->name), "%s", info.name[0] ? info.name : "(unnamed)");
    memcpy(m->uuid, info.uuid, sizeof(m->uuid));
    m->actions = info.actions;
    rc = life_running_config(l, domid, &m->config);
    if (rc && rc != ENOENT)
        return rc;
    m->started_ms = life_now_ms(l);
    record_pid(l, m);
    return 0;
}

void life_monitor_free(struct life_monitor *m)
{
    free(m->config);
    m->config = NULL;
}

static const char *reason_key(unsigned int reason)
{
    switch (reason) {
    case LAM_SHUTDOWN_poweroff:
        return "on_poweroff";
    case LAM_SHUTDOWN_reboot:
        return "on_reboot";
    case LAM_SHUTDOWN_soft_reset:
        return "soft_reset";
    default:
        return "on_crash";
    }
}

static enum life_step destroy(struct life *l, struct life_monitor *m)
{
    int rc = l->ops.destroy ? l->ops.destroy(l, m->domid) : ENOSYS;
    if (rc) {
        life_log(l, "%s (id %u): destroy failed: %s; left as it is", m->name, m->domid,
                 strerror(rc));
        m->preserved = true;
        return LIFE_MON_CONTINUE;
    }
    life_log(l, "%s (id %u): destroyed", m->name, m->domid);
    return LIFE_MON_DONE;
}

/* A random (version 4) UUID, as text. */
static int new_uuid(char out[37])
{
    uint8_t b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        return errno ? errno : EIO;
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}

/* The kept incarnation of a rename-restart: its own name and, as libxl_domain_preserve gives
 * it, its own UUID (/vm/NEW, /local/domain/N/vm), so the restarted domain can take the
 * configuration's UUID and destroying the kept one leaves the new one's /vm alone. */
static int keep_renamed(struct life *l, uint16_t domid, const char *name)
{
    char uuid[37];
    int rc = new_uuid(uuid);
    if (!rc)
        rc = st_write(l, uuid, "/vm/%s/uuid", uuid);
    if (!rc)
        rc = st_write(l, name, "/vm/%s/name", uuid);
    char vm[48];
    snprintf(vm, sizeof(vm), "/vm/%s", uuid);
    if (!rc)
        rc = st_write(l, vm, "/local/domain/%u/vm", domid);
    if (!rc)
        rc = st_write(l, name, "/local/domain/%u/name", domid);
    return rc;
}

/* Build the next incarnation from the recorded config; keep the old one when keep_old. The
 * record is read again first: disks attached or detached while it ran (lam attach-disk)
 * stay so across the guest's reboot, as with libvirt. */
static enum life_step restart(struct life *l, struct life_monitor *m, bool keep_old)
{
    char *now = NULL;
    if (life_running_config(l, m->domid, &now) == 0) {
        free(m->config);
        m->config = now;
    }
    if (!l->ops.build || !m->config) {
        life_log(l, "%s (id %u): cannot restart: %s; destroying it", m->name, m->domid,
                 m->config ? "this monitor cannot build domains"
                           : "its configuration is not in the store (/lamina/domain/N/config)");
        return destroy(l, m);
    }
    uint16_t old = m->domid;
    if (keep_old) {
        char renamed[LIFE_NAME_MAX + 16];
        snprintf(renamed, sizeof(renamed), "%s-%u", m->name, old);
        int rc = keep_renamed(l, old, renamed);
        if (rc) {
            life_log(l, "%s (id %u): cannot rename it: %s; left as it is", m->name, old,
                     strerror(rc));
            m->preserved = true;
            return LIFE_MON_CONTINUE;
        }
        life_log(l, "%s (id %u): kept as %s", m->name, old, renamed);
    } else if (destroy(l, m) != LIFE_MON_DONE) {
        return LIFE_MON_CONTINUE;
    }
    uint16_t id;
    int rc = l->ops.build(l, m->config, &id);
    if (rc) {
        life_log(l, "%s: restart failed: %s", m->name, strerror(rc));
        return LIFE_MON_DONE;
    }
    m->domid = id;
    m->restarts++;
    m->started_ms = life_now_ms(l);
    record_pid(l, m);
    life_log(l, "%s: restarted: id %u -> %u", m->name, old, id);
    return LIFE_MON_CONTINUE;
}

static bool is_restart(enum life_action a)
{
    return a == LIFE_RESTART || a == LIFE_COREDUMP_RESTART || a == LIFE_RENAME_RESTART;
}

static enum life_step act_on_shutdown(struct life *l, struct life_monitor *m, unsigned int reason)
{
    enum life_action act;
    if (!life_action_for(&m->actions, reason, &act))
        return LIFE_MON_CONTINUE; /* suspended for a save: whoever saves decides */
    life_log(l, "%s (id %u): %s (shutdown reason %u: %s); %s=%s", m->name, m->domid,
             reason == LAM_SHUTDOWN_crash ? "crashed" : "shut down", reason,
             hvctl_shutdown_name(reason), reason_key(reason), life_action_name(act));
    if (is_restart(act)) {
        uint64_t lived = life_now_ms(l) - m->started_ms;
        m->fast = lived < LIFE_FAST_MS ? m->fast + 1 : 0;
        if (m->fast > LIFE_FAST_MAX) {
            life_log(l,
                     "%s (id %u): stopped %u times in a row within %u s of starting: not "
                     "restarting it again; left shut down (`lam destroy %s` frees it)",
                     m->name, m->domid, m->fast, LIFE_FAST_MS / 1000, m->name);
            m->preserved = true;
            return LIFE_MON_CONTINUE;
        }
    }
    switch (act) {
    case LIFE_PRESERVE:
        life_log(l, "%s (id %u): left shut down for inspection (`lam destroy %s` frees it)",
                 m->name, m->domid, m->name);
        m->preserved = true;
        return LIFE_MON_CONTINUE;
    case LIFE_COREDUMP_DESTROY:
        life_log(l, "%s (id %u): core dumps are not written by Lamina; destroying", m->name,
                 m->domid);
        return destroy(l, m);
    case LIFE_COREDUMP_RESTART:
        life_log(l, "%s (id %u): core dumps are not written by Lamina; restarting", m->name,
                 m->domid);
        return restart(l, m, false);
    case LIFE_RESTART:
        return restart(l, m, false);
    case LIFE_RENAME_RESTART:
        return restart(l, m, true);
    case LIFE_DESTROY:
    default:
        return destroy(l, m);
    }
}

enum life_step life_monitor_check(struct life *l, struct life_monitor *m)
{
    enum life_down st;
    unsigned int reason = 0;
    int rc = life_state(l, m->domid, &st, &reason);
    if (rc) {
        life_log(l, "%s (id %u): cannot ask the hypervisor about it: %s", m->name, m->domid,
                 strerror(rc));
        return LIFE_MON_CONTINUE;
    }
    switch (st) {
    case LIFE_GONE:
        life_log(l, "%s (id %u): gone", m->name, m->domid);
        return LIFE_MON_DONE;
    case LIFE_SHUTDOWN:
        return m->preserved ? LIFE_MON_CONTINUE : act_on_shutdown(l, m, reason);
    case LIFE_UP:
    default:
        return LIFE_MON_CONTINUE;
    }
}

/* The domain's store home is gone while it is still there: a destroy is under way. */
static bool being_torn_down(struct life *l, const struct life_monitor *m)
{
    char v[16];
    return st_read_buf(l, v, sizeof(v), "/local/domain/%u/domid", m->domid) == ENOENT &&
           st_read_buf(l, v, sizeof(v), "/local/domain/%u/name", m->domid) == ENOENT;
}

int life_monitor_run(struct life *l, struct life_monitor *m)
{
    for (;;) {
        /* A restart may be followed at once by the new incarnation stopping: check again
         * before sleeping whenever the domain changed. */
        uint16_t before;
        do {
            before = m->domid;
            if (life_monitor_check(l, m) == LIFE_MON_DONE)
                return 0;
        } while (m->domid != before);
        int rc = life_wait_event(l, being_torn_down(l, m) ? TEARDOWN_POLL_MS : SAFETY_POLL_MS);
        if (rc && rc != ETIMEDOUT)
            return rc;
    }
}
