/* SPDX-License-Identifier: GPL-2.0-only */
/* Autostart marks (see lam_autostart.h). */
#include "lam_autostart.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void mark_path(const struct lam_args *args, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/autostart/%s.xml", lam_state_dir(args), name);
}

bool lam_autostart_get(const struct lam_args *args, const char *name)
{
    char path[4096];
    struct stat st;
    mark_path(args, name, path, sizeof(path));
    return lstat(path, &st) == 0;
}

int lam_autostart_set(const struct lam_args *args, const char *name, bool on)
{
    char dir[4096], path[4096], target[4200];
    snprintf(dir, sizeof(dir), "%s/autostart", lam_state_dir(args));
    mark_path(args, name, path, sizeof(path));
    if (!on)
        return unlink(path) == 0 || errno == ENOENT ? 0 : errno;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return errno;
    snprintf(target, sizeof(target), "../domains/%s.xml", name);
    if (symlink(target, path) != 0 && errno != EEXIST)
        return errno;
    return 0;
}
