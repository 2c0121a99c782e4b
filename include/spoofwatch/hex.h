/* Hex digits as the text decoders read them (quoted-printable, %xx, dkim-quoted-printable,
 * IPv6 groups): either case, ASCII only. Owns nothing. */
#ifndef SPOOFWATCH_HEX_H
#define SPOOFWATCH_HEX_H

/* Value of the hex digit c, or -1 when c is not one. */
static inline int sw_hex_value(unsigned char c)
{
    if ((unsigned)(c - '0') < 10)
        return c - '0';
    c |= 0x20; /* 'A'-'F' to 'a'-'f'; no other byte lands in 'a'-'f' */
    if ((unsigned)(c - 'a') < 6)
        return c - 'a' + 10;
    return -1;
}

#endif
