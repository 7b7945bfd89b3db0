/*
 * The "tokens" stage: splits the title and the body of an article into
 * tokens and sentences for English news text.
 *
 * One field is tokenised in three steps, all in this file:
 *  1. decode: the UTF-8 text is validated and decoded once (ASCII fast
 *     path, utf8proc_iterate otherwise) into per code point arrays: the
 *     code point, its byte offset and a coarse class from
 *     utf8proc_category();
 *  2. scan: white space cuts the text into chunks; a URL or e-mail address
 *     in a chunk is one token; the rest is cut into words and punctuation,
 *     with hyphens, apostrophes, decimal points and the like glued inside
 *     words, abbreviation periods kept, and clitics ('s, n't, ...) split
 *     off;
 *  3. sentences: a line break always starts a sentence; . ! ? and the
 *     ellipsis end one when, after any closing quotes or brackets, white
 *     space and an upper-case letter, a digit or an opening quote or
 *     bracket follow.  A period kept on an abbreviation ends a sentence
 *     only before a common sentence opener ("U.S. The ..."), and never
 *     after titles such as "Gen." or "Mr.".
 *
 * Tokens, sentences and the norm strings are allocated in the arena;
 * the per code point arrays are one malloc'd block freed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ink/stage.h"
#include "ink/text.h"

/*---- Code point classes --------------------------------------------------*/

enum {
        CL_SPACE = 0,   /* white space, control characters */
        CL_NL,          /* line and paragraph breaks */
        CL_LOWER,       /* Ll */
        CL_UPPER,       /* Lu, Lt */
        CL_LETTER,      /* Lm, Lo */
        CL_DIGIT,       /* Nd, Nl, No */
        CL_MARK,        /* Mn, Mc, Me */
        CL_OTHER,       /* Cf, Co, unassigned: kept inside words */
        CL_PUNCT        /* P*, S* */
};

#define IS_WS(c)    ((c) <= CL_NL)
#define IS_WORD(c)  ((c) >= CL_LOWER && (c) <= CL_OTHER)
#define IS_ALPHA(c) ((c) >= CL_LOWER && (c) <= CL_LETTER)
#define IS_ALNUM(c) ((c) >= CL_LOWER && (c) <= CL_DIGIT)

/* The classes of the 128 ASCII code points (the same answers
 * unicode_class() gives, without the lookup). */
static const uint8_t ascii_cls[128] = {
        [0 ... '\t'] = CL_SPACE,
        ['\n' ... '\r'] = CL_NL,
        ['\r' + 1 ... ' '] = CL_SPACE,
        ['!' ... '/'] = CL_PUNCT,
        ['0' ... '9'] = CL_DIGIT,
        [':' ... '@'] = CL_PUNCT,
        ['A' ... 'Z'] = CL_UPPER,
        ['[' ... '`'] = CL_PUNCT,
        ['a' ... 'z'] = CL_LOWER,
        ['{' ... '~'] = CL_PUNCT,
        [127] = CL_SPACE,
};

/* Maps a non-ASCII code point to its class through its Unicode general
 * category.  Zero-width spaces and the BOM count as white space. */
static uint8_t unicode_class(utf8proc_int32_t cp) {
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LT:
                return CL_UPPER;
        case UTF8PROC_CATEGORY_LL:
                return CL_LOWER;
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
                return CL_LETTER;
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
                return CL_MARK;
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
                return CL_DIGIT;
        case UTF8PROC_CATEGORY_PC:
        case UTF8PROC_CATEGORY_PD:
        case UTF8PROC_CATEGORY_PS:
        case UTF8PROC_CATEGORY_PE:
        case UTF8PROC_CATEGORY_PI:
        case UTF8PROC_CATEGORY_PF:
        case UTF8PROC_CATEGORY_PO:
        case UTF8PROC_CATEGORY_SM:
        case UTF8PROC_CATEGORY_SC:
        case UTF8PROC_CATEGORY_SK:
        case UTF8PROC_CATEGORY_SO:
                return CL_PUNCT;
        case UTF8PROC_CATEGORY_ZS:
                return CL_SPACE;
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
                return CL_NL;
        case UTF8PROC_CATEGORY_CC:
                return cp == 0x85 ? CL_NL : CL_SPACE;
        case UTF8PROC_CATEGORY_CF:
                if (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF)
                        return CL_SPACE;
                return CL_OTHER;
        default:
                return CL_OTHER;
        }
}

/* @returns the ASCII punctuation that \p cp folds to in norms (curly
 * quotes, primes and dashes), or \p cp itself. */
static inline utf8proc_int32_t fold_cp(utf8proc_int32_t cp) {
        switch (cp) {
        case 0x2018: case 0x2019: case 0x201B: case 0x2032:
                return '\'';
        case 0x201C: case 0x201D: case 0x201E: case 0x2033:
                return '"';
        case 0x2012: case 0x2013: case 0x2014: case 0x2015:
                return '-';
        default:
                return cp;
        }
}

