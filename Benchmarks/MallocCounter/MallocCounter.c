// Counts the allocations of the benchmark process: the allocation functions are defined
// here, in the executable, so they take precedence over glibc's for the whole process
// (ELF symbol interposition), and forward to glibc's own entry points (`__libc_malloc`
// etc.), so the allocator itself is unchanged. Counters are relaxed atomics: a count, not
// an ordering. `free` is not interposed (glibc frees what `__libc_*` allocated).
#include "MallocCounter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);

static _Atomic uint64_t allocation_count;
static _Atomic uint64_t allocated_bytes;

static inline void count(size_t bytes) {
    atomic_fetch_add_explicit(&allocation_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&allocated_bytes, bytes, memory_order_relaxed);
}

watt_malloc_counts watt_malloc_counts_now(void) {
    watt_malloc_counts c;
    c.allocations = atomic_load_explicit(&allocation_count, memory_order_relaxed);
    c.bytes = atomic_load_explicit(&allocated_bytes, memory_order_relaxed);
    return c;
}

void *malloc(size_t size) {
    count(size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    count(n * size);
    return __libc_calloc(n, size);
}

void *realloc(void *pointer, size_t size) {
    count(size);
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count(size);
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    count(size);
    return __libc_valloc(size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    // The same checks as glibc: a power of two, a multiple of sizeof(void *).
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    count(size);
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return ENOMEM;
    *result = p;
    return 0;
}
