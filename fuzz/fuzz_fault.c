#include "props.h"
extern const struct props_harness props_harness_fault;
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return props_fuzz_one(&props_harness_fault, data, size); }
