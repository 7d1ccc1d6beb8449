// SPDX-License-Identifier: GPL-2.0
/*
 * uprobe_jcc: a uprobe on every conditional jump, in user space.
 *
 * The guest test of workbench/uprobes.sh, built as a static binary with
 * clang. Each of the 16 conditions is here twice, as a function that loads
 * EFLAGS from its argument and ends in that Jcc, in its rel8 (70+cc) and its
 * rel32 (0f 80+cc) encoding: taken returns 1, not taken 0. For each of the 32
 * functions this program
 *
 *   - runs it with every combination of the six status flags, unprobed, and
 *     checks the paths against the conditions as the SDM defines them;
 *   - puts a uprobe on the Jcc through tracefs uprobe_events, enables it and
 *     runs the combinations again, ROUNDS times: uprobes then emulates the
 *     Jcc in the kernel (branch_emulate_op()), which must take the same path
 *     as the CPU did without the probe;
 *   - requires the probe's hit count in uprobe_profile to be the number of
 *     runs, so that every run went through the probe;
 *   - requires as many true returns of arch_uprobe_skip_sstep(), seen by a
 *     kretprobe event, and no false one: each hit was emulated in the
 *     kernel, none single-stepped out of line. A control probe on a mov,
 *     which uprobes single-steps, must count as stepped, never emulated.
 *
 * Output, one line each (stdout is /dev/kmsg in the guest):
 *   uprobe-jcc: jl rel8 @0x1234: 256 of 256 hits, 256 emulated, 0 wrong paths
 *   uprobe-jcc: PASS: 32 probes ...   or   uprobe-jcc: FAIL: ...
 * Usage: uprobe_jcc [TRACEFS]   (default /sys/kernel/tracing)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define X86_CF	0x0001UL
#define X86_PF	0x0004UL
#define X86_AF	0x0010UL
#define X86_ZF	0x0040UL
#define X86_SF	0x0080UL
#define X86_OF	0x0800UL

#define COMBOS	64	/* the six status flags */
#define ROUNDS	4	/* probed runs of each combination */

/*
 * uj_CC_8 and uj_CC_32 (CC in decimal): EFLAGS from the argument, then the
 * Jcc at uj_CC_8_jcc or uj_CC_32_jcc. The opcodes are spelled out so that
 * the assembler cannot choose the encoding.
 */
