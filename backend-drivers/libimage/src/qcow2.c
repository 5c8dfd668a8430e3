/* SPDX-License-Identifier: GPL-2.0-only */
#include "img_internal.h"

#include <errno.h>

int qcow2_open(struct img *img, struct img_chain *chain, char *err)
{
    (void)chain;
    return img_err(err, -ENOTSUP, "%s: qcow2 is not supported yet", img->path);
}
