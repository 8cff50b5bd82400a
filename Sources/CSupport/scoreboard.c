#include "Scoreboard.h"
#include <stddef.h>

void airwave_scoreboard_reading(airwave_scoreboard *board, uint32_t slot, int64_t now_ms) {
    airwave_slot *s = &board->slots[slot];
    __atomic_store_n(&s->request_started_ms, now_ms, __ATOMIC_RELEASE);
    int32_t idle = AIRWAVE_SLOT_IDLE;
    /* Only idle → reading: a worker told to exit stays "exiting". */
    __atomic_compare_exchange_n(&s->state, &idle, AIRWAVE_SLOT_READING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void airwave_scoreboard_idle(airwave_scoreboard *board, uint32_t slot) {
    airwave_slot *s = &board->slots[slot];
    int32_t reading = AIRWAVE_SLOT_READING;
    __atomic_compare_exchange_n(&s->state, &reading, AIRWAVE_SLOT_IDLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void airwave_scoreboard_begin(airwave_scoreboard *board, uint32_t slot, const char *path, uint64_t length, int64_t now_ms) {
    airwave_slot *s = &board->slots[slot];
    __atomic_add_fetch(&board->accepted, 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&s->requests, 1, __ATOMIC_ACQ_REL);

    /* The path under a sequence number: a reader retries while it is odd or changed. */
    uint32_t seq = __atomic_load_n(&s->path_sequence, __ATOMIC_RELAXED);
    __atomic_store_n(&s->path_sequence, seq + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    size_t n = length < AIRWAVE_SCOREBOARD_PATH_BYTES - 1 ? (size_t)length : AIRWAVE_SCOREBOARD_PATH_BYTES - 1;
    /* Cut a long path on a character boundary, not inside a UTF-8 sequence. */
    if (n < length) while (n > 0 && ((unsigned char)path[n] & 0xC0) == 0x80) n--;
    for (size_t i = 0; i < n; i++) __atomic_store_n(&s->path[i], path[i], __ATOMIC_RELAXED);
    __atomic_store_n(&s->path[n], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->path_sequence, seq + 2, __ATOMIC_RELEASE);

    __atomic_store_n(&s->request_started_ms, now_ms, __ATOMIC_RELEASE);
    /* From idle or reading; a worker told to exit stays "exiting". */
    int32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    if (state != AIRWAVE_SLOT_EXITING) __atomic_store_n(&s->state, AIRWAVE_SLOT_BUSY, __ATOMIC_SEQ_CST);

    /* Busy workers now, counted from the slots: nothing to leak when one dies. */
    uint32_t busy = 0;
    for (uint32_t i = 0; i < board->slot_count; i++) {
        if (__atomic_load_n(&board->slots[i].state, __ATOMIC_SEQ_CST) == AIRWAVE_SLOT_BUSY) busy++;
    }
    uint32_t max = __atomic_load_n(&board->max_busy, __ATOMIC_ACQUIRE);
    while (busy > max && !__atomic_compare_exchange_n(&board->max_busy, &max, busy, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {}
    if (busy >= board->slot_count) __atomic_add_fetch(&board->all_busy, 1, __ATOMIC_ACQ_REL);
}

void airwave_scoreboard_end(airwave_scoreboard *board, uint32_t slot, int64_t duration_us) {
    airwave_slot *s = &board->slots[slot];
    __atomic_store_n(&s->last_duration_us, duration_us, __ATOMIC_RELEASE);
    int32_t busy = AIRWAVE_SLOT_BUSY;
    /* Only busy → idle: a worker told to exit stays "exiting". */
    __atomic_compare_exchange_n(&s->state, &busy, AIRWAVE_SLOT_IDLE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void airwave_scoreboard_read_path(const airwave_scoreboard *board, uint32_t slot, char *out) {
    const airwave_slot *s = &board->slots[slot];
    for (int attempt = 0; attempt < 100; attempt++) {
        uint32_t before = __atomic_load_n(&s->path_sequence, __ATOMIC_ACQUIRE);
        if (before & 1) continue;
        for (size_t i = 0; i < AIRWAVE_SCOREBOARD_PATH_BYTES; i++) out[i] = __atomic_load_n(&s->path[i], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->path_sequence, __ATOMIC_ACQUIRE) == before) break;
    }
    out[AIRWAVE_SCOREBOARD_PATH_BYTES - 1] = 0;
}

void airwave_scoreboard_observe(airwave_scoreboard *board, uint32_t route, uint32_t status_class, int64_t duration_us) {
    if (route >= AIRWAVE_METRIC_ROUTES || status_class >= AIRWAVE_METRIC_CLASSES) return;
    airwave_latency *l = &board->latency[route][status_class];
    uint64_t us = duration_us > 0 ? (uint64_t)duration_us : 0;
    uint32_t bucket = 0;
    while (bucket < AIRWAVE_METRIC_BUCKETS && (int64_t)us > airwave_metric_bucket_bounds_us[bucket]) bucket++;
    __atomic_add_fetch(&l->buckets[bucket], 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&l->sum_us, us, __ATOMIC_ACQ_REL);
}
