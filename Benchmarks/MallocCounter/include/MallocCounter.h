#ifndef WATT_MALLOC_COUNTER_H
#define WATT_MALLOC_COUNTER_H

#include <stdint.h>

/// Allocation counters of the benchmark process (malloc, calloc, realloc, posix_memalign,
/// aligned_alloc, memalign, valloc are interposed and forwarded to glibc). Linked only into
/// `watt-bench`.
typedef struct {
    /// Calls that allocate (every interposed function; realloc counts as one).
    uint64_t allocations;
    /// Bytes requested by those calls (realloc: the new size).
    uint64_t bytes;
} watt_malloc_counts;

/// The counters so far (monotonic; subtract two readings).
watt_malloc_counts watt_malloc_counts_now(void);

#endif
