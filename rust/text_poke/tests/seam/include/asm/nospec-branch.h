/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: return thunks off, as on a CPU that needs none. */
void x86_return_thunk(void);
static inline bool cpu_wants_rethunk(void)
{
	return false;
}

static inline bool cpu_wants_rethunk_at(void *addr)
{
	return false;
}
