/*
 * e820: the x86 firmware memory map (arch/x86/kernel/e820.c).
 *
 * Models the firmware copy (as imported, never modified) and the working
 * table that add / sanitize (e820__update_table) / range update / range
 * remove / mem= act on, with the kernel's sweep over sorted change points
 * (same results in O(n log n): see mm_e820_sanitize), type priority
 * (numerically largest wins), the PRAM/SOFT_RESERVED no-merge rule, silent
 * truncation at the table size, and the appended, unsorted pieces that
 * update/remove leave for the next sanitize.
 *
 * Departures: a BUG (update with old == new) is refused with a report; a
 * table-full drop ("too many entries; ignoring") is a TABLE_FULL report;
 * the kexec copy is not kept; e820_end_of_ram_pfn computes pfns in 64 bits
 * (the 32-bit kernel's unsigned long would truncate above 2^44); a map
 * import that the kernel would replace by the e801/88 fake map is refused
 * with nothing changed. The tables and the sanitize scratch arrays (the
 * kernel's static __initdata arrays) are allocated on the first add, import,
 * sanitize or mem=; if that fails, the call returns -ENOMEM, nothing changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define E820_DEFAULT_MAX 128u

struct mm_e820_state {
	uint32_t max;
	uint32_t nr;
	struct mm_e820_entry *table;
	uint32_t fw_nr;
	struct mm_e820_entry *fw;
	bool sanitized; /* table is the output of a sanitize, unchanged since */
	/* The work block, allocated on first need (e820_work): the working
	 * table, the firmware copy and the sanitize scratch (max each: entry
	 * indices by start and by end, the merge buffer, the heap of covering
	 * entries, their "ended" marks, and the output table). All NULL (and
	 * nr, fw_nr 0) before. */
	void *work;
	uint32_t *by_start, *by_end, *aux, *heap;
	uint8_t *ended;
	struct mm_e820_entry *out;
};

int mm_e820_init(struct mm_machine *m)
{
	struct mm_e820_state *s;
	uint32_t max = m->cfg.e820_max_entries ? m->cfg.e820_max_entries : E820_DEFAULT_MAX;

	if (max < 2 || max > 65536)
		return -EINVAL;
	/* The state only: fuzzing creates a machine per input, and many never
	 * touch the firmware map (see e820_work). */
	s = mm_state_zalloc(m, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->max = max;
	m->e820 = s;
	return 0;
}

/* Allocate the work block if needed (on the first add, import, sanitize or
 * mem=); false (nothing changed) when out of memory. */
static bool e820_work(struct mm_e820_state *s)
{
	size_t max = s->max, ent = max * sizeof(struct mm_e820_entry);
	char *p;

	if (s->work)
		return true;
	/* not zeroed: every part is written before it is read */
	p = malloc(3 * ent + 4 * max * sizeof(uint32_t) + max);
	if (!p)
		return false;
	s->work = p;
	s->table = (struct mm_e820_entry *)p;
	s->fw = s->table + max;
	s->out = s->fw + max;
	s->by_start = (uint32_t *)(s->out + max);
	s->by_end = s->by_start + max;
	s->aux = s->by_end + max;
	s->heap = s->aux + max;
	s->ended = (uint8_t *)(s->heap + max);
	return true;
}

void mm_e820_destroy(struct mm_machine *m)
{
	if (!m || !m->e820)
		return;
	free(m->e820->work);
	mm_state_free(m, m->e820);
	m->e820 = NULL;
}

/* PRAM and SOFT_RESERVED are split at every change point (e820_nomerge). */
static bool e820_nomerge(uint32_t type)
{
	return type == MM_E820_PRAM || type == MM_E820_SOFT_RESERVED;
}

int mm_e820_verify(struct mm_machine *m)
{
	const struct mm_e820_state *s = m->e820;

	MM_VERIFY(m, s != NULL, "e820: state missing");
	MM_VERIFY(m, s->work ? s->table && s->fw && s->by_start && s->ended && s->out
			     : s->nr == 0 && s->fw_nr == 0,
		  "e820: entries without the work block");
	MM_VERIFY(m, s->nr <= s->max, "e820: %u entries in a table of %u", s->nr, s->max);
	MM_VERIFY(m, s->fw_nr <= s->max, "e820: firmware copy has %u of %u", s->fw_nr, s->max);
	if (!s->sanitized)
		return 0;
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct mm_e820_entry *e = &s->table[i];
		MM_VERIFY(m, e->size != 0, "e820: sanitized entry %u has size 0", i);
		MM_VERIFY(m, e->addr + e->size > e->addr, "e820: sanitized entry %u wraps", i);
		MM_VERIFY(m, e->type != 0, "e820: sanitized entry %u has type 0", i);
		if (i == 0)
			continue;
		const struct mm_e820_entry *p = &s->table[i - 1];
		MM_VERIFY(m, p->addr + p->size <= e->addr,
			  "e820: sanitized entries %u and %u overlap or are unsorted", i - 1, i);
		MM_VERIFY(m, !(p->addr + p->size == e->addr && p->type == e->type &&
			       !e820_nomerge(e->type)),
			  "e820: sanitized entries %u and %u should have merged", i - 1, i);
	}
	return 0;
}

