/*
 * meminfo: ARM memory banks (arch/arm/mm/mmu.c, arch/arm/kernel/setup.c of
 * 2.6.29-3.x): arm_add_memory, the sort by start in paging_init, and
 * sanity_check_meminfo's lowmem/highmem split at vmalloc_min.
 *
 * Model (semantics.md §2.2): __va(p) = p - phys_offset + PAGE_OFFSET in a
 * 32-bit virtual space; vmalloc_min = VMALLOC_END - vmalloc_reserve (the
 * vmalloc= clamps: at least 16 MiB, at most VMALLOC_END - PAGE_OFFSET -
 * 32 MiB, rounded down to a page). A bank whose virtual start lies below PAGE_OFFSET or wraps past
 * 2^32 is dropped; a bank wholly at or above vmalloc_min is highmem (dropped
 * without CONFIG_HIGHMEM); the one bank straddling it is split, the highmem
 * part inserted after it (refused when the table, counting the input banks,
 * is full: "NR_BANKS too low, ignoring high memory"), or truncated without
 * CONFIG_HIGHMEM.
 *
 * Departures: every bank dropped or cut is a report (WARN for "Ignoring RAM"
 * / "Truncating RAM", TABLE_FULL for NR_BANKS), so a harness can account for
 * lost memory; 3.x kernels made a bank with a wrapped virtual start highmem,
 * mmsim drops it as the semantics say. Overlapping banks are refused at
 * arm_add_memory (OVERLAP report), where the kernel would keep both and
 * double-count the memory. A bank added after the sanity check is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MEMINFO_DEFAULT_BANKS 8u
#define ARM_PAGE_OFFSET 0xC0000000ull
#define ARM_VMALLOC_END 0xff000000ull
#define ARM_VA_TOP 0x100000000ull
#define SZ_16M (16ull << 20)
#define SZ_32M (32ull << 20)
#define SZ_128M (128ull << 20)

struct mm_meminfo_state {
	uint32_t max;
	uint32_t nr;
	struct mm_membank *bank;
	bool checked;
	bool highmem;         /* CONFIG_HIGHMEM of the check */
	uint64_t vmalloc_min; /* physical, after the check */
	uint64_t lowmem_end;  /* physical high_memory, after the check */
};

int mm_meminfo_init(struct mm_machine *m)
{
	struct mm_meminfo_state *s;
	uint32_t max = m->cfg.meminfo_nr_banks ? m->cfg.meminfo_nr_banks : MEMINFO_DEFAULT_BANKS;

	if (max > 4096)
		return -EINVAL;
	s = mm_state_zalloc(m, sizeof(*s) + max * sizeof(*s->bank));
	if (!s)
		return -ENOMEM;
	s->bank = (struct mm_membank *)(s + 1);
	s->max = max;
	m->meminfo = s;
	return 0;
}

void mm_meminfo_destroy(struct mm_machine *m)
{
	struct mm_meminfo_state *s = m ? m->meminfo : NULL;

	if (!s)
		return;
	mm_state_free(m, s);
	m->meminfo = NULL;
}

int mm_meminfo_verify(struct mm_machine *m)
{
	const struct mm_meminfo_state *s = m->meminfo;

	MM_VERIFY(m, s && s->bank, "meminfo: state missing");
	MM_VERIFY(m, s->nr <= s->max, "meminfo: %u banks of %u", s->nr, s->max);
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct mm_membank *b = &s->bank[i];
		MM_VERIFY(m, b->size && !(b->start & ~MM_PAGE_MASK) && !(b->size & ~MM_PAGE_MASK),
			  "meminfo: bank %u empty or not page aligned", i);
		MM_VERIFY(m, b->start + b->size > b->start, "meminfo: bank %u wraps", i);
		MM_VERIFY(m, b->node >= 0 && b->node < MM_MAX_NUMNODES, "meminfo: bank %u node %d",
			  i, b->node);
		for (uint32_t j = 0; j < i; j++) {
			const struct mm_membank *o = &s->bank[j];
			MM_VERIFY(m, o->start + o->size <= b->start || b->start + b->size <= o->start,
				  "meminfo: banks %u and %u overlap", j, i);
		}
		if (!s->checked) {
			MM_VERIFY(m, !b->highmem, "meminfo: bank %u highmem before the check", i);
			continue;
		}
		if (i)
			MM_VERIFY(m, s->bank[i - 1].start < b->start, "meminfo: banks %u, %u unsorted",
				  i - 1, i);
		if (b->highmem)
			MM_VERIFY(m, s->highmem && b->start >= s->vmalloc_min,
				  "meminfo: highmem bank %u below vmalloc_min", i);
		else
			MM_VERIFY(m, b->start + b->size <= s->vmalloc_min,
				  "meminfo: lowmem bank %u crosses vmalloc_min", i);
	}
	return 0;
}

