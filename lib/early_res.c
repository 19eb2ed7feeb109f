/*
 * early_res: placeholder life cycle until the stage lands (owned by its stage file).
 */
#include "internal.h"

int mm_early_res_init(struct mm_machine *m) { (void)m; return 0; }
void mm_early_res_destroy(struct mm_machine *m) { (void)m; }
int mm_early_res_verify(struct mm_machine *m) { (void)m; return 0; }
