/* The body of the simple-path scan for one vector width, included by scan.c once per width.
   Expects VTS_WIDTH (16 or 32), VTS_VEC and VTS_SVEC (unsigned and signed vector types of that
   width), VTS_BITS (an unsigned integer of VTS_WIDTH bits), VTS_LANE_BITS(m), VTS_BEFORE(prev,
   cur, k), VTS_NAME, VTS_TARGET and VTS_LINKAGE. */

#define EQ(v, b) ((VTS_VEC)((v) == (uint8_t)(b)))
#define IN_RANGE(v, lo, count) ((VTS_VEC)((VTS_VEC)((v) - (uint8_t)(lo)) < (uint8_t)(count)))
#define ANY(v) vts_any((const uint8_t *)&(v), sizeof(v))

VTS_TARGET VTS_LINKAGE void VTS_NAME(const uint8_t *src, size_t n, uint8_t *out, vts_summary *summary,
                                uint16_t *repeated_at, uint16_t *leet_at, int stop_at_special) {
    const VTS_VEC zero = {0};
    VTS_VEC other_special = zero, spacing = zero, hxx = zero, protect = zero;
    VTS_BITS repeated = 0, leet_adjacent = 0;
    uint32_t high_bytes = 0;
    size_t run = 0, longest = 0;
    int separator_pairs_before = 0;
    VTS_VEC lanes;
    for (int k = 0; k < VTS_WIDTH; k++) lanes[k] = (uint8_t)k;
    /* Each class of the previous block, for the lanes that look back (zero before the text). */
    VTS_VEC last_l = zero, last_letter = zero, last_leet = zero, last_spelled = zero, last_x = zero, last_h = zero,
            last_space = zero, last_separator = zero, last_w = zero;
    /* Three single spelled characters with the same separator sequence of one to three bytes
       between them (x.y.z, x. y. z, x - y - z), seen from the byte after the third, which must
       not be spelled either: exactly when the deobf view would join them (Normalizer's
       spacedOutRun). Separators are not letters, so the lowered bytes compare as the bytes. */
#define B(last, now, k) VTS_BEFORE(last, now, (k))
#define SAME(l_now, k1, k2) (VTS_VEC)(B(last_l, l_now, k1) == B(last_l, l_now, k2))
#define SPACED_OUT_BY(spelled_now, l_now, separator_now, m) \
    (~(spelled_now) & B(last_spelled, spelled_now, 1) & B(last_spelled, spelled_now, 2 + (m)) \
     & B(last_spelled, spelled_now, 3 + 2 * (m)) & ~B(last_spelled, spelled_now, 4 + 2 * (m)))
#define SPACED_OUT(spelled_now, l_now, separator_now) \
    (SPACED_OUT_BY(spelled_now, l_now, separator_now, 1) & B(last_separator, separator_now, 2) & SAME(l_now, 2, 4))
    /* Sequences of two and three separators: looked for only near two separators in a row. */
#define SPACED_OUT_LONG(spelled_now, l_now, separator_now) \
    ((SPACED_OUT_BY(spelled_now, l_now, separator_now, 2) & B(last_separator, separator_now, 2) \
        & B(last_separator, separator_now, 3) & SAME(l_now, 2, 5) & SAME(l_now, 3, 6)) \
     | (SPACED_OUT_BY(spelled_now, l_now, separator_now, 3) & B(last_separator, separator_now, 2) \
        & B(last_separator, separator_now, 3) & B(last_separator, separator_now, 4) & SAME(l_now, 2, 6) & SAME(l_now, 3, 7) & SAME(l_now, 4, 8)))
    for (size_t i = 0; i < n; i += VTS_WIDTH) {
        size_t count = n - i < VTS_WIDTH ? n - i : VTS_WIDTH;
        VTS_VEC v, valid = zero + 0xFF, at_or_after_end = valid;
        if (count == VTS_WIDTH) {
            memcpy(&v, src + i, VTS_WIDTH);
        } else {
            uint8_t padded[VTS_WIDTH] = {0};
            memcpy(padded, src + i, count);
            memcpy(&v, padded, VTS_WIDTH);
            valid = (VTS_VEC)(lanes < (uint8_t)count);
            at_or_after_end = (VTS_VEC)(lanes <= (uint8_t)count);
        }
        VTS_VEC l = v | (IN_RANGE(v, 'A', 26) & 0x20);
        memcpy(out + i, &l, VTS_WIDTH);
        VTS_VEC digit = IN_RANGE(v, '0', 10), at = EQ(v, '@'), dollar = EQ(v, '$'), bang = EQ(v, '!');
        VTS_VEC is_letter = IN_RANGE(l, 'a', 26);
        /* The symbols leetspeak uses for letters (every digit but 6, @ $ ! | +), as Vigil's Leetspeak. */
        VTS_VEC is_leet_inner = (digit & ~EQ(v, '6')) | at | dollar;
        VTS_VEC is_leet = is_leet_inner | bang | EQ(v, '|') | EQ(v, '+');
        VTS_VEC is_spelled = is_letter | digit | at | dollar | bang;
        VTS_VEC is_space = EQ(v, ' ');
        VTS_VEC is_separator = is_space | EQ(v, '.') | EQ(v, '-') | EQ(v, '_') | EQ(v, '*') | EQ(v, '/') | EQ(v, '|')
                               | EQ(v, '~') | EQ(v, '+');
        VTS_VEC is_x = EQ(l, 'x'), is_h = EQ(l, 'h');
        VTS_VEC l1 = VTS_BEFORE(last_l, l, 1), l2 = VTS_BEFORE(last_l, l, 2);
        VTS_VEC letter1 = VTS_BEFORE(last_letter, is_letter, 1);
        VTS_VEC leet1 = VTS_BEFORE(last_leet, is_leet, 1);

        other_special |= ((VTS_VEC)(v < (uint8_t)0x20) | EQ(v, 0x7F) | EQ(v, '[') | EQ(v, '(') | EQ(v, '{') | EQ(v, '`')
                          | (is_space & VTS_BEFORE(last_space, is_space, 1))) & valid;
        /* Signed, bytes from 0x80 up are negative. */
        high_bytes += (uint32_t)__builtin_popcountll((uint64_t)VTS_LANE_BITS((VTS_VEC)((VTS_SVEC)v < 0) & valid));
        if (stop_at_special && (ANY(other_special) || high_bytes >= (uint32_t)stop_at_special || 3 * high_bytes > i + count)) {
            memset(summary, 0, sizeof *summary);
            summary->special = 1;
            summary->stopped = 1;
            return;
        }
        VTS_BITS repeats = VTS_LANE_BITS(is_letter & (VTS_VEC)(l == l1) & valid);
        /* Where a leetspeak word may be: a letter right after a symbol, or a symbol that can be
           inside a word (not ! | +, which end words: join!!) right after a letter or symbol. Every
           leetspeak word holds one of these; "join!" holds none. */
        VTS_BITS pairs = VTS_LANE_BITS(((is_leet_inner & (letter1 | leet1)) | (is_letter & leet1)) & valid);
        for (int half = 0; half < VTS_WIDTH / 16; half++) {
            repeated_at[i / 16 + half] = (uint16_t)(repeats >> (16 * half));
            leet_at[i / 16 + half] = (uint16_t)(pairs >> (16 * half));
        }
        repeated |= repeats;
        leet_adjacent |= pairs;
        spacing |= SPACED_OUT(is_spelled, l, is_separator) & at_or_after_end;
        VTS_VEC pairs_here = is_separator & B(last_separator, is_separator, 1) & valid;
        int separator_pairs = ANY(pairs_here);
        if (separator_pairs || separator_pairs_before) spacing |= SPACED_OUT_LONG(is_spelled, l, is_separator) & at_or_after_end;
        separator_pairs_before = separator_pairs;
        hxx |= is_x & VTS_BEFORE(last_x, is_x, 1) & VTS_BEFORE(last_h, is_h, 2) & valid;
        /* A chunk is a URL or a handle only with a slash, an @ or a leading www. */
        VTS_VEC is_w = EQ(l, 'w');
        protect |= (EQ(v, '/') | at | (is_w & VTS_BEFORE(last_w, is_w, 1) & VTS_BEFORE(last_w, is_w, 2))) & valid;
        /* Only runs crossing a 16-byte boundary can reach 16 bytes: the first and last space of
           each 16 bytes are all that matter. */
        VTS_BITS spaces = VTS_LANE_BITS(is_space & valid);
        for (size_t half = 0; half * 16 < count; half++) {
            uint32_t here = (uint32_t)(spaces >> (16 * half)) & 0xFFFF;
            size_t width = count - half * 16 < 16 ? count - half * 16 : 16;
            if (!here) {
                run += width;
            } else {
                size_t gap = run + (size_t)__builtin_ctz(here);
                if (gap > longest) longest = gap;
                run = width - 1 - (size_t)(31 - __builtin_clz(here));
            }
        }
        last_l = l;
        last_letter = is_letter;
        last_leet = is_leet;
        last_spelled = is_spelled;
        last_x = is_x;
        last_h = is_h;
        last_space = is_space;
        last_separator = is_separator;
        last_w = is_w;
    }
    if (n > 0 && n % VTS_WIDTH == 0) {
        /* Spaced-out letters that end the text are seen from the byte after it. */
        VTS_VEC end_lane = zero;
        end_lane[0] = 0xFF;
        spacing |= SPACED_OUT(zero, zero, zero) & end_lane;
        if (separator_pairs_before) spacing |= SPACED_OUT_LONG(zero, zero, zero) & end_lane;
    }
    if (run > longest) longest = run;
    summary->longest_run = (uint32_t)longest;
    summary->other_special = ANY(other_special);
    summary->high_bytes = high_bytes;
    summary->stopped = 0;
    summary->special = summary->other_special || high_bytes > 0;
    summary->repeated = repeated != 0;
    summary->leet_adjacent = leet_adjacent != 0;
    summary->spacing = ANY(spacing);
    summary->hxx = ANY(hxx);
    summary->protect = ANY(protect);
}

#undef EQ
#undef IN_RANGE
#undef ANY
#undef SPACED_OUT
#undef SPACED_OUT_LONG
#undef SPACED_OUT_BY
#undef SAME
#undef B
