#include "vigil_icu.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/uversion.h>

#include <pthread.h>
#include <stdio.h>

static const UNormalizer2 *nfkc_cf;
static const UNormalizer2 *nfd;
static USpoofChecker *spoof;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_icu(void) {
    UErrorCode err = U_ZERO_ERROR;
    nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
    err = U_ZERO_ERROR;
    nfd = unorm2_getNFDInstance(&err);
    err = U_ZERO_ERROR;
    spoof = uspoof_open(&err);
    if (U_FAILURE(err)) spoof = NULL;
}

// UTF-16 buffer -> code points; returns count or -1 on overflow.
static int32_t to_scalars(const UChar *s, int32_t n, uint32_t *out, int32_t cap) {
    int32_t i = 0, count = 0;
    while (i < n) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        if (count >= cap) return -1;
        out[count++] = (uint32_t)c;
    }
    return count;
}

int32_t vi_fold_scalar(uint32_t c, uint32_t *out, int32_t cap) {
    pthread_once(&once, init_icu);
    UChar src[2], folded[64], decomposed[128];
    int32_t srcLen = 0;
    UBool bad = 0;
    U16_APPEND(src, srcLen, 2, (UChar32)c, bad);
    if (bad) return -1;
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = unorm2_normalize(nfkc_cf, src, srcLen, folded, 64, &err);
    if (U_FAILURE(err)) return -1;
    err = U_ZERO_ERROR;
    int32_t m = unorm2_normalize(nfd, folded, n, decomposed, 128, &err);
    if (U_FAILURE(err)) return -1;
    return to_scalars(decomposed, m, out, cap);
}

int32_t vi_skeleton_scalar(uint32_t c, uint32_t *out, int32_t cap) {
    pthread_once(&once, init_icu);
    if (!spoof) return -1;
    UChar src[2], skel[64];
    int32_t srcLen = 0;
    UBool bad = 0;
    U16_APPEND(src, srcLen, 2, (UChar32)c, bad);
    if (bad) return -1;
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = uspoof_getSkeleton(spoof, 0, src, srcLen, skel, 64, &err);
    if (U_FAILURE(err)) return -1;
    return to_scalars(skel, n, out, cap);
}

int32_t vi_general_category(uint32_t c) { return (int32_t)u_charType((UChar32)c); }

int32_t vi_script(uint32_t c) {
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode s = uscript_getScript((UChar32)c, &err);
    return U_FAILURE(err) ? -1 : (int32_t)s;
}

int32_t vi_combining_class(uint32_t c) { return (int32_t)u_getCombiningClass((UChar32)c); }

int32_t vi_digit_value(uint32_t c) { return (int32_t)u_charDigitValue((UChar32)c); }

int32_t vi_build_fold_table(uint32_t *index, uint32_t limit, uint32_t *pool, int32_t poolCap) {
    pthread_once(&once, init_icu);
    int32_t used = 0;
    UChar decomposition[8];
    for (uint32_t c = 0; c < limit; c++) {
        index[c] = 0xFFFFFFFFu;
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        UErrorCode err = U_ZERO_ERROR;
        // Only code points that NFKC_Casefold changes or NFD decomposes need an entry.
        int changes = u_hasBinaryProperty((UChar32)c, UCHAR_CHANGES_WHEN_NFKC_CASEFOLDED);
        int decomposes = unorm2_getDecomposition(nfd, (UChar32)c, decomposition, 8, &err) > 0;
        if (!changes && !decomposes) continue;
        uint32_t out[32];
        int32_t n = vi_fold_scalar(c, out, 32);
        if (n < 0) continue;
        if (n == 1 && out[0] == c) continue;
        if (used + n > poolCap) return -1;
        for (int32_t k = 0; k < n; k++) pool[used + k] = out[k];
        index[c] = ((uint32_t)used << 8) | (uint32_t)n;
        used += n;
    }
    return used;
}

const char *vi_icu_version(void) { return U_ICU_VERSION; }
