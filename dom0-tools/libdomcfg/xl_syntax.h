/* SPDX-License-Identifier: GPL-2.0-only */
/* Private: the xl.cfg file syntax (xl_syntax.c), separate from what the keys mean. */
#ifndef DOMCFG_XL_SYNTAX_H
#define DOMCFG_XL_SYNTAX_H

#include "domcfg_internal.h"

/* A value is a string, a number (kept as text) or a list of strings and numbers. */
struct xl_value {
    bool is_list;
    bool is_string; /* quoted; false for a bare number */
    char *text;     /* scalars */
    char **items;   /* lists */
    size_t count;
};

struct xl_setting {
    char *key;
    int line;
    struct xl_value value;
};

struct xl_file {
    struct xl_setting *settings;
    size_t count;
};

/* Parse "key = value" lines ('#' comments, ';' separators, "+=" appends to a list). Returns 0,
 * or -1 after adding an error naming the line. A repeated key replaces the earlier one. */
int xl_syntax_parse(const char *buf, size_t len, const char *source, struct xl_file *file,
                    struct domcfg_diags *diags);
void xl_syntax_free(struct xl_file *file);

#endif
