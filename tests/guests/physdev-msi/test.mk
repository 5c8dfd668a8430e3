# SPDX-License-Identifier: GPL-2.0-only
# physdev-msi: map_pirq of MSI and MSI-X for dom0's devices, good and bad, and what
# the hypervisor writes into the devices
GUEST_TESTS += physdev-msi
physdev-msi_LIBS := mm_util
physdev-msi_QEMU_DEVICES := -device virtio-rng-pci,addr=4 -device ich9-ahci,addr=5
