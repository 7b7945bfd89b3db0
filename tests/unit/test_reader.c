/*
 * The topic reader's failure paths that need no broker (an impossible
 * topic name), and bytes as JSON (text, base64, absent).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "ink/kafka.h"

Test(reader, impossible_topic_name_is_an_error) {
        char topic[601], err[256];
        ink_conf_t conf;

        memset(topic, 'a', sizeof(topic) - 1);
        topic[sizeof(topic) - 1] = '\0';
        ink_conf_init(&conf);
        cr_assert(eq(int, ink_conf_set(&conf, "brokers", "127.0.0.1:1", err,
                                       sizeof(err)), 0), "%s", err);
        cr_expect(eq(ptr, ink_reader_open(&conf, "test", "test-reader", topic,
                                          true), NULL));
        ink_reader_close(NULL);
        ink_conf_destroy(&conf);
}

Test(reader, bytes_as_json) {
        json_t *o = json_object();
        const unsigned char bin[] = {0xff, 0x00, 'a'};

        ink_json_set_bytes(o, "text", "Zürich", strlen("Zürich"));
        ink_json_set_bytes(o, "bin", bin, sizeof(bin));
        ink_json_set_bytes(o, "none", NULL, 0);
        cr_expect(eq(str, (char *)json_string_value(json_object_get(o,
                                                                    "text")),
                     "Zürich"));
        cr_expect(eq(ptr, json_object_get(o, "bin"), NULL));
        cr_expect(eq(str, (char *)json_string_value(
                                  json_object_get(o, "bin_base64")),
                     "/wBh"));
        cr_expect(eq(ptr, json_object_get(o, "none"), NULL));
        json_decref(o);
}
