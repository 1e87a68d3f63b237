/* The plain-C reference for a PoissonGroup: N neurons, each step one
 * uniform number per neuron compared with rate*dt; the indices of the
 * neurons that spike are appended to a growing record (as a SpikeMonitor
 * keeps them). One xoshiro256++ generator, 52-bit uniforms, one thread.
 *
 * usage: poisson_ref N STEPS RATE_HZ DT_S REPEATS
 * prints JSON: {"loop_s": [...], "spikes": n}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t s[4] = {0x9E3779B97F4A7C15u, 0xBF58476D1CE4E5B9u, 0x94D049BB133111EBu,
                        0x2545F4914F6CDD1Du};

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next(void) {
    uint64_t out = rotl(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static inline double uniform(void) {
    union { uint64_t u; double d; } x;
    x.u = (next() >> 12) | 0x3FF0000000000000u;
    return x.d - 1.0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s N STEPS RATE_HZ DT_S REPEATS\n", argv[0]);
        return 2;
    }
    long n = atol(argv[1]), steps = atol(argv[2]), repeats = atol(argv[5]);
    double p = atof(argv[3]) * atof(argv[4]);
    long spikes = 0;
    printf("{\"loop_s\": [");
    for (long r = 0; r < repeats; r++) {
        size_t cap = 1 << 20, len = 0;
        int32_t *idx = malloc(cap * sizeof *idx);
        int64_t *step_of = malloc(cap * sizeof *step_of);
        double t0 = now();
        for (long k = 0; k < steps; k++) {
            for (long i = 0; i < n; i++) {
                if (uniform() < p) {
                    if (len == cap) {
                        cap *= 2;
                        idx = realloc(idx, cap * sizeof *idx);
                        step_of = realloc(step_of, cap * sizeof *step_of);
                    }
                    idx[len] = (int32_t)i;
                    step_of[len++] = k;
                }
            }
        }
        double t1 = now();
        spikes = (long)len;
        printf("%s%.6f", r ? ", " : "", t1 - t0);
        free(idx);
        free(step_of);
    }
    printf("], \"spikes\": %ld}\n", spikes);
    return 0;
}
