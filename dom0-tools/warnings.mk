# SPDX-License-Identifier: GPL-2.0-only
# The warnings of every dom0 tool and of the host tests built with it, in one place
# (included by each dom0-tools/*/Makefile, as hypervisor/flags.mk is by the hypervisor).
# -Wmissing-prototypes and -Wmissing-declarations: a function with external linkage
# must have been declared first, in the header its callers include; a function
# only its own file uses is static.
TOOLS_WARN := -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes -Wmissing-declarations

# Each Makefile's lint target also compiles its sources, and the host tests built with
# them, with these flags (-fsyntax-only): `make lint` fails on a warning, a missing
# prototype included, without needing a build first.
