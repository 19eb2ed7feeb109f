/*
 * e820: placeholder life cycle until the stage lands (owned by its stage file).
 */
#include "internal.h"

int mm_e820_init(struct mm_machine *m) { (void)m; return 0; }
void mm_e820_destroy(struct mm_machine *m) { (void)m; }
int mm_e820_verify(struct mm_machine *m) { (void)m; return 0; }