/* ---- table helpers ---------------------------------------------------- */

/* Append to the working table; false (and a TABLE_FULL report) when full. */
static bool e820_append(struct mm_machine *m, uint64_t addr, uint64_t size, uint32_t type)
{
	struct mm_e820_state *s = m->e820;

	if (s->nr >= s->max) {
		mm_report(m, MM_STAGE_E820, MM_REPORT_TABLE_FULL, addr,
			  "e820: too many entries; ignoring [mem %#010llx-%#010llx]",
			  (unsigned long long)addr, (unsigned long long)(addr + size - 1));
		return false;
	}
	s->table[s->nr].addr = addr;
	s->table[s->nr].size = size;
	s->table[s->nr].type = type;
	s->nr++;
	s->sanitized = false;
	return true;
}

int mm_e820_add(struct mm_machine *m, uint64_t addr, uint64_t size, uint32_t type)
{
	if (!m || !m->e820)
		return -EINVAL;
	/* the only way in besides import: every other append follows an
	 * existing entry, so the table exists there */
	if (!e820_work(m->e820))
		return -ENOMEM;
	return e820_append(m, addr, size, type) ? 0 : -ENOSPC;
}

int mm_e820_import(struct mm_machine *m, const struct mm_e820_entry *entries, uint32_t nr)
{
	struct mm_e820_state *s;
	uint32_t keep;

	if (!m || !m->e820)
		return -EINVAL;
	s = m->e820;
	if (!entries && nr) {
		mm_report(m, MM_STAGE_E820, MM_REPORT_INVALID_ARG, 0,
			  "e820: import of %u entries from NULL", nr);
		return -EINVAL;
	}
	/* Only one region (or none): the kernel ignores the map. */
	if (nr < 2)
		return -EINVAL;
	/* __append_e820_table: an end (start + size - 1) below the start rejects
	 * the map; an entry ending exactly at 2^64 passes this check. */
	for (uint32_t i = 0; i < nr; i++)
		if (entries[i].size && entries[i].addr + entries[i].size - 1 < entries[i].addr)
			return -EINVAL;
	if (!e820_work(s))
		return -ENOMEM; /* before any change */
	keep = MM_MIN(nr, s->max);
	memcpy(s->fw, entries, keep * sizeof(*entries));
	s->fw_nr = keep;
	memcpy(s->table, entries, keep * sizeof(*entries));
	s->nr = keep;
	s->sanitized = false;
	for (uint32_t i = keep; i < nr; i++)
		mm_report(m, MM_STAGE_E820, MM_REPORT_TABLE_FULL, entries[i].addr,
			  "e820: too many entries; ignoring [mem %#010llx-%#010llx]",
			  (unsigned long long)entries[i].addr,
			  (unsigned long long)(entries[i].addr + entries[i].size - 1));
	mm_e820_sanitize(m);
	return 0;
}

/* ---- sanitize --------------------------------------------------------- */

/* Sort entry indices by start (by_end false) or end address; merge sort,
 * linear on the already-sorted runs that earlier sanitizes leave. */
static void idx_sort(const struct mm_e820_entry *t, uint32_t *a, uint32_t *aux, uint32_t n,
		     bool by_end)
{
	/* key(i): the start, or the end (add size only when by_end, branch-free) */
#define IDX_KEY(i) (t[i].addr + (t[i].size & (0 - (uint64_t)by_end)))
	for (uint32_t w = 1; w < n; w *= 2) {
		for (uint32_t lo = 0; lo + w < n; lo += 2 * w) {
			uint32_t mid = lo + w, hi = MM_MIN(lo + 2 * w, n), i = lo, j = mid, k = 0;

			if (IDX_KEY(a[mid - 1]) <= IDX_KEY(a[mid]))
				continue; /* the two runs are already in order */
			while (i < mid && j < hi)
				aux[k++] = IDX_KEY(a[j]) < IDX_KEY(a[i]) ? a[j++] : a[i++];
			while (i < mid)
				aux[k++] = a[i++];
			memcpy(a + lo, aux, k * sizeof(*a)); /* a[j..hi) is in place */
		}
	}
#undef IDX_KEY
}

