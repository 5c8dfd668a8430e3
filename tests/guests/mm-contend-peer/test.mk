# SPDX-License-Identifier: GPL-2.0-only
GUEST_TESTS += mm-contend-peer
mm-contend-peer_LIBS := mm_util smp
mm-contend-peer_HELPER := only booted as mm-contend-2dom's domU
mm-contend-peer_NO_RESULT := retypes a frame on two vCPUs until the machine stops: never prints a result
