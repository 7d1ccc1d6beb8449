/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: <linux/types.h> has what the seam needs. */
#include <linux/types.h>
