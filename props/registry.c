/*
 * The registry: every harness, once. Engine entry points, the props runner,
 * replay and the repro tool all iterate it; a new stage adds one line here.
 */
#include <string.h>

#include "props.h"

extern const struct props_harness props_harness_machine;
extern const struct props_harness props_harness_e820;
extern const struct props_harness props_harness_memblock;
extern const struct props_harness props_harness_bootmem;
extern const struct props_harness props_harness_page_alloc;
extern const struct props_harness props_harness_fault;

const struct props_harness *const props_harnesses[] = {
	&props_harness_machine,
	&props_harness_page_alloc,
	&props_harness_e820,
	&props_harness_memblock,
	&props_harness_bootmem,
	&props_harness_fault,
	NULL,
};

const struct props_harness *props_find_harness(const char *name)
{
	for (size_t i = 0; name && props_harnesses[i]; i++)
		if (!strcmp(props_harnesses[i]->name, name))
			return props_harnesses[i];
	return NULL;
}
