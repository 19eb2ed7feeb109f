/*
 * Oracle for processes and anonymous memory, from the semantics: per process
 * its VMAs, its PTE tables (one flag per table span) and a map from virtual
 * page to (abstract page, writable); pages carry their bytes, their number of
 * mappings and of pins. fork copies the map (value semantics: a later write
 * in one process is invisible to the other). Every allocation the kernel
 * would make (a pgd, PAE's three PMDs, a PTE table, a user page) passes the
 * modelled fault-injection countdown, so success vs -ENOMEM and the exact
 * number of simulated pages in use are predicted. Calls no library code.
 */
#ifndef MMSIM_ORACLE_FAULT_H
#define MMSIM_ORACLE_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OF_ZERO UINT32_MAX /* the zero page as a pte's page */
#define OF_PAGE 4096u
#define OF_MIN_ADDR 0x10000u

struct of_vma {
	uint64_t start, end;
	uint32_t prot; /* 1 read, 2 write, 4 exec */
};

struct of_pte {
	uint64_t vpn;
	uint32_t page; /* index into of.pages, or OF_ZERO */
	bool rw;
};

struct of_proc {
	bool live;
	struct of_vma *vma;
	uint32_t nvma, cap_vma;
	struct of_pte *pte; /* sorted by vpn */
	uint32_t npte, cap_pte;
	uint8_t *table;     /* per table span: 1 if a PTE table exists */
	uint32_t ntables;
};

struct of_page {
	uint8_t *data; /* NULL: all zeros */
	uint32_t maps, pins;
	bool live;
};

struct of {
	/* geometry */
	uint64_t task_size;
	unsigned span_shift;
	uint32_t nspans;
	unsigned pgd_allocs, pgd_pages; /* x86_32 1/1, PAE 4/4, ARM 1/4 */
	bool zero_page, reuse_refcount;
	/* the fault-injection countdown, as the machine keeps it */
	bool f_on;
	uint32_t f_after, f_repeat;
	/* state */
	struct of_proc *proc;
	uint32_t nproc, cap_proc;
	struct of_page *pages;
	uint32_t npages, cap_pages;
	uint64_t used; /* simulated pages taken since set-up */
	bool oom;      /* host out of memory in the oracle */
};

/* profile 0 x86_32, 1 PAE, 2 ARM */
void of_init(struct of *o, unsigned profile, bool zero_page, bool reuse_refcount);
void of_free(struct of *o);
void of_fault_set(struct of *o, bool on, uint32_t after, uint32_t repeat);

/* Each returns the errno the call must return. */
int of_mm_alloc(struct of *o, uint32_t *id);
int of_fork(struct of *o, uint32_t parent, uint32_t *child);
int of_exit(struct of *o, uint32_t id);
int of_mmap(struct of *o, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
	    uint64_t *out);
int of_munmap(struct of *o, uint32_t id, uint64_t addr, uint64_t len);
int of_mprotect(struct of *o, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot);
int of_read(struct of *o, uint32_t id, uint64_t addr, uint8_t *buf, size_t len);
int of_write(struct of *o, uint32_t id, uint64_t addr, const uint8_t *buf, size_t len);
/* get_user_pages: *page the page pinned (OF_ZERO: no pin taken). */
int of_pin(struct of *o, uint32_t id, uint64_t addr, bool write, uint32_t *page);
void of_unpin(struct of *o, uint32_t page);

/* Queries for the checks. */
const struct of_pte *of_find_pte(const struct of_proc *p, uint64_t vpn);
uint64_t of_anon_rss(const struct of_proc *p);
/* Is prot readable/writable, and is va's VMA (must exist) PROT_NONE? */
const struct of_vma *of_find_vma(const struct of_proc *p, uint64_t va);

#endif
