# SPDX-License-Identifier: GPL-2.0-only
# ldt-selector: LDT selectors fault: no LDT at linear 0
GUEST_TESTS += ldt-selector
ldt-selector_LIBS := mm_util