/* The covering set as a max-heap on type, with lazy removal of ended entries. */
static void heap_push(struct mm_e820_state *s, uint32_t *n, uint32_t idx)
{
	uint32_t i = (*n)++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (s->table[s->heap[parent]].type >= s->table[idx].type)
			break;
		s->heap[i] = s->heap[parent];
		i = parent;
	}
	s->heap[i] = idx;
}

static void heap_pop(struct mm_e820_state *s, uint32_t *n)
{
	uint32_t last = s->heap[--(*n)], i = 0;

	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= *n)
			break;
		if (child + 1 < *n &&
		    s->table[s->heap[child + 1]].type > s->table[s->heap[child]].type)
			child++;
		if (s->table[last].type >= s->table[s->heap[child]].type)
			break;
		s->heap[i] = s->heap[child];
		i = child;
	}
	if (*n)
		s->heap[i] = last;
}

/* Numerically largest type among the covering entries (0 = hole). */
static uint32_t heap_max_type(struct mm_e820_state *s, uint32_t *n)
{
	while (*n && s->ended[s->heap[0]])
		heap_pop(s, n);
	return *n ? s->table[s->heap[0]].type : 0;
}

/*
 * The kernel's sweep over the change points (every entry's start and end),
 * sorted by address with starts before ends at the same address; the kernel
 * keeps the covering entries in a list and scans it at every point, here
 * they sit in a heap on type, so a sweep is O(n log n).
 *
 * Among change points at one address the kernel's (unstable) sort leaves
 * any order of the starts, then of the ends, and the result does not depend
 * on it: at one address the starts only raise the covering maximum and the
 * ends only lower it, so whether anything is emitted there, and the type that
 * continues from there, depend only on the sets; the extra emissions in
 * between have size 0 and are dropped.
 */
int mm_e820_sanitize(struct mm_machine *m)
{
	struct mm_e820_state *s;
	uint32_t n = 0, si = 0, ei = 0, nheap = 0, nout = 0, last_type = 0;
	uint64_t last_addr = 0;

	if (!m || !m->e820)
		return -EINVAL;
	s = m->e820;
	if (s->nr < 2)
		return -EINVAL;
	/* Sanitizing a sanitized table gives the same table (it is sorted,
	 * disjoint and merged, so no change point falls inside an entry). */
	if (s->sanitized)
		return 0;
	for (uint32_t i = 0; i < s->nr; i++)
		if (s->table[i].addr + s->table[i].size < s->table[i].addr)
			return -EINVAL;
	if (!e820_work(s))
		return -ENOMEM; /* nothing changed */

	for (uint32_t i = 0; i < s->nr; i++) {
		if (!s->table[i].size)
			continue;
		s->by_start[n] = i;
		s->by_end[n] = i;
		s->ended[i] = 0;
		n++;
	}
	idx_sort(s->table, s->by_start, s->aux, n, false);
	idx_sort(s->table, s->by_end, s->aux, n, true);

	/* every end follows its own start, so the ends finish the sweep */
	while (ei < n) {
		uint32_t e = s->by_end[ei], cur;
		uint64_t end = s->table[e].addr + s->table[e].size, addr;

		if (si < n && s->table[s->by_start[si]].addr <= end) {
			addr = s->table[s->by_start[si]].addr;
			heap_push(s, &nheap, s->by_start[si++]);
		} else {
			addr = end;
			s->ended[e] = 1;
			ei++;
		}
		cur = heap_max_type(s, &nheap);
		if (cur == last_type && !e820_nomerge(cur))
			continue;
		if (last_type) {
			s->out[nout].size = addr - last_addr;
			/* a full output table ends the sweep silently */
			if (s->out[nout].size && ++nout >= s->max)
				break;
		}
		if (cur) {
			s->out[nout].addr = addr;
			s->out[nout].type = cur;
			last_addr = addr;
		}
		last_type = cur;
	}
	memcpy(s->table, s->out, nout * sizeof(*s->out));
	s->nr = nout;
	s->sanitized = true;
	return 0;
}

