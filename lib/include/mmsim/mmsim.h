/* mmsim: a hardened userspace model of Linux memory management, built to be fuzzed. */
#ifndef MMSIM_MMSIM_H
#define MMSIM_MMSIM_H

#include "mmsim/types.h"
#include "mmsim/machine.h"
#include "mmsim/e820.h"
#include "mmsim/early_res.h"
#include "mmsim/meminfo.h"
#include "mmsim/memblock.h"
#include "mmsim/page_alloc.h"
#include "mmsim/bootmem.h"
#include "mmsim/boot.h"
#include "mmsim/pgtable.h"
#include "mmsim/fault.h"

#endif
