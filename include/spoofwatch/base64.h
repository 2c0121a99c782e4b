/* The base64 alphabet (RFC 4648 §4), shared by every decoder: RFC 2047 B-words, DKIM and ARC
 * tags and keys, MIME bodies. Each decoder keeps its own rules for padding and junk; this is
 * only the value of one character. */
#ifndef SPOOFWATCH_BASE64_H
#define SPOOFWATCH_BASE64_H

/* 0..63 for a base64 character, -1 for anything else. */
static inline int sw_base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

#endif