static inline bool is_apos(utf8proc_int32_t cp) {
        return cp == '\'' || cp == 0x2019;
}

/* Opening quotes and brackets (also the ASCII quotes, which may open). */
static inline bool is_opener(utf8proc_int32_t cp) {
        switch (cp) {
        case '(': case '[': case '{': case '<': case '"': case '\'':
        case 0x2018: case 0x201C: case 0x00AB:
                return true;
        default:
                return false;
        }
}

static inline utf8proc_int32_t ascii_lower(utf8proc_int32_t c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*---- Abbreviations --------------------------------------------------------*/

enum {
        ABBR_NONE = 0,
        ABBR_TITLE,     /* precedes a name: never ends a sentence */
        ABBR_NUMBER,    /* "No.": an abbreviation only before a number */
        ABBR_END        /* may end a sentence (before a sentence opener) */
};

#define A(w, kind) {w, sizeof(w) - 1, kind}
static const struct {
        const char *w;
        uint8_t len;
        uint8_t kind;
} abbrevs[] = {
        /* titles, ranks and offices */
        A("Mr", ABBR_TITLE), A("Mrs", ABBR_TITLE), A("Ms", ABBR_TITLE),
        A("Mx", ABBR_TITLE), A("Messrs", ABBR_TITLE), A("Dr", ABBR_TITLE),
        A("Prof", ABBR_TITLE), A("Rev", ABBR_TITLE), A("Hon", ABBR_TITLE),
        A("Pres", ABBR_TITLE), A("Gov", ABBR_TITLE), A("Sen", ABBR_TITLE),
        A("Sens", ABBR_TITLE), A("Rep", ABBR_TITLE), A("Reps", ABBR_TITLE),
        A("Amb", ABBR_TITLE), A("Atty", ABBR_TITLE), A("Supt", ABBR_TITLE),
        A("Lt", ABBR_TITLE), A("Gen", ABBR_TITLE), A("Gens", ABBR_TITLE),
        A("Col", ABBR_TITLE), A("Maj", ABBR_TITLE), A("Capt", ABBR_TITLE),
        A("Cmdr", ABBR_TITLE), A("Cdr", ABBR_TITLE), A("Adm", ABBR_TITLE),
        A("Brig", ABBR_TITLE), A("Sgt", ABBR_TITLE), A("Cpl", ABBR_TITLE),
        A("Pvt", ABBR_TITLE), A("Msgr", ABBR_TITLE), A("St", ABBR_TITLE),
        A("Mt", ABBR_TITLE), A("Ft", ABBR_TITLE),
        /* Latin and others that precede what they qualify */
        A("vs", ABBR_TITLE), A("e.g", ABBR_TITLE), A("i.e", ABBR_TITLE),
        A("cf", ABBR_TITLE), A("viz", ABBR_TITLE), A("approx", ABBR_TITLE),
        A("Fig", ABBR_TITLE), A("No", ABBR_NUMBER), A("Nos", ABBR_NUMBER),
        A("no", ABBR_NUMBER),
        /* may stand at the end of a sentence */
        A("Jr", ABBR_END), A("Sr", ABBR_END), A("Inc", ABBR_END),
        A("Corp", ABBR_END), A("Ltd", ABBR_END), A("Co", ABBR_END),
        A("Cos", ABBR_END), A("Bros", ABBR_END), A("etc", ABBR_END),
        A("al", ABBR_END), A("Ph.D", ABBR_END), A("Dept", ABBR_END),
        A("Univ", ABBR_END), A("Assn", ABBR_END), A("Ave", ABBR_END),
        A("Blvd", ABBR_END), A("Rd", ABBR_END),
        A("Jan", ABBR_END), A("Feb", ABBR_END), A("Mar", ABBR_END),
        A("Apr", ABBR_END), A("Jun", ABBR_END), A("Jul", ABBR_END),
        A("Aug", ABBR_END), A("Sep", ABBR_END), A("Sept", ABBR_END),
        A("Oct", ABBR_END), A("Nov", ABBR_END), A("Dec", ABBR_END),
        A("Ala", ABBR_END), A("Ariz", ABBR_END), A("Ark", ABBR_END),
        A("Calif", ABBR_END), A("Colo", ABBR_END), A("Conn", ABBR_END),
        A("Fla", ABBR_END), A("Ga", ABBR_END), A("Kan", ABBR_END),
        A("Ky", ABBR_END), A("Md", ABBR_END), A("Mich", ABBR_END),
        A("Minn", ABBR_END), A("Neb", ABBR_END), A("Nev", ABBR_END),
        A("Okla", ABBR_END), A("Pa", ABBR_END), A("Tenn", ABBR_END),
        A("Va", ABBR_END), A("Vt", ABBR_END), A("Wis", ABBR_END),
        A("Wyo", ABBR_END),
};
#undef A

/* Words that commonly open a sentence: after a period kept on an
 * ABBR_END abbreviation ("in the U.S. The ..."), a sentence ends only
 * before one of these (or an opening quote). */
static const char *const openers[] = {
        "The", "A", "An", "He", "She", "It", "They", "We", "I", "You",
        "But", "And", "Or", "So", "Yet", "In", "On", "At", "As", "By",
        "For", "From", "To", "With", "After", "Before", "When", "While",
        "If", "Although", "Though", "Since", "Because", "During",
        "Despite", "This", "That", "These", "Those", "There", "Here",
        "His", "Her", "Its", "Their", "Our", "My", "However", "Meanwhile",
        "Also", "Still", "Then", "Now", "Later", "Earlier", "Last",
        "Some", "Many", "Most", "Both", "Such", "What", "Why", "How",
        "Who", "Where", "According", "Officials", "Instead", "Yes",
};

/* @returns the ABBR_* kind of the ASCII word \p w (\p n bytes, without
 * its period): a listed abbreviation, a single capital initial ("J"), or
 * single letters joined by periods ("U.S", "a.m"). */
static int abbrev_kind(const char *w, size_t n) {
        for (size_t i = 0; i < sizeof(abbrevs) / sizeof(abbrevs[0]); i++)
                if (abbrevs[i].len == n &&
                    memcmp(abbrevs[i].w, w, n) == 0)
                        return abbrevs[i].kind;
        if (n == 1)
                return w[0] >= 'A' && w[0] <= 'Z' ? ABBR_END : ABBR_NONE;
        if (n < 3 || n % 2 == 0)
                return ABBR_NONE;
        for (size_t i = 0; i < n; i++) {
                char c = w[i];
                bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                if (i % 2 == 0 ? !letter : c != '.')
                        return ABBR_NONE;
        }
        return ABBR_END;
}

/*---- Tokenizer state -----------------------------------------------------*/

typedef struct tk_s {
        ink_arena_t *arena;
        const char *s;
        size_t len;
        ink_field_t field;
        utf8proc_int32_t *cp;   /* code points [0, n) */
        uint32_t *off;          /* byte offset of each, off[n] == len */
        uint8_t *cls;           /* CL_* of each */
        size_t n;
        ink_tokens_t *tt;
        size_t t0;              /* first token of this field */
        bool gap_ws, gap_nl;    /* white space / line break since the
                                 * last token */
        char *pool;             /* norm strings are carved from here */
        size_t pool_left;
} tk_t;

#define NORM_POOL (16 * 1024)

/* @returns room for \p need bytes of norm strings (arena); the caller
 * then takes what it used with pool_take(). */
static char *pool_reserve(tk_t *tk, size_t need) {
        if (tk->pool_left < need) {
                /* Pools of a quarter of an arena chunk: the norms take
                 * about the text's bytes plus a NUL per token, and the
                 * unused tail of the last pool stays small. */
                size_t sz = NORM_POOL;
                if (sz < need)
                        sz = need;
                tk->pool = ink_arena_alloc(tk->arena, sz);
                tk->pool_left = sz;
        }
        return tk->pool;
}

static void pool_take(tk_t *tk, size_t used) {
        tk->pool += used;
        tk->pool_left -= used;
}

/* @returns the UTF-8 encoding of the folded \p cps (\p m code points) as
 * a NUL-terminated arena string. */
static const char *encode_folded(tk_t *tk, const utf8proc_int32_t *cps,
                                 size_t m) {
        char *d = pool_reserve(tk, 4 * m + 1);
        size_t k = 0;
        for (size_t i = 0; i < m; i++)
                k += (size_t)utf8proc_encode_char(fold_cp(cps[i]),
                                                  (utf8proc_uint8_t *)d + k);
        d[k] = '\0';
        pool_take(tk, k + 1);
        return d;
}

/* @returns the norm of code points [a, b): NFC with quotes and dashes
 * folded, as a NUL-terminated arena string.  ASCII is copied as is.
 * Code points below U+0300 and in General Punctuation (U+2010..U+206F)
 * are unchanged by NFC (they neither decompose canonically nor compose
 * with a preceding character), so a token made only of them skips the
 * normaliser. */
static const char *make_norm(tk_t *tk, size_t a, size_t b) {
        const char *src = tk->s + tk->off[a];
        size_t nbytes = tk->off[b] - tk->off[a];
        const utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
        utf8proc_int32_t sbuf[64], *buf = sbuf;
        utf8proc_ssize_t m;
        const char *norm;
        bool need_nfc = false;

        if (nbytes == b - a) {
                char *d = pool_reserve(tk, nbytes + 1);
                memcpy(d, src, nbytes);
                d[nbytes] = '\0';
                pool_take(tk, nbytes + 1);
                return d;
        }
        for (size_t i = a; i < b && !need_nfc; i++) {
                utf8proc_int32_t c = tk->cp[i];
                need_nfc = c >= 0x300 && !(c >= 0x2010 && c < 0x2070);
        }
        if (!need_nfc)
                return encode_folded(tk, tk->cp + a, b - a);

        m = utf8proc_decompose((const utf8proc_uint8_t *)src,
                               (utf8proc_ssize_t)nbytes, buf, 64, opts);
        if (m > 64) {
                buf = ink_malloc((size_t)m * sizeof(*buf));
                m = utf8proc_decompose((const utf8proc_uint8_t *)src,
                                       (utf8proc_ssize_t)nbytes, buf, m,
                                       opts);
        }
        INK_ASSERT(m >= 0); /* the text was validated when decoded */
        m = utf8proc_normalize_utf32(buf, m, opts);
        INK_ASSERT(m >= 0);
        norm = encode_folded(tk, buf, (size_t)m);
        if (buf != sbuf)
                free(buf);
        return norm;
}

/* @returns a new token slot at the end of the token array, which grows
 * by half each time (a big array is remapped, not copied, by
 * ink_arena_grow, and trimmed to size by tokens_run). */
static ink_token_t *tok_push(tk_t *tk) {
        ink_tokens_t *tt = tk->tt;
        if (tt->ntoks == tt->toks_cap) {
                size_t cap = tt->toks_cap ? tt->toks_cap + tt->toks_cap / 2
                                          : 64;
                tt->toks = ink_arena_grow(tk->arena, tt->toks, tt->ntoks,
                                          cap, sizeof(*tt->toks));
                tt->toks_cap = cap;
        }
        return &tt->toks[tt->ntoks++];
}

/* Appends the token of code points [a, b) with its flags (\p extra
 * added) and norm. */
static void emit(tk_t *tk, size_t a, size_t b, uint16_t extra) {
        ink_token_t *t = tok_push(tk);
        uint16_t flags = extra;
        unsigned nup = 0, nlow = 0;
        bool alpha = false, digit = false, punct = true;

        for (size_t i = a; i < b; i++) {
                uint8_t c = tk->cls[i];
                if (IS_ALPHA(c)) {
                        if (!alpha && c == CL_UPPER)
                                flags |= INK_TOK_UPPER1;
                        alpha = true;
                        nup += c == CL_UPPER;
                        nlow += c == CL_LOWER;
                } else if (c == CL_DIGIT) {
                        digit = true;
                }
                if (c != CL_PUNCT && c != CL_MARK)
                        punct = false;
        }
        if (alpha)
                flags |= INK_TOK_ALPHA;
        if (nup >= 2 && nlow == 0)
                flags |= INK_TOK_ALLCAPS;
        if (digit)
                flags |= INK_TOK_DIGIT;
        if (punct && !(extra & INK_TOK_URL))
                flags |= INK_TOK_PUNCT;
        if (tk->gap_ws)
                flags |= INK_TOK_SPACE_BEFORE;
        if (tk->gap_nl || tk->tt->ntoks - 1 == tk->t0)
                flags |= INK_TOK_SENT_START;
        tk->gap_ws = tk->gap_nl = false;

        t->b = tk->off[a];
        t->e = tk->off[b];
        t->cb = (uint32_t)a;
        t->ce = (uint32_t)b;
        t->sent = 0;
        t->field = (uint16_t)tk->field;
        t->flags = flags;
        t->norm = make_norm(tk, a, b);
}

/*---- Words and punctuation -------------------------------------------------*/

/* @returns true if punctuation \p p, between code points r (before, in
 * the word) and q (after, a letter or digit), stays inside the word:
 * hyphens, apostrophes before letters ("O'Brien", "Trump's"), periods
 * between letters or digits ("U.S", "3.5", "example.com"), thousands
 * separators and times ("1,000", "10:30"), "24/7", "AT&T", "snake_case". */
static bool glue(utf8proc_int32_t p, utf8proc_int32_t r, uint8_t rc,
                 uint8_t qc) {
        switch (p) {
        case '-': case 0x2010: case 0x2011: case '_':
                return true;
        case '\'': case 0x2019:
                return IS_ALPHA(qc) && (IS_ALNUM(rc) || r == '.');
        case '.':
                return IS_ALNUM(rc);
        case ',': case ':': case '/':
                return rc == CL_DIGIT && qc == CL_DIGIT;
        case '&':
                return IS_ALPHA(rc) && IS_ALPHA(qc);
        default:
                return false;
        }
}

/* @returns true if the next non-blank code point at or after \p k is a
 * digit. */
static bool digit_follows(const tk_t *tk, size_t k) {
        while (k < tk->n && tk->cls[k] == CL_SPACE)
                k++;
        return k < tk->n && tk->cls[k] == CL_DIGIT;
}

/* @returns true if the period at \p j ends an abbreviation made of the
 * word [ws, j) and so stays on it. */
static bool attach_period(const tk_t *tk, size_t ws, size_t j) {
        char w[12];
        size_t n = j - ws;
        int kind;

        if (n >= sizeof(w))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (tk->cp[ws + i] >= 0x80)
                        return false;
                w[i] = (char)tk->cp[ws + i];
        }
        kind = abbrev_kind(w, n);
        if (kind == ABBR_NUMBER)
                return digit_follows(tk, j + 1);
        return kind != ABBR_NONE;
}

