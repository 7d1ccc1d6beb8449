/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: static_assert() is C11's. */
#include <assert.h>
