/*
 * page_alloc: placeholder life cycle until the stage lands (owned by its stage file).
 */
#include "internal.h"

int mm_page_alloc_init(struct mm_machine *m) { (void)m; return 0; }
void mm_page_alloc_destroy(struct mm_machine *m) { (void)m; }
int mm_page_alloc_verify(struct mm_machine *m) { (void)m; return 0; }
bool mm_page_alloc_pfn_is_free(struct mm_machine *m, mm_pfn_t pfn) { (void)m; (void)pfn; return false; }