/* @returns where a clitic at the end of the word [ws, we) starts ('s 'm
 * 'd 're 've 'll n't, straight or curly apostrophe, any case), or \p we if
 * there is none. */
static size_t clitic_start(const utf8proc_int32_t *cp, size_t ws,
                           size_t we) {
        size_t n = we - ws;
        utf8proc_int32_t c1, c2;

        if (n < 3)
                return we;
        c1 = ascii_lower(cp[we - 1]);
        if (is_apos(cp[we - 2]) && (c1 == 's' || c1 == 'm' || c1 == 'd'))
                return we - 2;
        if (n < 4)
                return we;
        c2 = ascii_lower(cp[we - 2]);
        if (is_apos(cp[we - 3]) && ((c2 == 'r' && c1 == 'e') ||
                                    (c2 == 'v' && c1 == 'e') ||
                                    (c2 == 'l' && c1 == 'l')))
                return we - 3;
        if (c1 == 't' && is_apos(cp[we - 2]) &&
            ascii_lower(cp[we - 3]) == 'n')
                return we - 3;
        return we;
}

/* Emits the word [ws, we), split before a clitic if it ends with one. */
static void flush_word(tk_t *tk, size_t ws, size_t we) {
        size_t split = clitic_start(tk->cp, ws, we);
        if (split > ws && split < we) {
                emit(tk, ws, split, 0);
                emit(tk, split, we, 0);
        } else {
                emit(tk, ws, we, 0);
        }
}

