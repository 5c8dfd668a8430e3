# SPDX-License-Identifier: GPL-2.0-only
# dbg-reg: set_debugreg/get_debugreg and the guest's DR6
GUEST_TESTS += dbg-reg
