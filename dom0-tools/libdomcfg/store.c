/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The definitions store: one normalised XML file per defined domain,
 * <state-dir>/domains/<name>.xml. The file name is the domain name (unique by construction);
 * UUID uniqueness is checked under an exclusive lock on <state-dir>/domains/.lock, which
 * also serialises concurrent defines so two cannot both pass the check.
 *
 * Writes are atomic: the new text goes to a temporary file in the same directory, which is
 * fsync'd and renamed over the old one, and the directory is fsync'd so the rename itself is
 * durable. A crash leaves the old definition or the new one, plus at worst a stray
 * ".<name>.xml.XXXXXX" temporary that listing ignores and the next define of that name
 * removes.
 */
#include "domcfg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct domcfg_store {
    char *dir; /* <state-dir>/domains */
    int dirfd;
};

static int make_dir(const char *path, mode_t mode, struct domcfg_diags *diags)
{
    if (mkdir(path, mode) == 0 || errno == EEXIST)
        return 0;
    domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot create the state directory: %s", path,
                    strerror(errno));
    return -1;
}

struct domcfg_store *domcfg_store_open(const char *state_dir, struct domcfg_diags *diags)
{
    struct domcfg_store *store = calloc(1, sizeof(*store));

    if (!store || asprintf(&store->dir, "%s/domains", state_dir) < 0) {
        free(store);
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: out of memory", state_dir);
        return NULL;
    }
    if (make_dir(state_dir, 0755, diags) < 0 || make_dir(store->dir, 0700, diags) < 0) {
        free(store->dir);
        free(store);
        return NULL;
    }
    store->dirfd = open(store->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (store->dirfd < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot open: %s", store->dir, strerror(errno));
        free(store->dir);
        free(store);
        return NULL;
    }
    return store;
}

void domcfg_store_close(struct domcfg_store *store)
{
    if (!store)
        return;
    close(store->dirfd);
    free(store->dir);
    free(store);
}

static int store_lock(struct domcfg_store *store, struct domcfg_diags *diags)
{
    int fd = openat(store->dirfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s/.lock: cannot lock the store: %s", store->dir,
                        strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void store_unlock(int fd)
{
    close(fd); /* releases the flock */
}

static bool is_definition(const char *file)
{
    size_t len = strlen(file);
    return file[0] != '.' && len > 4 && strcmp(file + len - 4, ".xml") == 0;
}

/* Parse one stored file; its name must match the file name. Only errors are passed on, as
 * `sev`: warnings about kept elements were shown when the definition was made. */
static struct domcfg_domain *load_entry(struct domcfg_store *store, const char *file,
                                        struct domcfg_diags *diags, enum domcfg_severity sev)
{
    char *path = NULL;
    struct domcfg_diags local;

    if (asprintf(&path, "%s/%s", store->dir, file) < 0) {
        domcfg_diag_add(diags, sev, "%s: out of memory", store->dir);
        return NULL;
    }
    domcfg_diags_init(&local);
    struct domcfg_domain *dom = domcfg_load_file(path, &local);
    for (size_t i = 0; i < local.count; i++) {
        if (local.items[i].severity == DOMCFG_ERROR)
            domcfg_diag_add(diags, sev, "%s", local.items[i].text);
    }
    domcfg_diags_free(&local);
    if (dom && (strlen(file) != strlen(dom->name) + 4 ||
                strncmp(file, dom->name, strlen(dom->name)) != 0)) {
        domcfg_diag_add(diags, sev, "%s: holds domain '%s', not the one its name says", path,
                        dom->name);
        domcfg_domain_free(dom);
        dom = NULL;
    }
    free(path);
    return dom;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct domcfg_store_entry *)a)->name,
                  ((const struct domcfg_store_entry *)b)->name);
}

int domcfg_store_list(struct domcfg_store *store, struct domcfg_store_entry **entries,
                      size_t *count, struct domcfg_diags *diags)
{
    int fd = dup(store->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

    *entries = NULL;
    *count = 0;
    if (!d) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot read: %s", store->dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_definition(de->d_name))
            continue;
        /* A broken file must not hide the others: its problems become warnings. */
        struct domcfg_domain *dom = load_entry(store, de->d_name, diags, DOMCFG_WARNING);
        if (!dom)
            continue;
        struct domcfg_store_entry *grown = realloc(*entries, (*count + 1) * sizeof(*grown));
        if (!grown) {
            domcfg_domain_free(dom);
            break;
        }
        *entries = grown;
        snprintf(grown[*count].name, sizeof(grown[*count].name), "%s", dom->name);
        domcfg_uuid_format(dom->uuid, grown[*count].uuid);
        (*count)++;
        domcfg_domain_free(dom);
    }
    closedir(d);
    if (*count > 1)
        qsort(*entries, *count, sizeof(**entries), cmp_entry);
    return 0;
}

/* Name of the definition with this name or UUID, or "" when none. */
static int find(struct domcfg_store *store, const char *name_or_uuid, char *name, size_t len,
                struct domcfg_diags *diags)
{
    struct domcfg_store_entry *entries;
    size_t count;
    uint8_t want[16], have[16];
    bool by_uuid = domcfg_uuid_parse(name_or_uuid, want) == 0;

