#include "ArtistFacts.h"
#include <errno.h>
#include <signal.h>

int airwave_facts_claim(airwave_facts *facts, int32_t pid) {
    int32_t builder = __atomic_load_n(&facts->builder, __ATOMIC_ACQUIRE);
    /* A builder that died (kill -9 halfway) leaves its pid: take over. */
    if (builder != 0 && (kill(builder, 0) == 0 || errno != ESRCH)) return 0;
    return __atomic_compare_exchange_n(&facts->builder, &builder, pid, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void airwave_facts_begin_write(airwave_facts *facts, uint32_t which) {
    __atomic_add_fetch(&facts->sequence[which], 1, __ATOMIC_ACQ_REL);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

void airwave_facts_publish(airwave_facts *facts, uint32_t which, uint32_t count, uint64_t epoch, uint64_t build_us) {
    __atomic_store_n(&facts->count[which], count, __ATOMIC_RELAXED);
    __atomic_store_n(&facts->published[which], epoch, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_add_fetch(&facts->sequence[which], 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&facts->current, which, __ATOMIC_RELEASE);
    __atomic_store_n(&facts->build_us, build_us, __ATOMIC_RELAXED);
    __atomic_add_fetch(&facts->builds, 1, __ATOMIC_ACQ_REL);
}

int airwave_facts_reader_begin(airwave_facts *facts, uint64_t epoch, uint64_t *sequence, uint32_t *count) {
    uint32_t which = __atomic_load_n(&facts->current, __ATOMIC_ACQUIRE) & 1;
    uint64_t s = __atomic_load_n(&facts->sequence[which], __ATOMIC_ACQUIRE);
    if (s & 1) return -1;
    if (__atomic_load_n(&facts->published[which], __ATOMIC_ACQUIRE) != epoch) return -1;
    *count = __atomic_load_n(&facts->count[which], __ATOMIC_ACQUIRE);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    *sequence = s;
    return (int)which;
}

int airwave_facts_reader_valid(airwave_facts *facts, uint32_t which, uint64_t sequence) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&facts->sequence[which & 1], __ATOMIC_ACQUIRE) == sequence;
}