/* Cuts code points [a, b) (no white space, no URL) into words and
 * punctuation tokens.  Runs of . ! ? ("...", "?!") and of one repeated
 * dash ("--") are one token; combining marks stay with what they follow. */
static void scan_words(tk_t *tk, size_t a, size_t b) {
        const utf8proc_int32_t *cp = tk->cp;
        const uint8_t *cls = tk->cls;
        size_t j = a, ws = SIZE_MAX, e;

        while (j < b) {
                utf8proc_int32_t p = cp[j];
                if (IS_WORD(cls[j])) {
                        if (ws == SIZE_MAX)
                                ws = j;
                        j++;
                        continue;
                }
                if (ws != SIZE_MAX) {
                        bool more = j + 1 < b;
                        if (more && IS_ALNUM(cls[j + 1]) &&
                            glue(p, cp[j - 1], cls[j - 1], cls[j + 1])) {
                                j++;
                                continue;
                        }
                        if (p == '%' && cls[j - 1] == CL_DIGIT) {
                                j++;
                                continue;
                        }
                        if (p == '.' &&
                            !(more && (IS_WORD(cls[j + 1]) ||
                                       cp[j + 1] == '.')) &&
                            attach_period(tk, ws, j)) {
                                j++;
                                continue;
                        }
                        flush_word(tk, ws, j);
                        ws = SIZE_MAX;
                }
                e = j + 1;
                if (p == '.' || p == '!' || p == '?') {
                        while (e < b && (cp[e] == '.' || cp[e] == '!' ||
                                         cp[e] == '?'))
                                e++;
                } else if (p == '-' || p == 0x2013 || p == 0x2014) {
                        while (e < b && cp[e] == p)
                                e++;
                }
                while (e < b && cls[e] == CL_MARK)
                        e++;
                emit(tk, j, e, 0);
                j = e;
        }
        if (ws != SIZE_MAX)
                flush_word(tk, ws, b);
}

