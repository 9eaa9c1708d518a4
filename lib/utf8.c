/* UTF-8; see utf8.h. */
#include "lib/utf8.h"

#include <stdbool.h>

#include "lib/ds.h"

void
utf8_put(struct ds *out, unsigned int cp)
{
    if (cp < 0x80) {
        ds_put_char(out, cp);
    } else if (cp < 0x800) {
        ds_put_char(out, 0xc0 | (cp >> 6));
        ds_put_char(out, 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        ds_put_char(out, 0xe0 | (cp >> 12));
        ds_put_char(out, 0x80 | ((cp >> 6) & 0x3f));
        ds_put_char(out, 0x80 | (cp & 0x3f));
    } else {
        ds_put_char(out, 0xf0 | (cp >> 18));
        ds_put_char(out, 0x80 | ((cp >> 12) & 0x3f));
        ds_put_char(out, 0x80 | ((cp >> 6) & 0x3f));
        ds_put_char(out, 0x80 | (cp & 0x3f));
    }
}

/* Returns the number of bytes of the sequence that 'lead' starts and
 * stores the range that its second byte must fall in, or returns 0 if
 * 'lead' cannot start a sequence. */
static int
utf8_sequence_length(unsigned char lead, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
        return 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        *lo = lead == 0xe0 ? 0xa0 : 0x80;
        *hi = lead == 0xed ? 0x9f : 0xbf;
        return 3;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        *lo = lead == 0xf0 ? 0x90 : 0x80;
        *hi = lead == 0xf4 ? 0x8f : 0xbf;
        return 4;
    } else {
        return 0;
    }
}

char *
utf8_check(const char *s_)
{
    const unsigned char *s = (const unsigned char *) s_;

    for (size_t i = 0; s[i];) {
        unsigned char lo, hi;
        int n = utf8_sequence_length(s[i], &lo, &hi);
        int bad = n ? -1 : 0; /* Index in the sequence of the bad byte. */
        for (int j = 1; j < n && bad < 0; j++) {
            unsigned char c = s[i + j];
            if (c < lo || c > hi) {
                bad = j;
            }
            lo = 0x80;
            hi = 0xbf;
        }
        if (bad >= 0) {
            struct ds ds = DS_EMPTY_INITIALIZER;
            ds_put_cstr(&ds, "invalid UTF-8 sequence");
            for (int j = 0; j <= bad; j++) {
                ds_put_format(&ds, " 0x%02x", s[i + j]);
            }
            return ds_steal_cstr(&ds);
        }
        i += n;
    }
    return NULL;
}
