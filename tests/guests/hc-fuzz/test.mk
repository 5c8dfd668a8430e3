# SPDX-License-Identifier: GPL-2.0-only
# hc-fuzz: the hypercall fuzzer guest (docs/security/hcfuzz.md). make test runs a fixed set
# of seeds: hc-fuzz on both hypervisors (on Xen 4.17 a sanity check of the fuzzer itself),
# the others on Lamina only; hc-fuzz-domu (its own directory) runs it as an unprivileged
# domU. make fuzz (fuzz.sh) runs seed after seed for as long as asked.
GUEST_TESTS += hc-fuzz hc-fuzz-smp hc-fuzz-s2 hc-fuzz-s3
hc-fuzz_LIBS := mm_util smp callbacks
hc-fuzz_KERNEL_ARGS := seed=0x5eed1 calls=20000

hc-fuzz-smp_DIR := hc-fuzz
hc-fuzz-smp_LIBS := mm_util smp callbacks
hc-fuzz-smp_SMP := 2
hc-fuzz-smp_KERNEL_ARGS := seed=0x5eed2 calls=6000
hc-fuzz-smp_LAMINA_ONLY := more seeds of the fuzzer on Lamina; Xen 4.17 runs the short sanity seed of hc-fuzz

hc-fuzz-s2_DIR := hc-fuzz
hc-fuzz-s2_LIBS := mm_util smp callbacks
hc-fuzz-s2_KERNEL_ARGS := seed=0x5eed4 calls=20000
hc-fuzz-s2_LAMINA_ONLY := more seeds of the fuzzer on Lamina; Xen 4.17 runs the short sanity seed of hc-fuzz

hc-fuzz-s3_DIR := hc-fuzz
hc-fuzz-s3_LIBS := mm_util smp callbacks
hc-fuzz-s3_KERNEL_ARGS := seed=0x5eed5 calls=20000
hc-fuzz-s3_LAMINA_ONLY := more seeds of the fuzzer on Lamina; Xen 4.17 runs the short sanity seed of hc-fuzz
