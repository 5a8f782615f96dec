#ifndef CTEXTSCAN_H
#define CTEXTSCAN_H
#include <stddef.h>
#include <stdint.h>

/* What one pass over a text found: each field is non-zero if some byte has the property. */
typedef struct {
    uint8_t special;        /* not printable ASCII with single spaces: controls, bytes >= 0x7F,
                               [ ( { `, two spaces in a row */
    uint8_t repeated;       /* a letter right after the same letter (case-insensitive) */
    uint8_t leet_adjacent;  /* maybe a leetspeak word (see leet_at) */
    uint8_t spacing;        /* spaced-out letters the deobf view joins: x.y.z, three single
                               characters with one separator */
    uint8_t hxx;            /* "hxx": maybe a defanged scheme */
    uint8_t protect;        /* / @ www: maybe a URL or a handle */
    uint32_t longest_run;   /* the most bytes in a row without a space when that is 16 or more;
                               below 16, only that the longest run is shorter than 16 */
    uint8_t other_special;  /* special for a reason other than a byte >= 0x80 */
    uint8_t stopped;        /* the scan stopped early (see stop_at_special) */
    uint32_t high_bytes;    /* how many bytes are >= 0x80 */
} vts_summary;

/* Scans the n bytes at src 16 or 32 at a time (32 with AVX2), writing them lowercased (A-Z only)
   to out, which must have room for n rounded up to a multiple of 32. Vigil's normalizer uses the
   summary to decide whether a text can take its simplest path. For each 16 bytes, bit k of
   repeated_at[b] marks byte 16 * b + k as the second of a repeated letter, and of leet_at[b] as a
   byte every leetspeak word holds one of: a letter right after a leetspeak symbol (a digit but 6,
   @ $ ! | +), or a symbol other than ! | + right after a letter or symbol (both arrays:
   (n + 31) / 32 * 2 entries). With stop_at_special > 0, it stops at the first block that is
   special for another reason than bytes >= 0x80, or once it has seen stop_at_special such bytes
   or they are more than a third of the bytes read, and reports only that it stopped (the other
   fields and the outputs are then incomplete): 1 stops at anything not simple. Thread-safe. */
void vts_scan_simple(const uint8_t *src, size_t n, uint8_t *out, vts_summary *summary,
                     uint16_t *repeated_at, uint16_t *leet_at, int stop_at_special);

/* The same, 16 bytes at a time on any processor: what vts_scan_simple does without AVX2 (tests
   compare the two). */
void vts_scan_simple_portable(const uint8_t *src, size_t n, uint8_t *out, vts_summary *summary,
                              uint16_t *repeated_at, uint16_t *leet_at, int stop_at_special);
#endif
