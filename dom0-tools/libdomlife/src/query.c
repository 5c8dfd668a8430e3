/* SPDX-License-Identifier: GPL-2.0-only */
/* Finding running domains and reading what the hypervisor and the store know of them. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lamina/types.h"

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool alive(struct life *l, uint16_t domid)
{
    struct hvctl_dominfo d;
    return hvctl_domain_info(l->hv, domid, &d) == 0 && !d.dying;
}

int life_find(struct life *l, const char *what, uint16_t *domid)
{
    if (strcmp(what, "Domain-0") == 0) {
        *domid = 0;
        return 0;
    }
    if (all_digits(what)) {
        unsigned long v = strlen(what) <= 5 ? strtoul(what, NULL, 10) : LAM_DOMID_FIRST_RESERVED;
        struct hvctl_dominfo d;
        if (v >= LAM_DOMID_FIRST_RESERVED)
            return ENOENT;
        int rc = hvctl_domain_info(l->hv, (uint16_t)v, &d);
        if (rc == -ESRCH)
            return ENOENT;
        if (!rc)
            *domid = (uint16_t)v;
        return hv_err(rc);
    }
    /* By name or UUID in the store: the live domain with the highest id wins (during a
     * restart the old, dying incarnation may still be listed). */
    char **ids;
    unsigned n;
    int rc = xsc_directory(l->xs, XSC_NO_TX, "/local/domain", &ids, &n);
    if (rc)
        return rc;
    bool by_uuid = strlen(what) == 36 && what[8] == '-';
    long best = -1;
    for (unsigned i = 0; i < n; i++) {
        if (!all_digits(ids[i]) || strlen(ids[i]) > 5)
            continue;
        unsigned long id = strtoul(ids[i], NULL, 10);
        if (id == 0 || id >= LAM_DOMID_FIRST_RESERVED || (long)id <= best)
            continue;
        char have[LIFE_NAME_MAX + 1];
        if (by_uuid) {
            char uuid[37];
            dom_uuid(l, (uint16_t)id, uuid);
            snprintf(have, sizeof(have), "%s", uuid);
        } else if (st_read_buf(l, have, sizeof(have), "/local/domain/%lu/name", id)) {
            continue;
        }
        if (strcmp(have, what) == 0 && alive(l, (uint16_t)id))
            best = (long)id;
    }
    free(ids);
    if (best < 0)
        return ENOENT;
    *domid = (uint16_t)best;
    return 0;
}

static void read_actions(struct life *l, uint16_t domid, struct life_info *out)
{
    static const char *const keys[] = {"on_poweroff", "on_reboot", "on_crash"};
    enum life_action *slots[] = {&out->actions.on_poweroff, &out->actions.on_reboot,
                                 &out->actions.on_crash};
    out->actions = life_default_actions;
    for (int i = 0; i < 3; i++) {
        char v[32];
        enum life_action a;
        if (st_read_buf(l, v, sizeof(v), "/lamina/domain/%u/%s", domid, keys[i]) == 0 &&
            life_action_parse(v, &a) == 0) {
            *slots[i] = a;
            out->has_actions = true;
        }
    }
}

int life_get_info(struct life *l, uint16_t domid, struct life_info *out)
{
    memset(out, 0, sizeof(*out));
    int rc = hvctl_domain_info(l->hv, domid, &out->hv);
    if (rc)
        return rc == -ESRCH ? ENOENT : hv_err(rc);
    out->vcpus_max = out->hv.max_vcpu_id == ~0u ? 0 : out->hv.max_vcpu_id + 1;
    if (!l->xs)
        return 0;
    st_read_buf(l, out->name, sizeof(out->name), "/local/domain/%u/name", domid);
    dom_uuid(l, domid, out->uuid);
    st_read_u64(l, &out->target_kib, "/local/domain/%u/memory/target", domid);
    st_read_u64(l, &out->static_max_kib, "/local/domain/%u/memory/static-max", domid);
    for (unsigned k = 0; k < out->vcpus_max; k++) {
        char v[16];
        if (st_read_buf(l, v, sizeof(v), "/local/domain/%u/cpu/%u/availability", domid, k))
            break;
        out->vcpus_available += strcmp(v, "online") == 0;
    }
    read_actions(l, domid, out);
    char *t;
    if (out->uuid[0] && st_read(l, &t, "/vm/%s/start_time", out->uuid) == 0) {
        out->start_time = strtod(t, NULL);
        free(t);
    }
    uint64_t pid;
    if (st_read_u64(l, &pid, "/lamina/domain/%u/monitor", domid) == 0 && pid < (1u << 31))
        out->monitor_pid = (int)pid;
    return 0;
}

int life_running_config(struct life *l, uint16_t domid, char **xml)
{
    return st_read(l, xml, "/lamina/domain/%u/config", domid);
}

int life_record(struct life *l, uint16_t domid, const char *xml, const struct life_actions *acts)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/lamina/domain/%u", domid);
    int rc = xsc_mkdir(l->xs, XSC_NO_TX, dir);
    const char *const dom0_only[] = {"n0"};
    if (!rc)
        rc = xsc_set_perms(l->xs, XSC_NO_TX, dir, dom0_only, 1);
    if (!rc)
        rc = st_write(l, xml, "%s/config", dir);
    if (!rc)
        rc = st_write(l, life_action_name(acts->on_poweroff), "%s/on_poweroff", dir);
    if (!rc)
        rc = st_write(l, life_action_name(acts->on_reboot), "%s/on_reboot", dir);
    if (!rc)
        rc = st_write(l, life_action_name(acts->on_crash), "%s/on_crash", dir);
    return rc;
}

int life_state(struct life *l, uint16_t domid, enum life_down *st, unsigned int *reason)
{
    struct hvctl_dominfo d;
    int rc = hvctl_domain_info(l->hv, domid, &d);
    if (rc == -ESRCH || (!rc && d.dying)) {
        *st = LIFE_GONE;
        return 0;
    }
    if (rc)
        return hv_err(rc);
    *st = d.shutdown ? LIFE_SHUTDOWN : LIFE_UP;
    *reason = d.shutdown_reason;
    return 0;
}
