#include "CTextScan.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Portable vectors (clang and gcc): compiled to SSE2 on x86-64 and NEON on arm64. Comparisons
   give 0 or 0xFF per lane. */
typedef uint8_t v16 __attribute__((vector_size(16)));

static inline v16 splat(uint8_t b) { return (v16){b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b}; }
static inline v16 mask(v16 condition) { return (v16)condition; }
static inline v16 eq(v16 v, uint8_t b) { return mask(v == splat(b)); }
static inline v16 in_range(v16 v, uint8_t lo, uint8_t count) { return mask((v16)(v - splat(lo)) < splat(count)); }
static inline v16 lowered(v16 v) { return v | (in_range(v, 'A', 26) & splat(0x20)); }
static inline v16 letter(v16 l) { return in_range(l, 'a', 26); }
/* The symbols leetspeak uses for letters (every digit but 6, @ $ ! | +), as Vigil's Leetspeak. */
static inline v16 leet(v16 v) {
    return (in_range(v, '0', 10) & ~eq(v, '6')) | eq(v, '@') | eq(v, '$') | eq(v, '!') | eq(v, '|') | eq(v, '+');
}
static inline v16 spelled(v16 l) { return letter(l) | in_range(l, '0', 10) | eq(l, '@') | eq(l, '$') | eq(l, '!'); }
static inline v16 separator(v16 v) {
    return eq(v, ' ') | eq(v, '.') | eq(v, '-') | eq(v, '_') | eq(v, '*') | eq(v, '/') | eq(v, '|') | eq(v, '~') | eq(v, '+');
}
static inline v16 load(const uint8_t *p) { v16 v; memcpy(&v, p, 16); return v; }
static inline int any(v16 v) {
    uint64_t halves[2];
    memcpy(halves, &v, 16);
    return (halves[0] | halves[1]) != 0;
}
/* Bit k set when lane k of a comparison result is set. */
static inline uint16_t lane_bits(v16 m) {
#if defined(__SSE2__)
    return (uint16_t)_mm_movemask_epi8((__m128i)m);
#else
    uint16_t bits = 0;
    for (int k = 0; k < 16; k++) bits |= (uint16_t)(m[k] >> 7) << k;
    return bits;
#endif
}

void vts_scan_simple(const uint8_t *src, size_t n, uint8_t *out, vts_summary *summary,
                     uint16_t *repeated_at, uint16_t *leet_at) {
    v16 special = splat(0), spacing = splat(0), hxx = splat(0), protect = splat(0);
    uint16_t repeated = 0, leet_adjacent = 0;
    size_t run = 0, longest = 0;
    static const v16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    for (size_t i = 0; i < n; i += 16) {
        v16 v, p1, p2, p3, p4, valid = splat(0xFF);
        size_t count = n - i < 16 ? n - i : 16;
        if (i >= 16 && i + 16 <= n) {
            v = load(src + i);
            p1 = load(src + i - 1);
            p2 = load(src + i - 2);
            p3 = load(src + i - 3);
            p4 = load(src + i - 4);
        } else {
            /* The first and the last block go through a zero-padded copy. */
            uint8_t padded[32] = {0};
            size_t before = i < 4 ? i : 4;
            memcpy(padded + 16 - before, src + i - before, before + count);
            v = load(padded + 16);
            p1 = load(padded + 15);
            p2 = load(padded + 14);
            p3 = load(padded + 13);
            p4 = load(padded + 12);
            valid = mask(lanes < splat((uint8_t)count));
        }
        v16 l = lowered(v), l1 = lowered(p1), l2 = lowered(p2), l3 = lowered(p3), l4 = lowered(p4);
        memcpy(out + i, &l, 16);
        v16 is_letter = letter(l), letter1 = letter(l1);
        special |= (mask(v < splat(0x20)) | mask(v >= splat(0x7F)) | eq(v, '[') | eq(v, '(') | eq(v, '{') | eq(v, '`')
                    | (eq(v, ' ') & eq(p1, ' '))) & valid;
        uint16_t repeats = lane_bits(is_letter & mask(l == l1) & valid);
        uint16_t pairs = lane_bits(((leet(v) & letter1) | (is_letter & leet(p1))) & valid);
        repeated_at[i / 16] = repeats;
        leet_at[i / 16] = pairs;
        repeated |= repeats;
        leet_adjacent |= pairs;
        /* One spelled character between two equal separators, after another single one: the
           necessary condition for three spaced-out letters. */
        spacing |= separator(v) & mask(v == p2) & spelled(l1) & spelled(l3) & ~spelled(l4) & valid;
        hxx |= eq(l, 'x') & eq(l1, 'x') & eq(l2, 'h') & valid;
        protect |= (eq(v, '/') | eq(v, '@') | eq(v, '.')) & valid;
        /* Only runs crossing a block boundary can reach 16 bytes: the first and last space of a
           block are all that matter. */
        uint16_t spaces = lane_bits(eq(v, ' ') & valid);
        if (!spaces) {
            run += count;
        } else {
            size_t gap = run + (size_t)__builtin_ctz(spaces);
            if (gap > longest) longest = gap;
            run = count - 1 - (size_t)(31 - __builtin_clz((unsigned)spaces));
        }
    }
    if (run > longest) longest = run;
    summary->longest_run = (uint32_t)longest;
    summary->special = any(special);
    summary->repeated = repeated != 0;
    summary->leet_adjacent = leet_adjacent != 0;
    summary->spacing = any(spacing);
    summary->hxx = any(hxx);
    summary->protect = any(protect);
}
