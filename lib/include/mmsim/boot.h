/*
 * The arch's boot steps between stages (arch/x86/mm/init_32.c): mem_init's
 * highmem step, after the boot allocator has handed lowmem over.
 */
#ifndef MMSIM_BOOT_H
#define MMSIM_BOOT_H

#include "mmsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The arch's highmem step: free every RAM page of the HIGHMEM zones that the
 * boot allocator does not hold reserved (2.6.29 add_highpages_with_active_regions
 * from e820 minus early_res; modern free_highpages from memblock's free
 * ranges); *count = pages released (may be NULL). Once per machine: a second
 * call is refused (AFTER_HANDOFF). */
int mm_free_highpages(struct mm_machine *m, uint64_t *count);

#ifdef __cplusplus
}
#endif
#endif
