/*
 * bootmem: placeholder life cycle until the stage lands (owned by its stage file).
 */
#include "internal.h"

int mm_bootmem_init(struct mm_machine *m) { (void)m; return 0; }
void mm_bootmem_destroy(struct mm_machine *m) { (void)m; }
int mm_bootmem_verify(struct mm_machine *m) { (void)m; return 0; }