/* ---- banks ------------------------------------------------------------- */

int mm_meminfo_add(struct mm_machine *m, uint64_t start, uint64_t size, int node)
{
	struct mm_meminfo_state *s;
	uint64_t off, astart;

	if (!m || !m->meminfo)
		return -EINVAL;
	s = m->meminfo;
	if (s->checked) {
		mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG, start,
			  "arm_add_memory after sanity_check_meminfo");
		return -EINVAL;
	}
	if (node < 0 || node >= MM_MAX_NUMNODES) {
		mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG, start,
			  "arm_add_memory: bad node %d", node);
		return -EINVAL;
	}
	/* arm_add_memory: the size loses the start's offset into its page,
	 * the start is rounded up and the size down to pages. */
	off = start & ~MM_PAGE_MASK;
	if (size <= off)
		return -EINVAL;
	size = (size - off) & MM_PAGE_MASK;
	astart = start - off + (off ? MM_PAGE_SIZE : 0);
	if (off && astart < start) {
		mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG, start,
			  "arm_add_memory: bank at %#llx wraps", (unsigned long long)start);
		return -EINVAL;
	}
	if (!size)
		return -EINVAL;
	if (astart + size < astart || astart + size == 0) {
		mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG, astart,
			  "arm_add_memory: bank %#llx+%#llx wraps", (unsigned long long)astart,
			  (unsigned long long)size);
		return -EINVAL;
	}
	if (s->nr >= s->max) {
		mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_TABLE_FULL, astart,
			  "NR_BANKS too low, ignoring memory at %#llx", (unsigned long long)astart);
		return -ENOSPC;
	}
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct mm_membank *b = &s->bank[i];
		if (astart < b->start + b->size && b->start < astart + size) {
			mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_OVERLAP, astart,
				  "memory bank %#llx-%#llx overlaps bank %u",
				  (unsigned long long)astart, (unsigned long long)(astart + size - 1), i);
			return -EBUSY;
		}
	}
	s->bank[s->nr] = (struct mm_membank){ astart, size, node, false };
	s->nr++;
	return 0;
}

/* Insertion sort by start (banks are disjoint: keys are distinct). */
static void sort_banks(struct mm_meminfo_state *s)
{
	for (uint32_t i = 1; i < s->nr; i++) {
		struct mm_membank b = s->bank[i];
		uint32_t j = i;
		while (j > 0 && s->bank[j - 1].start > b.start) {
			s->bank[j] = s->bank[j - 1];
			j--;
		}
		s->bank[j] = b;
	}
}

/* Remove bank i, moving later banks down. */
static void drop_bank(struct mm_meminfo_state *s, uint32_t i)
{
	memmove(&s->bank[i], &s->bank[i + 1], (s->nr - 1 - i) * sizeof(*s->bank));
	s->nr--;
}

/* vmalloc= handling: 0 is the default, then the kernel's clamps. */
static uint64_t vmalloc_reserve_clamp(uint64_t reserve)
{
	if (!reserve)
		return SZ_128M;
	if (reserve < SZ_16M)
		return SZ_16M;
	if (reserve > ARM_VMALLOC_END - (ARM_PAGE_OFFSET + SZ_32M))
		return ARM_VMALLOC_END - (ARM_PAGE_OFFSET + SZ_32M);
	/* whole pages, so the split keeps both halves page aligned */
	return reserve & MM_PAGE_MASK;
}

/* Drop bank i with the kernel's warning: it cannot be mapped below VMALLOC_END. */
static void ignore_bank(struct mm_machine *m, struct mm_meminfo_state *s, uint32_t i)
{
	const struct mm_membank *b = &s->bank[i];
	mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_WARN, b->start,
		  "Ignoring RAM at %.8llx-%.8llx (vmalloc region overlap).",
		  (unsigned long long)b->start, (unsigned long long)(b->start + b->size - 1));
	drop_bank(s, i);
}

