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

#include "expect.h"

#define OFAULT_ZERO UINT32_MAX /* the zero page as a pte's page */
#define OFAULT_PAGE 4096u
#define OFAULT_MIN_ADDR 0x10000u

struct ofault_vma {
	uint64_t start, end;
	uint32_t prot; /* 1 read, 2 write, 4 exec */
};

struct ofault_pte {
	uint64_t vpn;
	uint32_t page; /* index into of.pages, or OFAULT_ZERO */
	bool rw;
};

struct ofault_proc {
	bool live;
	struct ofault_vma *vma;
	uint32_t nvma, cap_vma;
	struct ofault_pte *pte; /* sorted by vpn */
	uint32_t npte, cap_pte;
	uint8_t *table;     /* per table span: 1 if a PTE table exists */
	uint32_t ntables;
};

struct ofault_page {
	uint8_t *data; /* NULL: all zeros */
	uint32_t maps, pins;
	bool live;
};

struct ofault {
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
	struct ofault_proc *proc;
	uint32_t nproc, cap_proc;
	struct ofault_page *pages;
	uint32_t npages, cap_pages;
	uint64_t used; /* simulated pages taken since set-up */
	bool oom;      /* host out of memory in the oracle */
	/* where predicted reports go: the runner's r->expect, set once by the
	 * harness at set-up */
	struct props_expect *expect;
};

/* profile 0 x86_32, 1 PAE, 2 ARM */
void ofault_init(struct ofault *o, unsigned profile, bool zero_page, bool reuse_refcount);
void ofault_free(struct ofault *o);
void ofault_fault_set(struct ofault *o, bool on, uint32_t after, uint32_t repeat);

/* Each returns the errno the call must return; a call that names no live
 * process (exited, or never created) is refused with -EINVAL and one
 * fault/INVALID_ARG report, predicted into o->expect. */
int ofault_id_check(struct ofault *o, uint32_t id);
int ofault_mm_alloc(struct ofault *o, uint32_t *id);
int ofault_fork(struct ofault *o, uint32_t parent, uint32_t *child);
int ofault_exit(struct ofault *o, uint32_t id);
int ofault_mmap(struct ofault *o, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot, bool fixed,
	    uint64_t *out);
int ofault_munmap(struct ofault *o, uint32_t id, uint64_t addr, uint64_t len);
int ofault_mprotect(struct ofault *o, uint32_t id, uint64_t addr, uint64_t len, uint32_t prot);
int ofault_read(struct ofault *o, uint32_t id, uint64_t addr, uint8_t *buf, size_t len);
int ofault_write(struct ofault *o, uint32_t id, uint64_t addr, const uint8_t *buf, size_t len);
/* get_user_pages: *page the page pinned (OFAULT_ZERO: no pin taken). */
int ofault_pin(struct ofault *o, uint32_t id, uint64_t addr, bool write, uint32_t *page);
void ofault_unpin(struct ofault *o, uint32_t page);
/* An unpin of a page no pin is held on: the zero page is never counted
 * (0); any other page is a bad page (-EINVAL, fault/BAD_PAGE). */
int ofault_unpin_unheld(struct ofault *o, bool zero_page);
/* A kernel write into the zero page with MM_HARDEN_ZERO_PAGE_WP: refused
 * (-EFAULT, fault/BUG). */
int ofault_zero_write(struct ofault *o);

/* Queries for the checks. */
const struct ofault_pte *ofault_find_pte(const struct ofault_proc *p, uint64_t vpn);
uint64_t ofault_anon_rss(const struct ofault_proc *p);
/* Is prot readable/writable, and is va's VMA (must exist) PROT_NONE? */
const struct ofault_vma *ofault_find_vma(const struct ofault_proc *p, uint64_t va);

/* put_page or __free_pages(order 0) by a caller that holds no reference,
 * on a user page: when the page's one reference is its one mapping or its
 * one pin, that is the last reference, and free_pages_check finds the page
 * mapped or still owned (an anonymous page keeps page->mapping until it is
 * freed): refused, -EINVAL, one page_alloc/BAD_PAGE (predicted into
 * o->expect), nothing changes. Returns 1, predicting nothing, for a page
 * holding more references (the caller then leaves it alone). */
int ofault_put_last(struct ofault *o, uint32_t page);
#endif
