#define _GNU_SOURCE
#include "CSupport.h"
#include <sys/socket.h>

int airwave_accept(int listener, void *peer, unsigned int *peer_length) {
    return accept4(listener, (struct sockaddr *)peer, (socklen_t *)peer_length, SOCK_CLOEXEC | SOCK_NONBLOCK);
}