/* ---- range update / remove --------------------------------------------- */

/* Size clamped so start + size never wraps (ULLONG_MAX - start). */
static uint64_t clamp_size(uint64_t start, uint64_t size)
{
	return size > UINT64_MAX - start ? UINT64_MAX - start : size;
}

int mm_e820_range_update(struct mm_machine *m, uint64_t start, uint64_t size,
			 uint32_t old_type, uint32_t new_type, uint64_t *changed)
{
	struct mm_e820_state *s;
	uint64_t end, done = 0;

	if (changed)
		*changed = 0;
	if (!m || !m->e820)
		return -EINVAL;
	s = m->e820;
	if (old_type == new_type) {
		mm_report(m, MM_STAGE_E820, MM_REPORT_BUG, start,
			  "kernel BUG at arch/x86/kernel/e820.c: e820 update range with old_type == new_type (%u)",
			  old_type);
		return -EINVAL;
	}
	size = clamp_size(start, size);
	end = start + size;
	/* Pieces are appended while the loop runs, as in the kernel; they are
	 * either of new_type or lie at/after `end`, so revisiting them is a
	 * no-op, but the bound follows the live count all the same. */
	for (uint32_t i = 0; i < s->nr; i++) {
		struct mm_e820_entry *e = &s->table[i];
		uint64_t e_end, fs, fe;

		if (e->type != old_type)
			continue;
		e_end = e->addr + e->size;
		if (e->addr >= start && e_end <= end) {
			e->type = new_type;
			done += e->size;
			s->sanitized = false;
			continue;
		}
		if (e->addr < start && e_end > end) {
			uint32_t t = e->type;
			e820_append(m, start, size, new_type);
			e820_append(m, end, e_end - end, t);
			e = &s->table[i];
			e->size = start - e->addr;
			done += size;
			s->sanitized = false;
			continue;
		}
		fs = MM_MAX(start, e->addr);
		fe = MM_MIN(end, e_end);
		if (fs >= fe)
			continue;
		e820_append(m, fs, fe - fs, new_type);
		e = &s->table[i];
		done += fe - fs;
		e->size -= fe - fs;
		s->sanitized = false;
		if (e->addr < fs)
			continue;
		e->addr = fe;
	}
	if (changed)
		*changed = done;
	return 0;
}

/* 2.6.29 and modern remove of one entry; returns bytes removed. */
static uint64_t remove_one(struct mm_machine *m, uint32_t i, uint64_t start, uint64_t end,
			   uint64_t size, bool split)
{
	struct mm_e820_state *s = m->e820;
	struct mm_e820_entry *e = &s->table[i];
	uint64_t e_end = e->addr + e->size, fs, fe;

	if (e->addr >= start && e_end <= end) {
		uint64_t gone = e->size;
		memset(e, 0, sizeof(*e));
		s->sanitized = false;
		return gone;
	}
	if (split && e->addr < start && e_end > end) {
		uint32_t t = e->type;
		e820_append(m, end, e_end - end, t);
		e = &s->table[i];
		e->size = start - e->addr;
		s->sanitized = false;
		return size;
	}
	fs = MM_MAX(start, e->addr);
	fe = MM_MIN(end, e_end);
	if (fs >= fe)
		return 0;
	/* 2.6.29 reaches here for a range strictly inside too: the entry
	 * loses the range's length from its end. */
	e->size -= fe - fs;
	s->sanitized = false;
	if (e->addr >= fs)
		e->addr = fe;
	return fe - fs;
}

int mm_e820_range_remove(struct mm_machine *m, uint64_t start, uint64_t size,
			 uint32_t old_type, bool check_type, uint64_t *removed)
{
	struct mm_e820_state *s;
	uint64_t end, done = 0;
	bool split;

	if (removed)
		*removed = 0;
	if (!m || !m->e820)
		return -EINVAL;
	s = m->e820;
	split = (m->cfg.features & MM_FEAT_E820_REMOVE_SPLIT) != 0;
	size = clamp_size(start, size);
	end = start + size;
	for (uint32_t i = 0; i < s->nr; i++) {
		if (check_type && s->table[i].type != old_type)
			continue;
		done += remove_one(m, i, start, end, size, split);
	}
	if (removed)
		*removed = done;
	return 0;
}

