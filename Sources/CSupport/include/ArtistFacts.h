#ifndef AIRWAVE_ARTIST_FACTS_H
#define AIRWAVE_ARTIST_FACTS_H

#include <pthread.h>
#include <stdint.h>

/// Derived facts about every artist for one version of the database, in
/// memory every worker maps: the artist ids in ascending order, each one's
/// totals (primary works, their recordings), and the artists' order by
/// name, then id. Not a response cache: it holds no answer and has no TTL;
/// it is built from the file in about a third of a second and dropped when
/// the file changes (ArtistFacts.swift).
///
/// Two buffers: readers use `current`, a build writes the other one and
/// then switches. Each buffer has a sequence number, odd while it is being
/// written, so a reader that raced a write notices and does without.

#define AIRWAVE_FACTS_MAGIC 0x41574641u /* "AWFA" */
#define AIRWAVE_FACTS_VERSION 2u

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint32_t capacity;        /* artists each buffer holds */
    pthread_mutex_t builder;  /* held by the worker building now (robust: a builder killed halfway frees it) */
    uint64_t epoch;           /* bumped when a worker sees the database file changed */
    uint64_t published[2];    /* the epoch each buffer was built for, 0: none */
    uint64_t sequence[2];     /* odd while the buffer is written */
    uint32_t count[2];        /* artists in each buffer */
    uint32_t current;         /* the buffer readers use */
    uint32_t builds;          /* finished builds, ever */
    uint64_t failed;          /* the epoch a build found more artists than `capacity` */
    uint64_t build_us;        /* how long the last build took */
    uint64_t changed_ns;      /* CLOCK_MONOTONIC when the epoch last moved */
} airwave_facts;

/// One buffer: ids (int64, ascending), works (uint32), recordings (uint32),
/// by_name (uint32: positions in ids, in the order of name, then id).
static inline uint64_t airwave_facts_buffer_size(uint32_t capacity) { return (uint64_t)capacity * 20; }

static inline uint64_t airwave_facts_size(uint32_t capacity) {
    return ((sizeof(airwave_facts) + 63) & ~(uint64_t)63) + 2 * airwave_facts_buffer_size(capacity);
}

static inline uint8_t *airwave_facts_buffer(airwave_facts *facts, uint32_t which) {
    return (uint8_t *)facts + ((sizeof(airwave_facts) + 63) & ~(uint64_t)63) + which * airwave_facts_buffer_size(facts->capacity);
}

/// Sets up facts for `capacity` artists, none built (the master, before
/// the fork); 0, or the error of the builder lock's setup.
int airwave_facts_init(airwave_facts *facts, uint32_t capacity);

/// Claims the build without waiting: true when nobody was building, or the
/// builder died (its lock is robust).
int airwave_facts_claim(airwave_facts *facts);

static inline void airwave_facts_release(airwave_facts *facts) { pthread_mutex_unlock(&facts->builder); }

static inline uint64_t airwave_facts_epoch(const airwave_facts *facts) { return __atomic_load_n(&facts->epoch, __ATOMIC_ACQUIRE); }

/// CLOCK_MONOTONIC when the epoch last moved.
static inline uint64_t airwave_facts_changed_ns(const airwave_facts *facts) { return __atomic_load_n(&facts->changed_ns, __ATOMIC_ACQUIRE); }

/// A new epoch: facts built for an older one are not used again.
static inline void airwave_facts_invalidate(airwave_facts *facts, uint64_t now_ns) {
    __atomic_store_n(&facts->changed_ns, now_ns, __ATOMIC_RELEASE);
    __atomic_add_fetch(&facts->epoch, 1, __ATOMIC_ACQ_REL);
}

/// Opens buffer `which` for writing (its sequence goes odd, and changes even
/// if a builder killed halfway left it odd).
void airwave_facts_begin_write(airwave_facts *facts, uint32_t which);

/// Closes it (sequence even again), marks it built for `epoch` with `count`
/// artists, and makes it the one readers use.
void airwave_facts_publish(airwave_facts *facts, uint32_t which, uint32_t count, uint64_t epoch, uint64_t build_us);

/// For a reader: the buffer to use when it holds facts for `epoch` (its
/// sequence in `*sequence`, its count in `*count`), else -1.
int airwave_facts_reader_begin(airwave_facts *facts, uint64_t epoch, uint64_t *sequence, uint32_t *count);

/// Whether the buffer was left alone since airwave_facts_reader_begin.
int airwave_facts_reader_valid(airwave_facts *facts, uint32_t which, uint64_t sequence);

#endif
