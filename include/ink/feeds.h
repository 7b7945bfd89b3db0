/*
 * News feeds in: RSS 2.0, Atom and IPTC ninjs, mapped to the JSON article
 * form that `inkstream ingest` produces ({"id","title","body","url",
 * "published","source","lang"}).  XML is read with libxml2 with network
 * access, DTD loading and entity substitution off; a feed that declares
 * its own entities is refused (no billion laughs).
 */
#ifndef INK_FEEDS_H
#define INK_FEEDS_H

#include <jansson.h>
#include <stddef.h>

#include "ink/core.h"

typedef enum ink_feed_format_e {
        INK_FEED_AUTO = 0,      /* detect from the content */
        INK_FEED_JSONL,         /* one inkstream JSON article per line */
        INK_FEED_TEXT,          /* one plain-text article */
        INK_FEED_RSS,           /* RSS 2.0 */
        INK_FEED_ATOM,          /* Atom 1.0 (RFC 4287) */
        INK_FEED_NINJS,         /* IPTC ninjs: one object or an array */
        INK_FEED_CNT
} ink_feed_format_t;

/** @returns the name of \p fmt ("rss", ...; borrowed). */
const char *ink_feed_format_name(ink_feed_format_t fmt);

/** Parses a format name ("auto", "jsonl", "text", "rss", "atom", "ninjs").
 *  @returns 0, or -1 if \p name is none of them. */
int ink_feed_format_parse(const char *name, ink_feed_format_t *fmtp);

/** Guesses the format of \p buf from its content: "<rss" -> RSS, "<feed"
 *  -> Atom (after an optional BOM, XML declaration, comments), a single
 *  JSON object (or array of objects) with "uri", "versioncreated" or a
 *  ninjs "type" -> ninjs, any other '{' -> JSON Lines, else plain text.
 *  Never returns INK_FEED_AUTO. */
ink_feed_format_t ink_feed_detect(const char *buf, size_t len);

/** Called once per feed item, in order, with its 1-based \p index and
 *  either the article (\p article, borrowed: valid during the call) or,
 *  for an item that cannot be mapped, \p error (a reason for an operator,
 *  without the index). */
typedef void (*ink_feed_item_cb_t)(void *opaque, size_t index,
                                   json_t *article, const char *error);

/** Parses a feed of format \p fmt (RSS, Atom or ninjs; INK_FEED_AUTO
 *  detects it) and calls \p cb for every item.  A malformed item is
 *  reported through \p cb and the rest still flow.
 *  @returns INK_OK, or INK_ERR_INVALID with \p errstr set when the whole
 *  file cannot be read (malformed XML with its line, not a feed, entity
 *  declarations, a format that is not a feed). */
ink_rc_t ink_feed_parse(ink_feed_format_t fmt, const char *buf, size_t len,
                        ink_feed_item_cb_t cb, void *opaque, char *errstr,
                        size_t errstr_size);

/** Converts an HTML fragment to plain text: tags dropped (the content of
 *  script and style too), block elements and <br> as line breaks, HTML
 *  character references decoded (named, decimal, hex; invalid ones as
 *  U+FFFD), runs of blanks collapsed.
 *  @returns a NUL-terminated string (owned by caller: free()). */
char *ink_html_to_text(const char *html, size_t len);

/** Parses an RFC 822 / RFC 2822 date ("Tue, 10 Jun 2003 04:00:00 GMT",
 *  "+0200", "EST", two-digit years, optional seconds and weekday).
 *  @returns 0 with *\p msp in ms since the epoch, or -1. */
int ink_parse_rfc822(const char *s, int64_t *msp);

#endif /* INK_FEEDS_H */