#define JCC_FUNCS(cc)							\
	asm(".text\n"							\
	    ".globl uj_" #cc "_8, uj_" #cc "_8_jcc\n"			\
	    ".type uj_" #cc "_8, @function\n"				\
	    "uj_" #cc "_8:\n\t"						\
	    "push %rdi\n\t"						\
	    "popf\n"							\
	    "uj_" #cc "_8_jcc:\n\t"					\
	    ".byte 0x70 + " #cc ", 1f - 0f\n"				\
	    "0:\txor %eax, %eax\n\t"					\
	    "ret\n"							\
	    "1:\tmov $1, %eax\n\t"					\
	    "ret\n"							\
	    ".size uj_" #cc "_8, . - uj_" #cc "_8\n"			\
	    ".globl uj_" #cc "_32, uj_" #cc "_32_jcc\n"			\
	    ".type uj_" #cc "_32, @function\n"				\
	    "uj_" #cc "_32:\n\t"					\
	    "push %rdi\n\t"						\
	    "popf\n"							\
	    "uj_" #cc "_32_jcc:\n\t"					\
	    ".byte 0x0f, 0x80 + " #cc "\n\t"				\
	    ".long 1f - 0f\n"						\
	    "0:\txor %eax, %eax\n\t"					\
	    "ret\n"							\
	    "1:\tmov $1, %eax\n\t"					\
	    "ret\n"							\
	    ".size uj_" #cc "_32, . - uj_" #cc "_32\n");		\
	extern int uj_##cc##_8(unsigned long), uj_##cc##_32(unsigned long); \
	extern const char uj_##cc##_8_jcc[], uj_##cc##_32_jcc[]

JCC_FUNCS(0);  JCC_FUNCS(1);  JCC_FUNCS(2);  JCC_FUNCS(3);
JCC_FUNCS(4);  JCC_FUNCS(5);  JCC_FUNCS(6);  JCC_FUNCS(7);
JCC_FUNCS(8);  JCC_FUNCS(9);  JCC_FUNCS(10); JCC_FUNCS(11);
JCC_FUNCS(12); JCC_FUNCS(13); JCC_FUNCS(14); JCC_FUNCS(15);

struct probe {
	unsigned int cc;
	const char *form;		/* "rel8" or "rel32" */
	int (*fn)(unsigned long);
	const char *jcc;		/* the probed instruction */
};

#define PROBES(cc)							\
	{ cc, "rel8", uj_##cc##_8, uj_##cc##_8_jcc },			\
	{ cc, "rel32", uj_##cc##_32, uj_##cc##_32_jcc }

static const struct probe probes[] = {
	PROBES(0),  PROBES(1),  PROBES(2),  PROBES(3),
	PROBES(4),  PROBES(5),  PROBES(6),  PROBES(7),
	PROBES(8),  PROBES(9),  PROBES(10), PROBES(11),
	PROBES(12), PROBES(13), PROBES(14), PROBES(15),
};

static const char *const cc_name[16] = {
	"o", "no", "b", "ae", "e", "ne", "be", "a",
	"s", "ns", "p", "np", "l", "ge", "le", "g",
};

static const char *tracefs = "/sys/kernel/tracing";

/* The kretprobe event on the kernel's decision to emulate a probed insn. */
#define EMULATED_EVENT	"uj_emulated"

static unsigned long combo_flags(unsigned int i)
{
	static const unsigned long bit[6] = {
		X86_CF, X86_PF, X86_AF, X86_ZF, X86_SF, X86_OF,
	};
	unsigned long flags = 0;

	for (unsigned int n = 0; n < 6; n++)
		if (i & (1U << n))
			flags |= bit[n];
	return flags;
}

/* The condition @cc as the SDM's Jcc table states it. */
static bool sdm_taken(unsigned int cc, unsigned long f)
{
	bool cf = f & X86_CF, pf = f & X86_PF, zf = f & X86_ZF;
	bool sf = f & X86_SF, of = f & X86_OF;
	bool r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return r != (cc & 1);
}

/* Writes @text to the tracefs file @name; 0 or an errno. */
static int tracefs_write(const char *name, const char *text, bool append)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", tracefs, name);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/* The file offset of @addr in this program, from /proc/self/maps. */
static long file_offset(const void *addr)
{
	unsigned long a = (unsigned long)addr, start, end, off;
	char line[512], perms[8];
	long ret = -1;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s %lx", &start, &end, perms, &off) == 4 &&
		    a >= start && a < end) {
			ret = a - start + off;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* The hit count of event @event in uprobe_profile, or -1. */
static long profile_hits(const char *event)
{
	char path[256], line[512], file[256], name[128];
	unsigned long hits;
	long ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/uprobe_profile", tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %127s %lu", file, name, &hits) == 3 &&
		    !strcmp(name, event)) {
			ret = hits;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The events of EMULATED_EVENT in the trace buffer: returns of
 * arch_uprobe_skip_sstep() with true in *@yes, with false in *@no.
 */
static int count_emulated(long *yes, long *no)
{
	char path[256], line[512];
	FILE *f;

	*yes = *no = 0;
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "r");
	if (!f)
		return errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, " " EMULATED_EVENT ":"))
			continue;
		if (strstr(line, " ret=1"))
			(*yes)++;
		else
			(*no)++;
	}
	fclose(f);
	return 0;
}

/* Sets uprobe @event on file offset @off of @exe and enables it. */
static int probe_on(const char *event, const char *exe, long off)
{
	char text[512], enable[96];
	int err;

	snprintf(text, sizeof(text), "p:uprobes/%s %s:%#lx\n", event, exe, off);
	snprintf(enable, sizeof(enable), "events/uprobes/%s/enable", event);
	err = tracefs_write("uprobe_events", text, true);
	if (!err)	/* an empty trace buffer */
		err = tracefs_write("trace", "", false);
	if (!err)
		err = tracefs_write("events/kprobes/" EMULATED_EVENT "/enable", "1", false);
	if (!err)
		err = tracefs_write(enable, "1", false);
	return err;
}

/*
 * Disables and removes uprobe @event: its hits, and the hits that the
 * kernel emulated and did not emulate (-1 each when unknown).
 */
static void probe_off(const char *event, long *hits, long *emulated, long *stepped)
{
	char text[512], enable[96];

	snprintf(enable, sizeof(enable), "events/uprobes/%s/enable", event);
	tracefs_write(enable, "0", false);
	tracefs_write("events/kprobes/" EMULATED_EVENT "/enable", "0", false);
	*hits = profile_hits(event);
	if (count_emulated(emulated, stepped))
		*emulated = *stepped = -1;
	snprintf(text, sizeof(text), "-:uprobes/%s\n", event);
	tracefs_write("uprobe_events", text, true);
}

