/* A process-directed signal that one thread blocks but another does not: Linux hands it to
 * the thread that takes it, and its default action (terminate) ends the whole process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile int ready;

static void *unblocked(void *arg) {
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    ready = 1;
    for (;;)
        pause();
    return NULL;
}

int main(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t t;
    pthread_create(&t, NULL, unblocked, NULL);
    while (!ready)
        usleep(1000);
    printf("main blocks SIGUSR1 and sends it to the process\n");
    fflush(stdout);
    kill(getpid(), SIGUSR1);
    sleep(2);
    printf("survived\n");
    return 0;
}