int mm_e820_mem_limit(struct mm_machine *m, uint64_t limit)
{
	int ret;

	if (!m || !m->e820)
		return -EINVAL;
	/* mem=0 is a malformed option: the kernel's parser refuses it */
	if (!limit)
		return -EINVAL;
	/* the sanitize below must not fail half way */
	if (!e820_work(m->e820))
		return -ENOMEM;
	ret = mm_e820_range_remove(m, limit, UINT64_MAX - limit, MM_E820_RAM, true, NULL);
	if (ret)
		return ret;
	mm_e820_sanitize(m);
	return 0;
}

/* ---- queries ----------------------------------------------------------- */

uint32_t mm_e820_nr_entries(const struct mm_machine *m)
{
	return m && m->e820 ? m->e820->nr : 0;
}

int mm_e820_get(const struct mm_machine *m, uint32_t i, struct mm_e820_entry *out)
{
	const struct mm_e820_entry *e;

	if (!m || !m->e820 || !out || i >= m->e820->nr)
		return -EINVAL;
	/* field by field: a struct copy is an ASan-checked memcpy call, and
	 * harness checks read every entry this way */
	e = &m->e820->table[i];
	out->addr = e->addr;
	out->size = e->size;
	out->type = e->type;
	return 0;
}

uint32_t mm_e820_firmware_nr_entries(const struct mm_machine *m)
{
	return m && m->e820 ? m->e820->fw_nr : 0;
}

int mm_e820_firmware_get(const struct mm_machine *m, uint32_t i, struct mm_e820_entry *out)
{
	if (!m || !m->e820 || !out || i >= m->e820->fw_nr)
		return -EINVAL;
	*out = m->e820->fw[i];
	return 0;
}

uint32_t mm_e820_max_entries(const struct mm_machine *m)
{
	return m && m->e820 ? m->e820->max : 0;
}

mm_pfn_t mm_e820_end_of_ram_pfn(const struct mm_machine *m)
{
	const struct mm_e820_state *s;
	uint64_t limit, last = 0;

	if (!m || !m->e820)
		return 0;
	s = m->e820;
	limit = mm_profile_max_pfn(m);
	for (uint32_t i = 0, nr = s->nr; i < nr; i++) {
		/* a copy: under UBSan each access through a pointer is an
		 * alignment check, which the fuzzer traces as a comparison */
		const struct mm_e820_entry e = s->table[i];
		uint64_t spfn, epfn;

		if (e.type != MM_E820_RAM)
			continue;
		spfn = MM_PFN_DOWN(e.addr);
		epfn = MM_PFN_DOWN(e.addr + e.size);
		if (spfn >= limit)
			continue;
		if (epfn > limit) {
			last = limit;
			break;
		}
		last = MM_MAX(last, epfn);
	}
	return last;
}

/* ---- printing ---------------------------------------------------------- */

const char *mm_e820_type_name(uint32_t type)
{
	switch (type) {
	case MM_E820_RAM:
	case MM_E820_RESERVED_KERN:
		return "usable";
	case MM_E820_RESERVED:
		return "reserved";
	case MM_E820_SOFT_RESERVED:
		return "soft reserved";
	case MM_E820_ACPI:
		return "ACPI data";
	case MM_E820_NVS:
		return "ACPI NVS";
	case MM_E820_UNUSABLE:
		return "unusable";
	case MM_E820_PMEM:
		return "persistent (type 7)";
	case MM_E820_PRAM:
		return "persistent (type 12)";
	default:
		return "unknown";
	}
}

int mm_e820_type_format(uint32_t type, char *buf, size_t len)
{
	char num[16];
	const char *text = num;
	size_t n, k;

	if (!buf && len)
		return -EINVAL;
	switch (type) {
	case MM_E820_RAM:
	case MM_E820_RESERVED_KERN:
	case MM_E820_RESERVED:
	case MM_E820_SOFT_RESERVED:
	case MM_E820_ACPI:
	case MM_E820_NVS:
	case MM_E820_UNUSABLE:
	case MM_E820_PMEM:
	case MM_E820_PRAM:
		text = mm_e820_type_name(type);
		break;
	default: {
		/* "type %u" by hand (mm_e820_print calls this once per entry) */
		char digits[10];
		unsigned nd = 0;
		do {
			digits[nd++] = (char)('0' + type % 10);
			type /= 10;
		} while (type);
		memcpy(num, "type ", 5);
		for (k = 0; k < nd; k++)
			num[5 + k] = digits[nd - 1 - k];
		num[5 + nd] = '\0';
		break;
	}
	}
	/* snprintf's contract: cut at len - 1, NUL-terminated, full length back */
	n = strlen(text);
	if (len) {
		k = n < len - 1 ? n : len - 1;
		memcpy(buf, text, k);
		buf[k] = '\0';
	}
	return (int)n;
}

