# SPDX-License-Identifier: GPL-2.0-only
# dom0 kernels with feature notes other than Linux's (see main.c).
GUEST_TESTS += dom0-note-string dom0-note-string-dom0
dom0-note-string_DIR := dom0-note
dom0-note-string_FEATURES := features_string_only
dom0-note-string_CFLAGS := -DEXPECT_SUPPORTED_NOTE=0 -DEXPECT_STRING_DOM0=0
dom0-note-string-dom0_DIR := dom0-note
dom0-note-string-dom0_FEATURES := features_string_dom0
dom0-note-string-dom0_CFLAGS := -DEXPECT_SUPPORTED_NOTE=1 -DEXPECT_STRING_DOM0=1