/* @returns true if code points [k, b) start with the ASCII string \p pfx,
 * ignoring case. */
static bool has_prefix_ci(const utf8proc_int32_t *cp, size_t k, size_t b,
                          const char *pfx) {
        for (; *pfx; pfx++, k++)
                if (k >= b || ascii_lower(cp[k]) != *pfx)
                        return false;
        return true;
}

static bool has_cp(const utf8proc_int32_t *cp, size_t a, size_t b,
                   utf8proc_int32_t c) {
        for (size_t i = a; i < b; i++)
                if (cp[i] == c)
                        return true;
        return false;
}

static inline bool is_email_local(utf8proc_int32_t c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '%' ||
               c == '+' || c == '-';
}

static inline bool is_email_domain(utf8proc_int32_t c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Finds a URL (http://, https://, www.) or e-mail address in the chunk
 * [a, b).  A URL starts after any opening quotes or brackets and runs to
 * the end of the chunk less trailing punctuation (a closing bracket stays
 * if the URL opened one).
 * @returns true with its span in *usp, *uep. */
static bool find_url(const tk_t *tk, size_t a, size_t b, size_t *usp,
                     size_t *uep) {
        const utf8proc_int32_t *cp = tk->cp;
        size_t u = a, ue, m, ls, de, dot;

        while (u < b && is_opener(cp[u]))
                u++;
        if ((has_prefix_ci(cp, u, b, "http://") && u + 7 < b) ||
            (has_prefix_ci(cp, u, b, "https://") && u + 8 < b) ||
            (has_prefix_ci(cp, u, b, "www.") && u + 4 < b &&
             IS_ALNUM(tk->cls[u + 4]))) {
                ue = b;
                while (ue > u + 4) {
                        utf8proc_int32_t c = cp[ue - 1];
                        if ((c < 0x80 && strchr(".,;:!?'\">", (int)c)) ||
                            c == 0x2019 || c == 0x201D || c == 0x00BB ||
                            (c == ')' && !has_cp(cp, u, ue - 1, '(')) ||
                            (c == ']' && !has_cp(cp, u, ue - 1, '[')) ||
                            (c == '}' && !has_cp(cp, u, ue - 1, '{')))
                                ue--;
                        else
                                break;
                }
                *usp = u;
                *uep = ue;
                return true;
        }

        for (m = u; m < b && cp[m] != '@'; m++)
                ;
        if (m == b)
                return false;
        for (ls = m; ls > a && is_email_local(cp[ls - 1]); ls--)
                ;
        while (ls < m && cp[ls] == '.')
                ls++;
        for (de = m + 1; de < b && is_email_domain(cp[de]); de++)
                ;
        while (de > m + 1 && (cp[de - 1] == '.' || cp[de - 1] == '-'))
                de--;
        if (ls == m)
                return false;
        for (dot = de; dot > m + 1 && cp[dot - 1] != '.'; dot--)
                ;
        /* a dot after at least one domain character, and a top-level
         * domain of two or more letters */
        if (dot <= m + 2 || de - dot < 2)
                return false;
        for (size_t i = dot; i < de; i++)
                if (!IS_ALPHA(tk->cls[i]))
                        return false;
        *usp = ls;
        *uep = de;
        return true;
}

/* Tokenises one white-space-free chunk [a, b). */
static void scan_chunk(tk_t *tk, size_t a, size_t b) {
        size_t us, ue;
        if (find_url(tk, a, b, &us, &ue)) {
                scan_words(tk, a, us);
                emit(tk, us, ue, INK_TOK_URL);
                scan_words(tk, ue, b);
        } else {
                scan_words(tk, a, b);
        }
}

/*---- Sentences -----------------------------------------------------------*/

enum { END_NONE = 0, END_TERM, END_ABBR };

/* @returns how token \p t may end a sentence: END_TERM for . ! ? and
 * ellipses, END_ABBR for a period kept on an ABBR_END abbreviation. */
static int end_kind(const ink_token_t *t) {
        const char *s = t->norm;
        size_t n;

        if (t->flags & INK_TOK_PUNCT) {
                n = strlen(s);
                for (size_t i = 0; i < n; i++) {
                        if (s[i] == '.' || s[i] == '!' || s[i] == '?')
                                continue;
                        if (n - i >= 3 &&
                            memcmp(s + i, "\xe2\x80\xa6", 3) == 0) {
                                i += 2;
                                continue;
                        }
                        return END_NONE;
                }
                return END_TERM;
        }
        /* periods stay only on ASCII words, whose norm is their text */
        n = t->e - t->b;
        if (!(t->flags & INK_TOK_ALPHA) || (t->flags & INK_TOK_URL) ||
            n != t->ce - t->cb || n < 2 || s[n - 1] != '.')
                return END_NONE;
        return abbrev_kind(s, n - 1) == ABBR_END ? END_ABBR : END_NONE;
}

/* @returns true for a closing quote or bracket token. */
static bool is_closer(const ink_token_t *t) {
        const char *s = t->norm;
        if (!(t->flags & INK_TOK_PUNCT))
                return false;
        if (s[0] && !s[1] && strchr(")]}\"'", s[0]))
                return true;
        return strcmp(s, "\xc2\xbb") == 0; /* » */
}

/* @returns true if token \p t (after white space) may open a sentence
 * that follows an ending of kind \p kind. */
static bool opens_sentence(const tk_t *tk, const ink_token_t *t, int kind) {
        utf8proc_int32_t c = tk->cp[t->cb];
        uint8_t cl = tk->cls[t->cb];
        size_t n;

        if (kind == END_TERM)
                return cl == CL_UPPER || cl == CL_DIGIT || is_opener(c) ||
                       (c >= 0x80 &&
                        utf8proc_category(c) == UTF8PROC_CATEGORY_SC) ||
                       c == '$';
        if (c == '"' || c == 0x201C)
                return true;
        n = strlen(t->norm);
        if (n > 1 && t->norm[n - 1] == '.')
                return false; /* "J. A. Smith" */
        for (size_t i = 0; i < sizeof(openers) / sizeof(openers[0]); i++)
                if (strcmp(openers[i], t->norm) == 0)
                        return true;
        return false;
}

/* @returns a new sentence slot at the end of the sentence array. */
static ink_sentence_t *sent_push(tk_t *tk) {
        ink_tokens_t *tt = tk->tt;
        if (tt->nsents == tt->sents_cap) {
                size_t cap = tt->sents_cap ? tt->sents_cap * 2 : 16;
                tt->sents = ink_arena_grow(tk->arena, tt->sents, tt->nsents,
                                           cap, sizeof(*tt->sents));
                tt->sents_cap = cap;
        }
        return &tt->sents[tt->nsents++];
}

/* Marks sentence starts on the tokens of this field (line breaks were
 * marked while scanning), then builds the sentences and sets each token's
 * sentence index. */
static void split_sentences(tk_t *tk) {
        ink_tokens_t *tt = tk->tt;
        ink_token_t *t = tt->toks;
        size_t nt = tt->ntoks, j;
        ink_sentence_t *s = NULL;

        for (size_t i = tk->t0; i < nt; i++) {
                int kind = end_kind(&t[i]);
                if (kind == END_NONE)
                        continue;
                for (j = i + 1; j < nt; j++)
                        if ((t[j].flags & INK_TOK_SPACE_BEFORE) ||
                            !is_closer(&t[j]))
                                break;
                if (j >= nt || (t[j].flags & INK_TOK_SENT_START) ||
                    !(t[j].flags & INK_TOK_SPACE_BEFORE))
                        continue;
                if (opens_sentence(tk, &t[j], kind))
                        t[j].flags |= INK_TOK_SENT_START;
        }

        for (size_t i = tk->t0; i < nt; i++) {
                if (t[i].flags & INK_TOK_SENT_START) {
                        s = sent_push(tk);
                        memset(s, 0, sizeof(*s));
                        s->b = t[i].b;
                        s->cb = t[i].cb;
                        s->tok_begin = (uint32_t)i;
                        s->field = (uint16_t)tk->field;
                }
                s->e = t[i].e;
                s->ce = t[i].ce;
                s->tok_end = (uint32_t)i + 1;
                t[i].sent = (uint32_t)(tt->nsents - 1);
        }
}

/*---- Public functions ----------------------------------------------------*/

/* Decodes the field into tk's per code point arrays.
 * @returns the byte offset of the first invalid sequence, or SIZE_MAX. */
static size_t decode(tk_t *tk) {
        const unsigned char *s = (const unsigned char *)tk->s;
        size_t i = 0, n = 0, len = tk->len;

        while (i < len) {
                unsigned char c = s[i];
                if (c < 0x80) {
                        tk->cp[n] = c;
                        tk->off[n] = (uint32_t)i;
                        tk->cls[n++] = ascii_cls[c];
                        i++;
                        continue;
                }
                utf8proc_int32_t cp;
                utf8proc_ssize_t k = utf8proc_iterate(
                        s + i, (utf8proc_ssize_t)(len - i), &cp);
                if (k <= 0)
                        return i;
                tk->cp[n] = cp;
                tk->off[n] = (uint32_t)i;
                tk->cls[n++] = unicode_class(cp);
                i += (size_t)k;
        }
        tk->off[n] = (uint32_t)len;
        tk->n = n;
        return SIZE_MAX;
}

ink_rc_t ink_tokenize(ink_arena_t *arena, const char *s, size_t len,
                      ink_field_t field, ink_tokens_t *tt,
                      char *errstr, size_t errstr_size) {
        tk_t tk = {.arena = arena, .s = s, .len = len, .field = field,
                   .tt = tt, .t0 = tt->ntoks};
        unsigned char *block;
        size_t bad, k, e, want;

        if (len == 0)
                return INK_OK;
        if (len >= UINT32_MAX) {
                snprintf(errstr, errstr_size, "%s: text too large (%zu bytes)",
                         ink_field_name(field), len);
                return INK_ERR_TOO_LARGE;
        }
        block = ink_malloc((len + 1) * (sizeof(*tk.cp) + sizeof(*tk.off) +
                                        sizeof(*tk.cls)));
        tk.cp = (utf8proc_int32_t *)block;
        tk.off = (uint32_t *)(block + (len + 1) * sizeof(*tk.cp));
        tk.cls = block + (len + 1) * (sizeof(*tk.cp) + sizeof(*tk.off));

        bad = decode(&tk);
        if (bad != SIZE_MAX) {
                snprintf(errstr, errstr_size,
                         "%s: invalid UTF-8 at byte %zu",
                         ink_field_name(field), bad);
                free(block);
                return INK_ERR_INVALID;
        }

        /* One growth step up front sized for typical text (a token every
         * 4 bytes or more); growth by half covers denser text, and
         * tokens_run gives the unused tail of a big array back. */
        want = tt->ntoks + len / 4 + 16;
        if (tt->toks_cap < want) {
                tt->toks = ink_arena_grow(arena, tt->toks, tt->ntoks, want,
                                          sizeof(*tt->toks));
                tt->toks_cap = want;
        }

        for (k = 0; k < tk.n; k = e) {
                uint8_t c = tk.cls[k];
                if (IS_WS(c)) {
                        tk.gap_ws = true;
                        tk.gap_nl |= c == CL_NL;
                        e = k + 1;
                        continue;
                }
                for (e = k + 1; e < tk.n && !IS_WS(tk.cls[e]); e++)
                        ;
                scan_chunk(&tk, k, e);
        }
        if (tt->ntoks > tk.t0)
                split_sentences(&tk);
        free(block);
        return INK_OK;
}

bool ink_tok_is(const ink_article_t *art, size_t i, const char *word) {
        const unsigned char *a, *b;
        utf8proc_int32_t ca, cb;

        if (i >= art->ntoks || !word)
                return false;
        a = (const unsigned char *)art->toks[i].norm;
        b = (const unsigned char *)word;
        while (*a && *b) {
                if (*a < 0x80 && *b < 0x80) {
                        if (ascii_lower(*a) != ascii_lower(*b))
                                return false;
                        a++;
                        b++;
                        continue;
                }
                utf8proc_ssize_t na = utf8proc_iterate(a, -1, &ca);
                utf8proc_ssize_t nb = utf8proc_iterate(b, -1, &cb);
                if (na <= 0 || nb <= 0 ||
                    utf8proc_tolower(ca) != utf8proc_tolower(cb))
                        return false;
                a += na;
                b += nb;
        }
        return *a == *b;
}

const char *ink_tok_text(const ink_article_t *art, size_t i, size_t *lenp) {
        const ink_token_t *t = &art->toks[i];
        size_t flen;
        const char *f = ink_article_field(art, (ink_field_t)t->field, &flen);
        *lenp = t->e - t->b;
        return f + t->b;
}

size_t ink_utf8_cplen(const char *s, size_t len) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                n += ((unsigned char)s[i] & 0xC0) != 0x80;
        return n;
}

/*---- The stage -----------------------------------------------------------*/

/* The stage has no model: its context is a static placeholder. */
static void *tokens_create(char *errstr, size_t errstr_size) {
        static const int placeholder;
        return (void *)&placeholder;
}

/* Tokenises the title (if any), then the body, into art->toks and
 * art->sents. */
static ink_rc_t tokens_run(const void *ctx, ink_article_t *art,
                           char *errstr, size_t errstr_size) {
        ink_tokens_t tt = {0};
        ink_rc_t rc;

        art->toks = NULL;
        art->ntoks = 0;
        art->sents = NULL;
        art->nsents = 0;
        if (art->title && art->title_len > 0) {
                rc = ink_tokenize(art->arena, art->title, art->title_len,
                                  INK_FIELD_TITLE, &tt, errstr, errstr_size);
                if (rc != INK_OK)
                        return rc;
        }
        if (art->body && art->body_len > 0) {
                rc = ink_tokenize(art->arena, art->body, art->body_len,
                                  INK_FIELD_BODY, &tt, errstr, errstr_size);
                if (rc != INK_OK)
                        return rc;
        }
        /* a big array gives its unused tail back (in place) */
        if (tt.toks && tt.ntoks && tt.toks_cap - tt.ntoks > 1024)
                tt.toks = ink_arena_grow(art->arena, tt.toks, tt.toks_cap,
                                         tt.ntoks, sizeof(*tt.toks));
        art->toks = tt.toks;
        art->ntoks = tt.ntoks;
        art->sents = tt.sents;
        art->nsents = tt.nsents;
        return INK_OK;
}

static void tokens_destroy(void *ctx) {
}

const ink_stage_def_t ink_stage_tokens = {
        .name = "tokens",
        .description = "tokens and sentences of the title and body",
        .create = tokens_create,
        .run = tokens_run,
        .destroy = tokens_destroy,
};
