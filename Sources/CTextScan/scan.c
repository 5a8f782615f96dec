#include "CTextScan.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Portable vectors (clang's vector extensions): compiled to SSE2 on x86-64 and NEON on arm64. Comparisons
   give 0 or 0xFF per lane. */
typedef uint8_t v16 __attribute__((vector_size(16)));

static inline v16 splat(uint8_t b) { return (v16){b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b}; }
static inline v16 mask(v16 condition) { return (v16)condition; }
static inline v16 eq(v16 v, uint8_t b) { return mask(v == splat(b)); }
static inline v16 in_range(v16 v, uint8_t lo, uint8_t count) { return mask((v16)(v - splat(lo)) < splat(count)); }
static inline v16 lowered(v16 v) { return v | (in_range(v, 'A', 26) & splat(0x20)); }
static inline v16 letter(v16 l) { return in_range(l, 'a', 26); }
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

/* The lanes of `cur` moved up by k, the last k lanes of `prev` in front: each lane sees the byte k
   before it. */
#define BEFORE(prev, cur, k) __builtin_shufflevector(prev, cur, 16 - k, 17 - k, 18 - k, 19 - k, 20 - k, 21 - k, \
    22 - k, 23 - k, 24 - k, 25 - k, 26 - k, 27 - k, 28 - k, 29 - k, 30 - k, 31 - k)

typedef int8_t s16 __attribute__((vector_size(16)));

void vts_scan_simple(const uint8_t *src, size_t n, uint8_t *out, vts_summary *summary,
                     uint16_t *repeated_at, uint16_t *leet_at) {
    v16 special = splat(0), spacing = splat(0), hxx = splat(0), protect = splat(0);
    uint16_t repeated = 0, leet_adjacent = 0;
    size_t run = 0, longest = 0;
    static const v16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    /* Each class of the previous block, for the lanes that look back (zero before the text). */
    v16 last_l = splat(0), last_letter = splat(0), last_leet = splat(0), last_spelled = splat(0),
        last_x = splat(0), last_h = splat(0), last_space = splat(0);
    for (size_t i = 0; i < n; i += 16) {
        size_t count = n - i < 16 ? n - i : 16;
        v16 v, valid = splat(0xFF);
        if (count == 16) {
            v = load(src + i);
        } else {
            uint8_t padded[16] = {0};
            memcpy(padded, src + i, count);
            v = load(padded);
            valid = mask(lanes < splat((uint8_t)count));
        }
        v16 l = lowered(v);
        memcpy(out + i, &l, 16);
        v16 digit = in_range(v, '0', 10), at = eq(v, '@'), dollar = eq(v, '$'), bang = eq(v, '!');
        v16 is_letter = letter(l);
        /* The symbols leetspeak uses for letters (every digit but 6, @ $ ! | +), as Vigil's Leetspeak. */
        v16 is_leet = (digit & ~eq(v, '6')) | at | dollar | bang | eq(v, '|') | eq(v, '+');
        v16 is_spelled = is_letter | digit | at | dollar | bang;
        v16 is_space = eq(v, ' ');
        v16 is_x = eq(l, 'x'), is_h = eq(l, 'h');
        v16 l1 = BEFORE(last_l, l, 1), l2 = BEFORE(last_l, l, 2);
        v16 letter1 = BEFORE(last_letter, is_letter, 1);
        v16 leet1 = BEFORE(last_leet, is_leet, 1);
        v16 spelled1 = BEFORE(last_spelled, is_spelled, 1), spelled3 = BEFORE(last_spelled, is_spelled, 3),
            spelled4 = BEFORE(last_spelled, is_spelled, 4);

        /* Signed, bytes below 0x20 and from 0x80 up are both below 0x20. */
        special |= (mask((v16)((s16)v < (s16)splat(0x20))) | eq(v, 0x7F) | eq(v, '[') | eq(v, '(') | eq(v, '{')
                    | eq(v, '`') | (is_space & BEFORE(last_space, is_space, 1))) & valid;
        uint16_t repeats = lane_bits(is_letter & mask(l == l1) & valid);
        uint16_t pairs = lane_bits(((is_leet & letter1) | (is_letter & leet1)) & valid);
        repeated_at[i / 16] = repeats;
        leet_at[i / 16] = pairs;
        repeated |= repeats;
        leet_adjacent |= pairs;
        /* One spelled character between two equal separators, after another single one: the
           necessary condition for three spaced-out letters. Separators are not letters, so the
           lowered bytes compare as the bytes. */
        spacing |= separator(v) & mask(l == l2) & spelled1 & spelled3 & ~spelled4 & valid;
        hxx |= is_x & BEFORE(last_x, is_x, 1) & BEFORE(last_h, is_h, 2) & valid;
        protect |= (eq(v, '/') | at | eq(v, '.')) & valid;
        /* Only runs crossing a block boundary can reach 16 bytes: the first and last space of a
           block are all that matter. */
        uint16_t spaces = lane_bits(is_space & valid);
        if (!spaces) {
            run += count;
        } else {
            size_t gap = run + (size_t)__builtin_ctz(spaces);
            if (gap > longest) longest = gap;
            run = count - 1 - (size_t)(31 - __builtin_clz((unsigned)spaces));
        }
        last_l = l;
        last_letter = is_letter;
        last_leet = is_leet;
        last_spelled = is_spelled;
        last_x = is_x;
        last_h = is_h;
        last_space = is_space;
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
