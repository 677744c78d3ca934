/*
 * roundtrip.c — puts, gets and creates arrays through the C ABI, so that C, .NET and Python can
 * be checked against each other on the same cache directory (the tests drive it).
 *
 *   gcc -O2 -I../include roundtrip.c -L<publish dir> -losipy_mappedcache -Wl,-rpath,<publish dir>
 *
 *   roundtrip put      DIR TYPE KEY N          float32 [N], element i = i * 0.5
 *   roundtrip get      DIR TYPE KEY            prints dtype, shape and the sum of a float32 array
 *   roundtrip create   DIR TYPE KEY ROWS COLS  float32 [ROWS, COLS] filled in place, element = r * COLS + c
 *   roundtrip boundary DIR                     bad inputs; prints name=status for each
 *
 * Entries are PERSISTENT so that they outlive this process.
 */
#include <stdio.h>
#include <stdlib.h>
#include "osipy_mappedcache.h"

static osipy_cache *open_cache(const char *dir) {
    char config[4096];
    snprintf(config, sizeof config, "{\"cache_dir\": \"%s\", \"default_policy\": \"persistent\"}", dir);
    osipy_cache *cache = NULL;
    if (osipy_cache_open(config, &cache) != OSIPY_OK) {
        fprintf(stderr, "open: %s\n", osipy_cache_last_error());
        exit(1);
    }
    return cache;
}

static int put(osipy_cache *cache, const char *type, const char *key, int64_t n) {
    float *data = malloc((size_t)n * sizeof *data);
    for (int64_t i = 0; i < n; i++) data[i] = (float)i * 0.5f;
    int status = osipy_cache_put(cache, type, key, OSIPY_FLOAT32, data, &n, 1, "{\"writer\": \"c\"}");
    free(data);
    if (status != OSIPY_OK) fprintf(stderr, "put: %d %s\n", status, osipy_cache_last_error());
    return status;
}

static int get(osipy_cache *cache, const char *type, const char *key) {
    osipy_lease *lease = NULL;
    const void *data = NULL;
    int32_t dtype = 0, ndim = 0;
    int64_t shape[OSIPY_MAX_DIMS];
    int status = osipy_cache_get(cache, type, key, &lease, &data, &dtype, &ndim, shape);
    if (status != OSIPY_OK) {
        printf("status=%d\n", status);
        return status;
    }
    int64_t count = 1;
    printf("dtype=%d shape=", dtype);
    for (int d = 0; d < ndim; d++) {
        count *= shape[d];
        printf(d ? ",%lld" : "%lld", (long long)shape[d]);
    }
    double sum = 0;
    for (int64_t i = 0; i < count; i++) sum += ((const float *)data)[i];
    printf(" sum=%.1f\n", sum);
    return osipy_cache_release(lease);
}

static int create(osipy_cache *cache, const char *type, const char *key, int64_t rows, int64_t cols) {
    int64_t shape[2] = {rows, cols};
    osipy_writer *writer = NULL;
    void *data = NULL;
    int status = osipy_cache_create(cache, type, key, OSIPY_FLOAT32, shape, 2, "{\"writer\": \"c-create\"}", &writer, &data);
    if (status != OSIPY_OK) {
        fprintf(stderr, "create: %d %s\n", status, osipy_cache_last_error());
        return status;
    }
    float *values = data; /* the new segment's own pages: no buffer, no copy */
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) values[r * cols + c] = (float)(r * cols + c);
    return osipy_cache_commit(writer);
}

static void report(const char *name, int status) { printf("%s=%d\n", name, status); }

static int boundary(osipy_cache *cache) {
    float data[4] = {1, 2, 3, 4};
    int64_t shape[1] = {4}, negative[1] = {-4};
    int64_t big[33];
    for (int i = 0; i < 33; i++) big[i] = 1;
    osipy_lease *lease = NULL;
    const void *out = NULL;
    int32_t dtype, ndim, has;
    int64_t out_shape[OSIPY_MAX_DIMS];

    report("null_handle", osipy_cache_put(NULL, "t", "k", OSIPY_FLOAT32, data, shape, 1, NULL));
    report("unknown_handle", osipy_cache_has((osipy_cache *)(intptr_t)0x7ff0, "t", "k", &has));
    report("null_key", osipy_cache_put(cache, "t", NULL, OSIPY_FLOAT32, data, shape, 1, NULL));
    report("null_data", osipy_cache_put(cache, "t", "k", OSIPY_FLOAT32, NULL, shape, 1, NULL));
    report("ndim_negative", osipy_cache_put(cache, "t", "k", OSIPY_FLOAT32, data, shape, -1, NULL));
    report("scalar_put", osipy_cache_put(cache, "t", "scalar", OSIPY_FLOAT32, data, NULL, 0, NULL)); /* a 0-d array */
    report("scalar_get", osipy_cache_get(cache, "t", "scalar", &lease, &out, &dtype, &ndim, out_shape));
    report("scalar_ndim", ndim);
    osipy_cache_release(lease);
    report("ndim_33", osipy_cache_put(cache, "t", "k", OSIPY_FLOAT32, data, big, 33, NULL));
    report("negative_dim", osipy_cache_put(cache, "t", "k", OSIPY_FLOAT32, data, negative, 1, NULL));
    report("unknown_dtype", osipy_cache_put(cache, "t", "k", 42, data, shape, 1, NULL));
    report("bad_metadata", osipy_cache_put(cache, "t", "k", OSIPY_FLOAT32, data, shape, 1, "[not json"));
    report("bad_utf8", osipy_cache_put(cache, "t", "\xff\xfe", OSIPY_FLOAT32, data, shape, 1, NULL));
    report("null_out", osipy_cache_get(cache, "t", "k", NULL, &out, &dtype, &ndim, out_shape));
    report("miss", osipy_cache_get(cache, "t", "absent", &lease, &out, &dtype, &ndim, out_shape));
    report("put_ok", osipy_cache_put(cache, "t", "k", OSIPY_FLOAT32, data, shape, 1, NULL));
    report("get_ok", osipy_cache_get(cache, "t", "k", &lease, &out, &dtype, &ndim, out_shape));
    report("release_once", osipy_cache_release(lease));
    report("release_twice", osipy_cache_release(lease));
    report("bundle_of_single", osipy_cache_get_bundle(cache, "t", "k", &lease, &has));
    report("close", osipy_cache_close(cache));
    report("use_after_close", osipy_cache_has(cache, "t", "k", &has));
    report("close_twice", osipy_cache_close(cache));
    printf("alive=1\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s put|get|create|boundary DIR ...\n", argv[0]);
        return 2;
    }
    osipy_cache *cache = open_cache(argv[2]);
    const char *command = argv[1];
    if (command[0] == 'b') return boundary(cache);
    if (argc < 5) return 2;
    int status = command[0] == 'p' && argc >= 6 ? put(cache, argv[3], argv[4], atoll(argv[5]))
               : command[0] == 'g'              ? get(cache, argv[3], argv[4])
               : command[0] == 'c' && argc >= 7 ? create(cache, argv[3], argv[4], atoll(argv[5]), atoll(argv[6]))
               : 2;
    osipy_cache_close(cache);
    return status;
}