    name[0] = '\0';
    if (domcfg_store_list(store, &entries, &count, diags) < 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        bool hit = strcmp(entries[i].name, name_or_uuid) == 0 ||
                   (by_uuid && domcfg_uuid_parse(entries[i].uuid, have) == 0 &&
                    memcmp(want, have, 16) == 0);
        if (hit) {
            snprintf(name, len, "%s", entries[i].name);
            break;
        }
    }
    free(entries);
    return 0;
}

static void remove_stale_temporaries(struct domcfg_store *store, const char *name)
{
    char prefix[DOMCFG_NAME_MAX + 8];
    int fd = dup(store->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    snprintf(prefix, sizeof(prefix), ".%s.xml.", name);
    rewinddir(d);
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
            strlen(de->d_name) == strlen(prefix) + 6)
            unlinkat(store->dirfd, de->d_name, 0);
    }
    closedir(d);
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_atomically(struct domcfg_store *store, const char *name, const char *text,
                            struct domcfg_diags *diags)
{
    char *tmp = NULL, *final = NULL;
    int rc = -1;

    if (asprintf(&tmp, "%s/.%s.xml.XXXXXX", store->dir, name) < 0 ||
        asprintf(&final, "%s/%s.xml", store->dir, name) < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: out of memory", store->dir);
        goto out;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot create: %s", tmp, strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot write: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) < 0 || rename(tmp, final) < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot replace: %s", final, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (fsync(store->dirfd) < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: cannot sync the directory: %s", store->dir,
                        strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    free(final);
    return rc;
}

int domcfg_store_define(struct domcfg_store *store, const struct domcfg_domain *dom,
                        struct domcfg_diags *diags)
{
    char uuid[37], other[DOMCFG_NAME_MAX + 1];
    int rc = -1;

    if (!dom->name || !dom->has_uuid || !domcfg_name_ok(dom->name)) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: a definition needs a valid name and a UUID",
                        dom->source ? dom->source : "-");
        return -1;
    }
    domcfg_uuid_format(dom->uuid, uuid);
    int lock = store_lock(store, diags);
    if (lock < 0)
        return -1;
    if (find(store, uuid, other, sizeof(other), diags) < 0)
        goto out;
    if (other[0] && strcmp(other, dom->name) != 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR,
                        "%s: UUID %s is already defined as domain '%s': UUIDs must be unique",
                        dom->source, uuid, other);
        goto out;
    }
    if (!other[0]) {
        struct domcfg_diags quiet;
        domcfg_diags_init(&quiet);
        struct domcfg_domain *old = domcfg_store_lookup(store, dom->name, &quiet);
        domcfg_diags_free(&quiet);
        if (old) {
            char old_uuid[37];
            domcfg_uuid_format(old->uuid, old_uuid);
            domcfg_diag_add(diags, DOMCFG_ERROR,
                            "%s: domain '%s' is already defined with UUID %s: undefine it first "
                            "or use that UUID",
                            dom->source, dom->name, old_uuid);
            domcfg_domain_free(old);
            goto out;
        }
    }
    char *text = domcfg_format_xml(dom);
    if (!text) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s: out of memory", dom->source);
        goto out;
    }
    remove_stale_temporaries(store, dom->name);
    rc = write_atomically(store, dom->name, text, diags);
    free(text);
out:
    store_unlock(lock);
    return rc;
}

int domcfg_store_undefine(struct domcfg_store *store, const char *name_or_uuid,
                          struct domcfg_diags *diags)
{
    char name[DOMCFG_NAME_MAX + 1], file[DOMCFG_NAME_MAX + 8];
    int rc = -1;

    int lock = store_lock(store, diags);
    if (lock < 0)
        return -1;
    if (find(store, name_or_uuid, name, sizeof(name), diags) < 0)
        goto out;
    if (!name[0]) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "no domain named '%s' is defined in %s", name_or_uuid,
                        store->dir);
        goto out;
    }
    snprintf(file, sizeof(file), "%s.xml", name);
    if (unlinkat(store->dirfd, file, 0) < 0 || fsync(store->dirfd) < 0) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "%s/%s: cannot remove: %s", store->dir, file,
                        strerror(errno));
        goto out;
    }
    rc = 0;
out:
    store_unlock(lock);
    return rc;
}

struct domcfg_domain *domcfg_store_lookup(struct domcfg_store *store, const char *name_or_uuid,
                                          struct domcfg_diags *diags)
{
    char name[DOMCFG_NAME_MAX + 1], file[DOMCFG_NAME_MAX + 8];

    if (domcfg_name_ok(name_or_uuid)) {
        snprintf(file, sizeof(file), "%s.xml", name_or_uuid);
        if (faccessat(store->dirfd, file, F_OK, 0) == 0)
            return load_entry(store, file, diags, DOMCFG_ERROR);
    }
    if (find(store, name_or_uuid, name, sizeof(name), diags) < 0)
        return NULL;
    if (!name[0]) {
        domcfg_diag_add(diags, DOMCFG_ERROR, "no domain named '%s' is defined in %s", name_or_uuid,
                        store->dir);
        return NULL;
    }
    snprintf(file, sizeof(file), "%s.xml", name);
    return load_entry(store, file, diags, DOMCFG_ERROR);
}
