/* TLS ("ssl:" and "pssl:" connection methods) through OpenSSL.
 *
 * Both sides of every connection present a certificate and verify the
 * peer's certificate against the configured CA certificate, as OVS does:
 * there is no anonymous side.  The configuration is process-wide and is
 * normally set from the command line (see STREAM_SSL_LONG_OPTIONS) or,
 * for daemons, from the database; the setters may be called repeatedly
 * with the same file names, and files are reloaded when their
 * modification time changes, so that certificates can be renewed without
 * a restart. */
#ifndef LIB_STREAM_SSL_H
#define LIB_STREAM_SSL_H 1

#include <stdbool.h>

/* Returns true if SSL is at least partly configured (any of the private
 * key, certificate and CA certificate), so that a program can tell "SSL
 * not wanted" from "SSL wanted but incomplete". */
bool stream_ssl_is_configured(void);

/* PEM file with this program's private key. */
void stream_ssl_set_private_key_file(const char *file_name);

/* PEM file with this program's certificate (optionally followed by the
 * certificates of its chain). */
void stream_ssl_set_certificate_file(const char *file_name);

/* Sets the private key and certificate together, for callers that change
 * both at once (loading them one at a time could pair a new key with an
 * old certificate in between). */
void stream_ssl_set_key_and_cert(const char *private_key_file,
                                 const char *certificate_file);

/* PEM file with the CA certificate(s) that peers' certificates must be
 * signed by.  With 'bootstrap', a file that does not exist yet is created
 * from the first peer's CA certificate (the last certificate of the chain
 * the peer sends, which must be self-signed): that first connection is
 * then dropped and later ones are verified against the saved CA. */
void stream_ssl_set_ca_cert_file(const char *file_name, bool bootstrap);

/* PEM file with additional certificates to send to peers along with our
 * own (normally the CA certificate that signed ours, so that peers can
 * bootstrap their CA certificate). */
void stream_ssl_set_peer_ca_cert_file(const char *file_name);

/* Enables only the TLS versions named in 'protocols', a comma- or
 * space-separated list of "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
 * (case-insensitive).  NULL means the default (all of them that OpenSSL
 * allows).  An invalid list is logged and ignored. */
void stream_ssl_set_protocols(const char *protocols);

/* Sets the allowed ciphers in OpenSSL's cipher-list syntax.  NULL means
 * the default, "HIGH:!aNULL:!MD5".  An invalid list is logged and
 * ignored. */
void stream_ssl_set_ciphers(const char *ciphers);

/* Prints the SSL options for a program's --help. */
void stream_ssl_usage(void);

/* getopt_long() glue shared by the programs that take the SSL options:
 *
 *     enum { ..., STREAM_SSL_OPTION_ENUMS };
 *     static struct option long_options[] = { ..., STREAM_SSL_LONG_OPTIONS };
 *     switch (c) { ... STREAM_SSL_OPTION_HANDLERS }
 *
 * with "p:c:C:" in the short options string. */
/* The options come in OVS's order, which --options shows. */
/* clang-format off */
#define STREAM_SSL_OPTION_ENUMS                                         \
    OPT_BOOTSTRAP_CA_CERT,                                              \
    OPT_PEER_CA_CERT,                                                   \
    OPT_SSL_PROTOCOLS,                                                  \
    OPT_SSL_CIPHERS

#define STREAM_SSL_LONG_OPTIONS                                         \
    {"private-key", required_argument, NULL, 'p'},                      \
    {"certificate", required_argument, NULL, 'c'},                      \
    {"ca-cert", required_argument, NULL, 'C'},                          \
    {"ssl-protocols", required_argument, NULL, OPT_SSL_PROTOCOLS},      \
    {"ssl-ciphers", required_argument, NULL, OPT_SSL_CIPHERS},          \
    {"bootstrap-ca-cert", required_argument, NULL, OPT_BOOTSTRAP_CA_CERT}, \
    {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT}

#define STREAM_SSL_OPTION_HANDLERS                                      \
    case 'p':                                                           \
        stream_ssl_set_private_key_file(optarg);                        \
        break;                                                          \
    case 'c':                                                           \
        stream_ssl_set_certificate_file(optarg);                        \
        break;                                                          \
    case 'C':                                                           \
        stream_ssl_set_ca_cert_file(optarg, false);                     \
        break;                                                          \
    case OPT_BOOTSTRAP_CA_CERT:                                         \
        stream_ssl_set_ca_cert_file(optarg, true);                      \
        break;                                                          \
    case OPT_PEER_CA_CERT:                                              \
        stream_ssl_set_peer_ca_cert_file(optarg);                       \
        break;                                                          \
    case OPT_SSL_PROTOCOLS:                                             \
        stream_ssl_set_protocols(optarg);                               \
        break;                                                          \
    case OPT_SSL_CIPHERS:                                               \
        stream_ssl_set_ciphers(optarg);                                 \
        break;
/* clang-format on */

#endif /* lib/stream-ssl.h */
