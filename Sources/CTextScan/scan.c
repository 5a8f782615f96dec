#include "CTextScan.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Portable vectors (clang's vector extensions): SSE2 on x86-64, NEON on arm64, and AVX2 where the
   processor has it (chosen at run time). Comparisons give 0 or 0xFF per lane. */
typedef uint8_t v16 __attribute__((vector_size(16)));
typedef int8_t s16 __attribute__((vector_size(16)));
typedef uint8_t v32 __attribute__((vector_size(32)));
typedef int8_t s32 __attribute__((vector_size(32)));

static inline int vts_any(const uint8_t *bytes, size_t count) {
    uint64_t folded = 0;
    for (size_t k = 0; k < count; k += 8) {
        uint64_t word;
        memcpy(&word, bytes + k, 8);
        folded |= word;
    }
    return folded != 0;
}

/* Bit k set when lane k of a comparison result is set. */
static inline uint16_t lane_bits16(v16 m) {
#if defined(__SSE2__)
    return (uint16_t)_mm_movemask_epi8((__m128i)m);
#else
    uint16_t bits = 0;
    for (int k = 0; k < 16; k++) bits |= (uint16_t)(m[k] >> 7) << k;
    return bits;
#endif
}

/* The lanes of `cur` moved up by k, the last k lanes of `prev` in front: each lane sees the byte k
   before it. */
#define BEFORE16(prev, cur, k) __builtin_shufflevector(prev, cur, 16 - k, 17 - k, 18 - k, 19 - k, 20 - k, 21 - k, \
    22 - k, 23 - k, 24 - k, 25 - k, 26 - k, 27 - k, 28 - k, 29 - k, 30 - k, 31 - k)
#define BEFORE32(prev, cur, k) __builtin_shufflevector(prev, cur, 32 - k, 33 - k, 34 - k, 35 - k, 36 - k, 37 - k, \
    38 - k, 39 - k, 40 - k, 41 - k, 42 - k, 43 - k, 44 - k, 45 - k, 46 - k, 47 - k, 48 - k, 49 - k, 50 - k, 51 - k, \
    52 - k, 53 - k, 54 - k, 55 - k, 56 - k, 57 - k, 58 - k, 59 - k, 60 - k, 61 - k, 62 - k, 63 - k)

#define VTS_WIDTH 16
#define VTS_VEC v16
#define VTS_SVEC s16
#define VTS_BITS uint16_t
#define VTS_LANE_BITS(m) lane_bits16(m)
#define VTS_BEFORE(prev, cur, k) BEFORE16(prev, cur, k)
#define VTS_NAME vts_scan_simple_portable
#define VTS_TARGET
#define VTS_LINKAGE
#include "scan_body.h"
#undef VTS_WIDTH
#undef VTS_VEC
#undef VTS_SVEC
#undef VTS_BITS
#undef VTS_LANE_BITS
#undef VTS_BEFORE
#undef VTS_NAME
#undef VTS_TARGET
#undef VTS_LINKAGE

#if defined(__x86_64__)
__attribute__((target("avx2"))) static inline uint32_t lane_bits32(v32 m) {
    return (uint32_t)_mm256_movemask_epi8((__m256i)m);
}
#define VTS_WIDTH 32
#define VTS_VEC v32
#define VTS_SVEC s32
#define VTS_BITS uint32_t
#define VTS_LANE_BITS(m) lane_bits32(m)
#define VTS_BEFORE(prev, cur, k) BEFORE32(prev, cur, k)
#define VTS_NAME scan32
#define VTS_TARGET __attribute__((target("avx2")))
#define VTS_LINKAGE static
#include "scan_body.h"
#endif

void vts_scan_simple(const uint8_t *src, size_t n, uint8_t *out, vts_summary *summary,
                     uint16_t *repeated_at, uint16_t *leet_at, int stop_at_special) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        scan32(src, n, out, summary, repeated_at, leet_at, stop_at_special);
        return;
    }
#endif
    vts_scan_simple_portable(src, n, out, summary, repeated_at, leet_at, stop_at_special);
}
