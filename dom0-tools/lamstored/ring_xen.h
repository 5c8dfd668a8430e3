/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shared-ring transport on a real dom0: the local ring page from
 * /proc/xen/xsd_kva with the port in /proc/xen/xsd_port, and each
 * introduced domain's page mapped by grant (ref 1) through /dev/xen/gntdev,
 * with its event channel bound through /dev/xen/evtchn.
 */
#ifndef LAMSTORED_RING_XEN_H
#define LAMSTORED_RING_XEN_H

struct store;

/* Returns 0 when there are no Xen devices (plain host) or all went well. */
int ring_xen_start(struct store *st);

#endif