/* One probe, start to end; true when it passed. */
static bool run_probe(const struct probe *p, const char *exe)
{
	int unprobed[COMBOS], wrong = 0, err;
	long off = file_offset(p->jcc), hits, emulated, stepped;
	unsigned int i, r;
	char event[32];

	snprintf(event, sizeof(event), "j%s_%s", cc_name[p->cc], p->form);
	for (i = 0; i < COMBOS; i++) {
		unprobed[i] = p->fn(combo_flags(i));
		if (unprobed[i] != sdm_taken(p->cc, combo_flags(i))) {
			printf("uprobe-jcc: j%s %s unprobed: flags %#lx %s, the SDM says %s\n",
			       cc_name[p->cc], p->form, combo_flags(i),
			       unprobed[i] ? "taken" : "not taken",
			       unprobed[i] ? "not taken" : "taken");
			return false;
		}
	}
	if (off < 0) {
		printf("uprobe-jcc: j%s %s: no mapping of %p\n", cc_name[p->cc], p->form, p->jcc);
		return false;
	}

	err = probe_on(event, exe, off);
	if (err) {
		printf("uprobe-jcc: j%s %s: cannot set %s: %s\n", cc_name[p->cc], p->form,
		       event, strerror(err));
		return false;
	}
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < COMBOS; i++)
			if (p->fn(combo_flags(i)) != unprobed[i] && wrong++ < 3)
				printf("uprobe-jcc: j%s %s probed: flags %#lx %s, unprobed %s\n",
				       cc_name[p->cc], p->form, combo_flags(i),
				       unprobed[i] ? "not taken" : "taken",
				       unprobed[i] ? "taken" : "not taken");
	probe_off(event, &hits, &emulated, &stepped);

	printf("uprobe-jcc: j%s %s @%#lx: %ld of %d hits, %ld emulated, %d wrong paths\n",
	       cc_name[p->cc], p->form, off, hits, ROUNDS * COMBOS, emulated, wrong);
	if (stepped)
		printf("uprobe-jcc: j%s %s: %ld hits not emulated\n", cc_name[p->cc], p->form,
		       stepped);
	return !wrong && hits == ROUNDS * COMBOS && emulated == hits && !stepped;
}

/*
 * The control: a probe on an instruction that uprobes single-steps out of
 * line (mov %rdi, %rax), so that the count of emulated hits is seen to
 * tell the two apart.
 */
asm(".text\n"
    ".globl uj_ctl\n"
    ".type uj_ctl, @function\n"
    "uj_ctl:\n\t"
    "mov %rdi, %rax\n\t"
    "ret\n"
    ".size uj_ctl, . - uj_ctl\n");
extern unsigned long uj_ctl(unsigned long);

static bool run_control(const char *exe)
{
	long off = file_offset((const void *)uj_ctl), hits, emulated, stepped;
	unsigned int i, wrong = 0;
	int err;

	err = off < 0 ? ENOENT : probe_on("control", exe, off);
	if (err) {
		printf("uprobe-jcc: control: cannot set a probe: %s\n", strerror(err));
		return false;
	}
	for (i = 0; i < COMBOS; i++)
		wrong += uj_ctl(i) != i;
	probe_off("control", &hits, &emulated, &stepped);
	printf("uprobe-jcc: control (mov) @%#lx: %ld of %d hits, %ld emulated, %ld stepped, %u wrong\n",
	       off, hits, COMBOS, emulated, stepped, wrong);
	return !wrong && hits == COMBOS && emulated == 0 && stepped == COMBOS;
}

int main(int argc, char **argv)
{
	unsigned int n = sizeof(probes) / sizeof(probes[0]), i, failed = 0;
	char exe[256];
	ssize_t len;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* one kmsg record per line */
	if (argc > 1)
		tracefs = argv[1];
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		printf("uprobe-jcc: FAIL: readlink /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	exe[len] = 0;
	/* $retval:u8: the bool in %al, whatever the rest of %rax holds. */
	err = tracefs_write("kprobe_events",
			    "r:kprobes/" EMULATED_EVENT " arch_uprobe_skip_sstep ret=$retval:u8\n",
			    true);
	if (err) {
		printf("uprobe-jcc: FAIL: kretprobe on arch_uprobe_skip_sstep: %s\n", strerror(err));
		return 1;
	}

	if (!run_control(exe)) {
		printf("uprobe-jcc: FAIL: the control probe\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		failed += !run_probe(&probes[i], exe);
	if (failed) {
		printf("uprobe-jcc: FAIL: %u of %u probes\n", failed, n);
		return 1;
	}
	printf("uprobe-jcc: PASS: %u probes (16 conditions, rel8 and rel32), %u probed runs, as many hits, all emulated, every path as without the probe\n",
	       n, n * ROUNDS * COMBOS);
	return 0;
}
