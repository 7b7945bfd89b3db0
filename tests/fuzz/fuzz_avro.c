/*
 * libFuzzer target: the framed Avro decoder (magic byte, schema id,
 * body validation, Avro-C resolved read, JSON conversion) on arbitrary
 * bytes.  Any crash, sanitizer report or leak is a finding.  The codec
 * knows the catalog ids (1 EnrichedArticle, 2 Alert); the fuzzer also
 * sees ids it does not know.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ink/codec.h"

static ink_avro_t *av;

static void destroy_codec(void) {
        ink_avro_destroy(av);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char err[512];
        json_t *o = NULL;
        ink_record_t kind;

        if (!av) {
                if (!(av = ink_avro_new(err, sizeof(err)))) {
                        fprintf(stderr, "fuzz_avro: %s\n", err);
                        abort();
                }
                atexit(destroy_codec);
        }
        if (ink_avro_decode_any(av, data, size, &kind, &o, err,
                                sizeof(err)) == INK_OK) {
                if (!o)
                        abort();        /* success without a value */
                json_decref(o);
        } else if (!err[0]) {
                abort();                /* failure without a reason */
        }
        return 0;
}