/* Append n bytes of text to buf as snprintf would at offset *total (cut at
 * len - 1, NUL-terminated); *total grows by n whatever fits. */
static void buf_put(char *buf, size_t len, size_t *total, const char *text, size_t n)
{
	if (*total < len) {
		size_t room = len - *total - 1, k = n < room ? n : room;
		memcpy(buf + *total, text, k);
		buf[*total + k] = '\0';
	}
	*total += n;
}

/* 16 lowercase hex digits of v at out (printf's %016llx). */
static void hex16(char *out, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";

	/* unrolled: a loop would be 16 traced comparisons under the fuzzer */
#define HEX_DIGIT(k) (out[k] = digits[(v >> (60 - 4 * (k))) & 15])
	HEX_DIGIT(0), HEX_DIGIT(1), HEX_DIGIT(2), HEX_DIGIT(3);
	HEX_DIGIT(4), HEX_DIGIT(5), HEX_DIGIT(6), HEX_DIGIT(7);
	HEX_DIGIT(8), HEX_DIGIT(9), HEX_DIGIT(10), HEX_DIGIT(11);
	HEX_DIGIT(12), HEX_DIGIT(13), HEX_DIGIT(14), HEX_DIGIT(15);
#undef HEX_DIGIT
}

int mm_e820_print(const struct mm_machine *m, const char *prefix, char *buf, size_t len)
{
	const struct mm_e820_state *s;
	size_t total = 0, plen, at;
	char line[64 + 96];

	if (!m || !m->e820 || (!buf && len))
		return -EINVAL;
	s = m->e820;
	if (!prefix)
		prefix = "BIOS-e820";
	if (len)
		buf[0] = '\0';
	plen = strlen(prefix);
	/* "<prefix>: [mem 0x%016llx-0x%016llx] <type>\n" by hand, a line at a
	 * time: the boot log of a full table is hundreds of snprintf calls
	 * otherwise. A prefix of up to 64 bytes is copied into the line once. */
	at = plen <= 64 ? plen : 0;
	memcpy(line, prefix, at);
	memcpy(line + at, ": [mem 0x", 9);
	memcpy(line + at + 25, "-0x", 3);
	memcpy(line + at + 44, "] ", 2);
	for (uint32_t i = 0; i < s->nr; i++) {
		const struct mm_e820_entry *e = &s->table[i];
		int n;

		hex16(line + at + 9, e->addr);
		hex16(line + at + 28, e->addr + e->size - 1);
		n = mm_e820_type_format(e->type, line + at + 46, 48);
		line[at + 46 + n] = '\n';
		if (at != plen)
			buf_put(buf, len, &total, prefix, plen);
		buf_put(buf, len, &total, line, at + 47 + (size_t)n);
		if (total > INT32_MAX)
			return -EOVERFLOW;
	}
	return (int)total;
}

/* ---- to memblock --------------------------------------------------------- */

int mm_e820_memblock_setup(struct mm_machine *m)
{
	const struct mm_e820_state *s;
	bool narrow;
	int ret = 0;

	if (!m || !m->e820)
		return -EINVAL;
	s = m->e820;
	/* resource_size_t is 32 bits on x86-32 without PAE (and on ARM without
	 * LPAE): entries ending above 4 GiB are skipped there. */
	narrow = m->cfg.profile != MM_PROFILE_X86_PAE;
	mm_memblock_allow_resize(m);
	/* a pointer bound: an index bound would be one more comparison per
	 * entry traced by the fuzzer (it traces integer comparisons only);
	 * no table before the first add or import (NULL + 0 is undefined) */
	const struct mm_e820_entry *p = s->table, *stop = p ? p + s->nr : p;
	for (; p != stop; p++) {
		const struct mm_e820_entry e = *p; /* a copy: see end_of_ram_pfn */
		uint64_t end = e.addr + e.size;
		int r = 0;

		if (narrow && end > UINT32_MAX)
			continue;
		if (e.type == MM_E820_SOFT_RESERVED)
			r = mm_memblock_reserve(m, e.addr, e.size);
		else if (e.type == MM_E820_RAM || e.type == MM_E820_RESERVED_KERN)
			r = mm_memblock_add(m, e.addr, e.size);
		if (r && !ret)
			ret = r;
	}
	mm_memblock_trim_memory(m, MM_PAGE_SIZE);
	return ret;
}
