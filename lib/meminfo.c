/*
 * meminfo: placeholder life cycle until the stage lands (owned by its stage file).
 */
#include "internal.h"

int mm_meminfo_init(struct mm_machine *m) { (void)m; return 0; }
void mm_meminfo_destroy(struct mm_machine *m) { (void)m; }
int mm_meminfo_verify(struct mm_machine *m) { (void)m; return 0; }
