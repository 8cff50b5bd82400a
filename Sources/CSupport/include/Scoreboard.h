#ifndef AIRWAVE_SCOREBOARD_H
#define AIRWAVE_SCOREBOARD_H

#include <stdint.h>

/// The pool's scoreboard: shared memory mapped by the master before the
/// fork, written by the workers (each its own slot) and the master, read by
/// the status endpoint and by `airwave status` from another process.
/// Every field is read and written with atomic builtins.

#define AIRWAVE_SCOREBOARD_MAGIC 0x41575342u /* "AWSB" */
#define AIRWAVE_SCOREBOARD_VERSION 7u
#define AIRWAVE_SCOREBOARD_PATH_BYTES 128

enum airwave_worker_state {
    AIRWAVE_SLOT_EMPTY = 0,   /* no worker in this slot (between a death and a restart) */
    AIRWAVE_SLOT_IDLE = 1,    /* waiting for a request */
    AIRWAVE_SLOT_BUSY = 2,    /* answering one */
    AIRWAVE_SLOT_EXITING = 3, /* finishing, then exiting */
    AIRWAVE_SLOT_STARTING = 4, /* forked, not yet ready (opening the database) */
    AIRWAVE_SLOT_READING = 5, /* accepted a connection, reading its request */
};

typedef struct {
    int32_t pid;
    int32_t state;
    uint64_t requests;            /* answered by this worker */
    int64_t started_at_ms;        /* wall clock, when the worker started */
    int64_t request_started_ms;   /* CLOCK_MONOTONIC, when the current request started (or its reading): a wall clock step kills nobody */
    int64_t last_duration_us;     /* the previous request's duration */
    uint32_t path_sequence;       /* odd while `path` is being written */
    char path[AIRWAVE_SCOREBOARD_PATH_BYTES];
} airwave_slot;

/* The requests' latency histograms, pool-wide (`GET /api/v1/system/metrics`):
   one per route (the five library endpoints, system, anything else) and
   status class (1xx…5xx). Buckets are kept apart (each request adds to one,
   the last for anything slower than the largest bound) and made cumulative
   when read, so a reader never sees a count below its buckets' sum. */
#define AIRWAVE_METRIC_ROUTES 7
#define AIRWAVE_METRIC_CLASSES 5
#define AIRWAVE_METRIC_BUCKETS 14 /* upper bounds, in µs, in airwave_metric_bucket_bounds_us */

static const int64_t airwave_metric_bucket_bounds_us[AIRWAVE_METRIC_BUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 200000, 250000, 500000, 1000000, 2500000, 5000000,
};

typedef struct {
    uint64_t sum_us;
    uint64_t buckets[AIRWAVE_METRIC_BUCKETS + 1]; /* the last: above every bound (+Inf) */
} airwave_latency;

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint32_t slot_count;
    int32_t master_pid;
    int64_t started_at_ms;
    uint64_t accepted;            /* requests accepted by all workers, ever */
    uint64_t restarts;            /* workers started to replace one that exited */
    uint32_t max_busy;            /* most workers busy at once */
    uint32_t stopping;
    uint64_t all_busy;            /* requests that found every worker busy */
    int32_t cache_descriptor;     /* the master's descriptor of the shared cache's memory, -1: none */
    uint32_t reserved;
    uint64_t read_timeouts;       /* connections closed for not sending a whole request in time */
    uint64_t malformed;           /* connections closed for bytes that are not FastCGI */
    uint64_t refused;             /* TCP connections from an address not allowed (closed at once) */
    uint64_t exited_cpu_us;
    uint64_t reported_cpu_us;     /* the most CPU a scrape has reported: it never reports less (a worker reaped mid-scrape) */       /* user + system CPU of the workers that exited (the master adds each one's rusage as it reaps it) */
    airwave_latency latency[AIRWAVE_METRIC_ROUTES][AIRWAVE_METRIC_CLASSES];
    airwave_slot slots[];
} airwave_scoreboard;

static inline uint64_t airwave_scoreboard_size(uint32_t slots) {
    return sizeof(airwave_scoreboard) + (uint64_t)slots * sizeof(airwave_slot);
}

/// The slot at `index` (Swift cannot see the flexible array member).
static inline airwave_slot *airwave_scoreboard_slot(airwave_scoreboard *board, uint32_t index) {
    return &board->slots[index];
}

/// A worker accepted a connection and reads its request.
void airwave_scoreboard_reading(airwave_scoreboard *board, uint32_t slot, int64_t now_ms);

/// A worker has a whole request: counts it, marks the slot busy, records the
/// path (`length` bytes, not NUL-terminated), and updates the busy high-water
/// mark and the all-busy count.
void airwave_scoreboard_begin(airwave_scoreboard *board, uint32_t slot, const char *path, uint64_t length, int64_t now_ms);

/// The connection ended without a request (read timeout or not FastCGI): the
/// slot goes back to idle.
void airwave_scoreboard_idle(airwave_scoreboard *board, uint32_t slot);

/// The request is answered.
void airwave_scoreboard_end(airwave_scoreboard *board, uint32_t slot, int64_t duration_us);

/// Counts one answered request in its route's and status class's histogram.
void airwave_scoreboard_observe(airwave_scoreboard *board, uint32_t route, uint32_t status_class, int64_t duration_us);

/// Copies the slot's current path into `out` (at least AIRWAVE_SCOREBOARD_PATH_BYTES).
void airwave_scoreboard_read_path(const airwave_scoreboard *board, uint32_t slot, char *out);

static inline int64_t airwave_load64(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline uint64_t airwave_loadu64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline int32_t airwave_load32(const int32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline uint32_t airwave_loadu32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void airwave_store64(int64_t *p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void airwave_storeu64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void airwave_store32(int32_t *p, int32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void airwave_storeu32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline void airwave_addu64(uint64_t *p, uint64_t v) { __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }
/* Raises *p to v if it is less; returns what *p holds after. */
static inline uint64_t airwave_maxu64(uint64_t *p, uint64_t v) {
    uint64_t seen = __atomic_load_n(p, __ATOMIC_ACQUIRE);
    while (seen < v && !__atomic_compare_exchange_n(p, &seen, v, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {}
    return seen < v ? v : seen;
}

#endif
