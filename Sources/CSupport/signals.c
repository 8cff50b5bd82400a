#include "CSupport.h"
#include <string.h>

static volatile sig_atomic_t pending_signal = 0;

static void record_signal(int sig) { pending_signal = sig; }

int airwave_install_flag_handlers(const int *signals, int n) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    for (int i = 0; i < n; i++) {
        if (sigaction(signals[i], &sa, NULL) != 0) return -1;
    }
    return 0;
}

int airwave_pending_signal(void) { return pending_signal; }

void airwave_clear_pending_signal(void) { pending_signal = 0; }
