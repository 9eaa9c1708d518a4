/* The iteration order of OVS's string-keyed hash tables.
 *
 * Several outputs of OVS's tools list things in the order in which OVS's
 * "shash" hands them out: ovsdb-client list-tables and list-columns, the
 * rows of a monitor update, the members of JSON objects printed without
 * sorting.  That order is a function of the names and of the order in
 * which they were inserted: each name goes to the head of the bucket
 * chosen by the low bits of hash_string(name, 0), and the table doubles
 * its buckets, rehashing in bucket order, as it fills.  Reproducing it is
 * what makes such output byte-identical to OVS's. */
#ifndef LIB_HASH_ORDER_H
#define LIB_HASH_ORDER_H 1

#include <stddef.h>
#include <stdint.h>

/* Reorders the 'n' strings in 'names' (inserted into the table in the
 * order they are given) into the order OVS's table would iterate them. */
void hash_order_strings(const char **names, size_t n);

/* The same for any OVS hash table: stores in 'order' the indexes 0...n-1
 * of entries inserted in that order with hashes 'hashes[0...n-1]', in the
 * order in which the table would iterate them.  (OVS's tables of rows of
 * a transaction, for example, hash a row by the first 32 bits of its
 * UUID.) */
void hash_order_hashes(const uint32_t *hashes, size_t n, size_t *order);

/* Returns the mask of bucket numbers of an OVS hash table after 'n'
 * insertions: it sizes the table for two entries per bucket, rounded up
 * to a power of two, and never to exactly two buckets. */
size_t hash_order_mask(size_t n);

#endif /* lib/hash-order.h */
