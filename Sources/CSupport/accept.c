#define _GNU_SOURCE
#include "CSupport.h"
#include <sys/socket.h>

int airwave_accept(int listener) {
    return accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
}
