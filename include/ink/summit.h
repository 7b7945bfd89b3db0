/*
 * The summit-announcement detector: finds, in one article, the announcement
 * of a diplomatic encounter (meeting, visit or call between leaders or
 * senior officials of different states or international bodies) that has
 * not happened yet, or a change in the status of one, and adds one
 * ink_alert_t of type "summit" to the article.
 *
 * The stage itself is ink_stage_summit (include/ink/stage.h); it runs after
 * the tokens and entities stages.  The helpers below are exported for the
 * tests and for tools that want the same rules.
 */
#ifndef INK_SUMMIT_H
#define INK_SUMMIT_H

#include <stdint.h>
#include <stddef.h>

#include "ink/article.h"

/** Resolves a time expression written in an article against its
 *  publication time.  \p text is the expression as written ("next
 *  Tuesday", "on 20 January", "September 11, 2025", "tomorrow", "next
 *  week", "April 7 to 10"); \p published_ms is the publication time
 *  (ms since the epoch, UTC) or -1 when unknown.  Writes the ISO date
 *  ("2025-01-20") into \p out (at least 11 bytes).
 *  @returns 0 on success, -1 when the expression names no single day
 *  or needs an unknown publication date. */
int ink_summit_resolve_date(const char *text, int64_t published_ms,
                            char *out, size_t out_size);

/** Computes the deterministic alert id: 16 lower-case hex digits of a
 *  64-bit FNV-1a hash of \p article_id, a newline and \p event_key.
 *  \p out must hold at least 17 bytes. */
void ink_summit_alert_id(const char *article_id, const char *event_key,
                         char *out, size_t out_size);

/** @returns the CAMEO code used for an encounter of \p mode with
 *  \p status (a static string):
 *  - proposed, planned: "036" (express intent to meet or negotiate);
 *  - scheduled, confirmed: "041" call, "042" visit, "040" meeting
 *    (consult: by telephone, make a visit, consult unspecified);
 *  - postponed: "036" (the intent to meet stands, the date moves);
 *  - cancelled: "125" (reject proposal to meet or negotiate). */
const char *ink_summit_cameo(ink_mode_t mode, ink_status_t status);

#endif /* INK_SUMMIT_H */
