/* Raw exit semantics, below glibc: exit(2) ends only the calling thread. The main thread
 * calls SYS_exit with 3 while a second thread still runs; that thread then calls SYS_exit
 * with 5. The process ends when its last thread does, with that thread's status (5), as
 * Linux 6.18 reports it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *second(void *arg) {
    (void)arg;
    usleep(100000);
    printf("second thread still runs after main's exit\n");
    fflush(stdout);
    syscall(SYS_exit, 5);
    return NULL;
}

int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, second, NULL);
    printf("main thread exits with 3\n");
    fflush(stdout);
    syscall(SYS_exit, 3);
    return 1;
}
