/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xl.cfg syntax (what Xen's libxlu accepts): settings "key = value" separated by newlines
 * or ';', '#' comments, values that are numbers, single- or double-quoted strings with C
 * escapes, or [lists] of those spanning lines with an optional trailing comma.
 */
#include "xl_syntax.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct lexer {
    const char *p, *end;
    int line;
    const char *source;
    struct domcfg_diags *diags;
};

static int lex_error(struct lexer *lx, const char *what)
{
    domcfg_diag_at(lx->diags, DOMCFG_ERROR, lx->source, lx->line, "xl.cfg syntax: %s", what);
    return -1;
}

/* Skip blanks and comments; newlines too when `newlines`. */
static void skip(struct lexer *lx, bool newlines)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (c == '\n' && newlines) {
            lx->line++;
            lx->p++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            lx->p++;
        } else {
            break;
        }
    }
}

static char *read_string(struct lexer *lx)
{
    char quote = *lx->p++;
    size_t cap = 64, len = 0;
    char *out = malloc(cap);

    if (!out) {
        lex_error(lx, "out of memory");
        return NULL;
    }
    while (lx->p < lx->end && *lx->p != quote) {
        char c = *lx->p++;
        if (c == '\n') {
            free(out);
            lex_error(lx, "string not closed before the end of the line");
            return NULL;
        }
        if (c == '\\' && lx->p < lx->end) {
            char e = *lx->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
        }
        if (len + 2 > cap) {
            char *grown = realloc(out, cap *= 2);
            if (!grown) {
                free(out);
                return NULL;
            }
            out = grown;
        }
        out[len++] = c;
    }
    if (lx->p >= lx->end) {
        free(out);
        lex_error(lx, "string not closed");
        return NULL;
    }
    lx->p++;
    out[len] = '\0';
    /* Values end up in XML: only text XML can carry. */
    if (!domcfg_text_ok(out)) {
        free(out);
        lex_error(lx, "string holds a control character or is not valid UTF-8");
        return NULL;
    }
    return out;
}

static char *read_number(struct lexer *lx)
{
    const char *start = lx->p;

    if (lx->p < lx->end && *lx->p == '-')
        lx->p++;
    while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '.'))
        lx->p++;
    if (lx->p == start) {
        lex_error(lx, "expected a value: a number, a \"string\" or a [list]");
        return NULL;
    }
    return strndup(start, (size_t)(lx->p - start));
}

static char *read_scalar(struct lexer *lx, bool *is_string)
{
    *is_string = lx->p < lx->end && (*lx->p == '"' || *lx->p == '\'');
    return *is_string ? read_string(lx) : read_number(lx);
}

static int read_list(struct lexer *lx, struct xl_value *v)
{
    lx->p++; /* '[' */
    v->is_list = true;
    for (;;) {
        skip(lx, true);
        if (lx->p >= lx->end)
            return lex_error(lx, "list not closed with ']'");
        if (*lx->p == ']') {
            lx->p++;
            return 0;
        }
        bool is_string;
        char *item = read_scalar(lx, &is_string);
        if (!item)
            return -1;
        char **grown = realloc(v->items, (v->count + 1) * sizeof(*grown));
        if (!grown) {
            free(item);
            return lex_error(lx, "out of memory");
        }
        v->items = grown;
        v->items[v->count++] = item;
        skip(lx, true);
        if (lx->p < lx->end && *lx->p == ',')
            lx->p++;
        else if (lx->p < lx->end && *lx->p != ']')
            return lex_error(lx, "expected ',' or ']' in a list");
    }
}

static void value_free(struct xl_value *v)
{
    free(v->text);
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof(*v));
}

void xl_syntax_free(struct xl_file *file)
{
    for (size_t i = 0; i < file->count; i++) {
        free(file->settings[i].key);
        value_free(&file->settings[i].value);
    }
    free(file->settings);
    file->settings = NULL;
    file->count = 0;
}

static struct xl_setting *find_setting(struct xl_file *file, const char *key)
{
    for (size_t i = 0; i < file->count; i++) {
        if (strcmp(file->settings[i].key, key) == 0)
            return &file->settings[i];
    }
    return NULL;
}

/* Store key = v, replacing an earlier value or (append) extending an earlier list. */
static int store_setting(struct lexer *lx, struct xl_file *file, char *key, struct xl_value *v,
                         bool append, int line)
{
    struct xl_setting *old = find_setting(file, key);

    if (append && old && old->value.is_list && v->is_list) {
        if (v->count == 0) { /* "key += []": nothing to add (memcpy from NULL, realloc to 0) */
            free(v->items);
            free(key);
            return 0;
        }
        char **grown = realloc(old->value.items, (old->value.count + v->count) * sizeof(*grown));
        if (!grown)
            return lex_error(lx, "out of memory");
        memcpy(grown + old->value.count, v->items, v->count * sizeof(*grown));
        old->value.items = grown;
        old->value.count += v->count;
        free(v->items);
        free(key);
        return 0;
    }
    if (old) {
        value_free(&old->value);
        old->value = *v;
        old->line = line;
        free(key);
        return 0;
    }
    struct xl_setting *grown = realloc(file->settings, (file->count + 1) * sizeof(*grown));
    if (!grown)
        return lex_error(lx, "out of memory");
    file->settings = grown;
    grown[file->count++] = (struct xl_setting){key, line, *v};
    return 0;
}

static int parse_setting(struct lexer *lx, struct xl_file *file)
{
    const char *start = lx->p;
    int line = lx->line;

    while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_'))
        lx->p++;
    if (lx->p == start || isdigit((unsigned char)*start))
        return lex_error(lx, "expected a setting name");
    char *key = strndup(start, (size_t)(lx->p - start));
    if (!key)
        return lex_error(lx, "out of memory");
    skip(lx, false);
    bool append = lx->end - lx->p >= 2 && lx->p[0] == '+' && lx->p[1] == '=';
    if (!append && (lx->p >= lx->end || *lx->p != '=')) {
        free(key);
        return lex_error(lx, "expected '=' after the setting name");
    }
    lx->p += append ? 2 : 1;
    skip(lx, false);
    struct xl_value v = {0};
    int rc;
    if (lx->p < lx->end && *lx->p == '[')
        rc = read_list(lx, &v);
    else
        rc = (v.text = read_scalar(lx, &v.is_string)) ? 0 : -1;
    if (rc < 0) {
        free(key);
        value_free(&v);
        return -1;
    }
    skip(lx, false);
    if (lx->p < lx->end && *lx->p != '\n' && *lx->p != ';') {
        free(key);
        value_free(&v);
        return lex_error(lx, "expected the end of the line after the value");
    }
    if (store_setting(lx, file, key, &v, append, line) < 0) {
        free(key);
        value_free(&v);
        return -1;
    }
    return 0;
}

int xl_syntax_parse(const char *buf, size_t len, const char *source, struct xl_file *file,
                    struct domcfg_diags *diags)
{
    struct lexer lx = {buf, buf + len, 1, source, diags};

    memset(file, 0, sizeof(*file));
    if (memchr(buf, '\0', len))
        return lex_error(&lx, "the file contains a NUL byte");
    for (;;) {
        skip(&lx, true);
        while (lx.p < lx.end && *lx.p == ';') {
            lx.p++;
            skip(&lx, true);
        }
        if (lx.p >= lx.end)
            return 0;
        if (parse_setting(&lx, file) < 0) {
            xl_syntax_free(file);
            return -1;
        }
    }
}
