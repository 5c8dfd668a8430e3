# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-vcpumask
mm-vcpumask_LIBS := mm_util
