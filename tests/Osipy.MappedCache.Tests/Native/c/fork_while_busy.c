/* Forks FORKS times while three threads put, get and get_or_create in a loop in the parent.
 * Each child opens its own cache, puts, gets and closes it, under a 10 s alarm (a hang dies of
 * SIGALRM). Prints "forks=N ok=N hung=N crashed=N failed=N".  Usage: fork_while_busy DIR FORKS */
#include "osipy_mappedcache.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ELEMENTS (1 << 18)

static osipy_cache *cache;
static atomic_int stop;

static int32_t fill(void *data, int64_t bytes, void *user_data)
{
    (void)user_data;
    memset(data, 1, (size_t)bytes);
    return 0;
}

static void *busy(void *arg)
{
    long n = (long)arg;
    float *values = calloc(ELEMENTS, sizeof(float));
    int64_t shape[1] = {ELEMENTS};
    char key[64];
    for (long i = 0; !atomic_load(&stop); i++) {
        snprintf(key, sizeof key, "%ld-%ld", n, i % 8);
        osipy_cache_put(cache, "busy", key, OSIPY_FLOAT32, values, shape, 1, NULL);
        osipy_lease *lease = NULL;
        const void *data;
        int32_t dtype, ndim;
        int64_t out_shape[OSIPY_MAX_DIMS];
        if (osipy_cache_get(cache, "busy", key, &lease, &data, &dtype, &ndim, out_shape) == OSIPY_OK)
            osipy_cache_release(lease);
        if (osipy_cache_get_or_create(cache, "filled", key, OSIPY_FLOAT32, shape, 1, NULL, fill, NULL,
                                      &lease, &data, &dtype, &ndim, out_shape) == OSIPY_OK)
            osipy_cache_release(lease);
        if (i % 16 == 0)
            osipy_cache_invalidate(cache, "filled", key);
    }
    free(values);
    return NULL;
}

static int child(const char *config, int k)
{
    alarm(10);
    osipy_cache *own = NULL;
    if (osipy_cache_open(config, &own) != OSIPY_OK)
        return 3;
    double values[4] = {0, 1, 2, 3};
    int64_t shape[1] = {4};
    char key[32];
    snprintf(key, sizeof key, "child-%d", k);
    if (osipy_cache_put(own, "child", key, OSIPY_FLOAT64, values, shape, 1, NULL) != OSIPY_OK)
        return 4;
    osipy_lease *lease = NULL;
    const void *data;
    int32_t dtype, ndim;
    int64_t out_shape[OSIPY_MAX_DIMS];
    if (osipy_cache_get(own, "child", key, &lease, &data, &dtype, &ndim, out_shape) != OSIPY_OK
        || ((const double *)data)[3] != 3.0)
        return 5;
    osipy_cache_release(lease);
    return osipy_cache_close(own) == OSIPY_OK ? 0 : 6;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char config[4096];
    snprintf(config, sizeof config, "{\"cache_dir\": \"%s\"}", argv[1]);
    int forks = atoi(argv[2]);
    if (osipy_cache_open(config, &cache) != OSIPY_OK)
        return 2;
    pthread_t threads[3];
    for (long n = 0; n < 3; n++)
        pthread_create(&threads[n], NULL, busy, (void *)n);
    usleep(200 * 1000);
    int ok = 0, hung = 0, crashed = 0, failed = 0;
    for (int k = 0; k < forks; k++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(child(config, k));
        int status;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok++;
        else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            hung++;
        else if (WIFSIGNALED(status))
            crashed++;
        else
            failed++;
    }
    atomic_store(&stop, 1);
    for (int n = 0; n < 3; n++)
        pthread_join(threads[n], NULL);
    printf("forks=%d ok=%d hung=%d crashed=%d failed=%d\n", forks, ok, hung, crashed, failed);
    return osipy_cache_close(cache) == OSIPY_OK ? 0 : 1;
}
