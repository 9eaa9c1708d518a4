/* libFuzzer target for the JSON-RPC reader: arbitrary bytes go through
 * the framing scanner and the message parser exactly as a connection
 * feeds them, split into reads at points chosen by the input itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/jsonrpc.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }

    /* The first byte chooses the read size, the second a small maximum
     * message size now and then, so that both the limit and reads split
     * at every kind of boundary get exercised. */
    size_t chunk = data[0] % 64 + 1;
    size_t max_msg_size = data[1] < 32 ? (size_t) data[1] * 8 + 1 : 1 << 20;
    data += 2;
    size -= 2;

    struct jsonrpc_reader *reader = jsonrpc_reader_create(max_msg_size);
    size_t ofs = 0;
    while (ofs < size) {
        size_t n = MIN(chunk, size - ofs);
        size_t used = jsonrpc_reader_feed(reader, data + ofs, n);
        ovs_assert(used <= n);
        ofs += used;

        if (jsonrpc_reader_is_ready(reader)) {
            struct jsonrpc_msg *msg;
            char *error = jsonrpc_reader_take(reader, &msg);
            if (error) {
                free(error);
                break;
            }
            /* Whatever parses must be valid and survive a round trip. */
            char *invalid = jsonrpc_msg_is_valid(msg);
            ovs_assert(!invalid);
            char *s = jsonrpc_msg_to_string(msg);
            struct jsonrpc_msg *again;
            char *error2 = jsonrpc_msg_from_string(s, &again);
            ovs_assert(!error2);
            ovs_assert(again->type == msg->type);
            jsonrpc_msg_destroy(again);
            free(s);
            jsonrpc_msg_destroy(msg);
        } else {
            ovs_assert(used == n);
        }
    }
    (void) jsonrpc_reader_is_mid_message(reader);
    jsonrpc_reader_destroy(reader);
    return 0;
}
