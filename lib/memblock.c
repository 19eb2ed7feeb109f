/*
 * memblock: placeholder life cycle until the stage lands (owned by its stage file).
 */
#include "internal.h"

int mm_memblock_init(struct mm_machine *m) { (void)m; return 0; }
void mm_memblock_destroy(struct mm_machine *m) { (void)m; }
int mm_memblock_verify(struct mm_machine *m) { (void)m; return 0; }