int mm_meminfo_sanity_check(struct mm_machine *m, uint64_t phys_offset,
			    uint64_t vmalloc_reserve, bool highmem)
{
	struct mm_meminfo_state *s;
	uint64_t vmin_va, vmin, n_input;

	if (!m || !m->meminfo)
		return -EINVAL;
	s = m->meminfo;
	if (s->checked)
		return -EINVAL;
	if ((phys_offset & ~MM_PAGE_MASK) || phys_offset >= ARM_VA_TOP) {
		mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_INVALID_ARG, phys_offset,
			  "PHYS_OFFSET %#llx not a page-aligned 32-bit address",
			  (unsigned long long)phys_offset);
		return -EINVAL;
	}
	vmin_va = ARM_VMALLOC_END - vmalloc_reserve_clamp(vmalloc_reserve);
	vmin = vmin_va - ARM_PAGE_OFFSET + phys_offset;
	n_input = s->nr;
	sort_banks(s);
	for (uint32_t i = 0; i < s->nr;) {
		struct mm_membank *b = &s->bank[i];
		uint64_t off, va;

		if (b->start < phys_offset || b->start - phys_offset >= ARM_VA_TOP - ARM_PAGE_OFFSET) {
			ignore_bank(m, s, i);
			continue;
		}
		off = b->start - phys_offset;
		va = ARM_PAGE_OFFSET + off;
		if (va >= vmin_va) {
			if (!highmem) {
				ignore_bank(m, s, i);
				continue;
			}
			b->highmem = true;
			i++;
			continue;
		}
		if (b->size > vmin_va - va) {
			uint64_t low = vmin_va - va;
			if (!highmem) {
				mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_WARN, b->start,
					  "Truncating RAM at %.8llx-%.8llx to -%.8llx (vmalloc region overlap).",
					  (unsigned long long)b->start,
					  (unsigned long long)(b->start + b->size - 1),
					  (unsigned long long)(b->start + low - 1));
			} else if (n_input >= s->max) {
				mm_report(m, MM_STAGE_MEMINFO, MM_REPORT_TABLE_FULL, vmin,
					  "NR_BANKS too low, ignoring high memory");
			} else {
				struct mm_membank hi = { vmin, b->size - low, b->node, true };
				memmove(&s->bank[i + 2], &s->bank[i + 1],
					(s->nr - 1 - i) * sizeof(*s->bank));
				s->bank[i + 1] = hi;
				s->nr++;
				n_input++;
			}
			b = &s->bank[i];
			b->size = low;
		}
		b->highmem = false;
		i++;
	}
	s->checked = true;
	s->highmem = highmem;
	s->vmalloc_min = vmin;
	s->lowmem_end = 0;
	for (uint32_t i = 0; i < s->nr; i++)
		if (!s->bank[i].highmem)
			s->lowmem_end = s->bank[i].start + s->bank[i].size;
	return 0;
}

/* ---- queries ----------------------------------------------------------- */

uint32_t mm_meminfo_nr_banks(const struct mm_machine *m)
{
	return m && m->meminfo ? m->meminfo->nr : 0;
}

int mm_meminfo_get(const struct mm_machine *m, uint32_t i, struct mm_membank *out)
{
	if (!m || !m->meminfo || !out || i >= m->meminfo->nr)
		return -EINVAL;
	*out = m->meminfo->bank[i];
	return 0;
}

uint64_t mm_meminfo_lowmem_end(const struct mm_machine *m)
{
	return m && m->meminfo && m->meminfo->checked ? m->meminfo->lowmem_end : 0;
}

uint64_t mm_meminfo_vmalloc_min(const struct mm_machine *m)
{
	return m && m->meminfo && m->meminfo->checked ? m->meminfo->vmalloc_min : 0;
}

int mm_meminfo_memblock_setup(struct mm_machine *m)
{
	const struct mm_meminfo_state *s;
	int ret = 0;

	if (!m || !m->meminfo)
		return -EINVAL;
	s = m->meminfo;
	for (uint32_t i = 0; i < s->nr; i++) {
		int r = mm_memblock_add_node(m, s->bank[i].start, s->bank[i].size, s->bank[i].node,
					     MM_MEMBLOCK_NONE);
		if (r && !ret)
			ret = r;
	}
	return ret;
}
