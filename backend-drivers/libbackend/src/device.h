/* SPDX-License-Identifier: GPL-2.0-only */
/* Devices, for the loop (device.c). */
#ifndef LAMINA_LAMBACK_DEVICE_H
#define LAMINA_LAMBACK_DEVICE_H

#include "internal.h"

struct lb_dev *lb_dev_find(struct lb *lb, unsigned domid, unsigned devid);
struct lb_dev *lb_dev_create(struct lb *lb, unsigned domid, unsigned devid);
bool lb_dev_eval(struct lb_dev *d);
void lb_dev_remove_all(struct lb *lb);
/* After a reconnection: every device's frontend watch again, and the states that could
 * not be written while the store was away. 0, or the error that lost the connection. */
int lb_dev_rewatch(struct lb *lb);

#endif
