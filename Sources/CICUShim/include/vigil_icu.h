#ifndef VIGIL_ICU_H
#define VIGIL_ICU_H
// Plain C face of the ICU calls the normalizer needs: ICU renames its symbols per version with
// macros, which Swift cannot see through, so these wrappers give them stable names.
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// NFKC_Casefold of one code point, then canonically decomposed (NFD), into `out`.
/// Returns the number of code points written (0 for default-ignorables), or -1 if `cap` is too small.
int32_t vi_fold_scalar(uint32_t c, uint32_t *out, int32_t cap);

/// UTS #39 confusable skeleton of one code point into `out`; returns the count or -1.
int32_t vi_skeleton_scalar(uint32_t c, uint32_t *out, int32_t cap);

/// ICU general category (UCharCategory).
int32_t vi_general_category(uint32_t c);

/// ICU script code (UScriptCode) of a code point.
int32_t vi_script(uint32_t c);

/// Canonical combining class.
int32_t vi_combining_class(uint32_t c);

/// Decimal digit value (0-9) of a decimal-digit code point, or -1.
int32_t vi_digit_value(uint32_t c);

/// Fills the fold table for code points below `limit`: for each code point c, `index[c]` is
/// 0xFFFFFFFF when c folds to itself, else (offset << 8 | count) into `pool` (count 0 = removed).
/// Returns the pool length used, or -1 if `poolCap` is too small.
int32_t vi_build_fold_table(uint32_t *index, uint32_t limit, uint32_t *pool, int32_t poolCap);

/// The ICU version string, for diagnostics.
const char *vi_icu_version(void);

#ifdef __cplusplus
}
#endif
#endif
