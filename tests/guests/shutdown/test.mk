# SPDX-License-Identifier: GPL-2.0-only
# One kernel per shutdown reason, built from the same main.c. The runner checks
# that the hypervisor's log names the reason (run.sh: reason_re).
SHUTDOWN_REASONS := poweroff reboot suspend crash watchdog soft_reset
$(foreach r,$(SHUTDOWN_REASONS),$(eval GUEST_TESTS += shutdown-$(r)))
$(foreach r,$(SHUTDOWN_REASONS),$(eval shutdown-$(r)_DIR := shutdown))
$(foreach r,$(SHUTDOWN_REASONS),$(eval shutdown-$(r)_CFLAGS := -DSHUTDOWN_REASON=LAM_SHUTDOWN_$(r)))

# shutdowncode-reboot: SCHEDOP_shutdown_code records "reboot" without shutting
# down; the later poweroff must then be reported as a reboot.
GUEST_TESTS += shutdowncode-reboot
shutdowncode-reboot_DIR := shutdown
shutdowncode-reboot_CFLAGS := -DSHUTDOWN_REASON=LAM_SHUTDOWN_poweroff -DSHUTDOWN_CODE=LAM_SHUTDOWN_reboot
