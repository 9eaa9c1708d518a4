/* The "ssl" and "pssl" connection methods: TLS through OpenSSL.  See
 * lib/stream-ssl.h for the configuration interface. */
#include "lib/stream-ssl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/fatal-signal.h"
#include "lib/poll-loop.h"
#include "lib/socket-util.h"
#include "lib/stream-fd.h"
#include "lib/stream-provider.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(stream_ssl);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 25);

#define DEFAULT_CIPHERS "HIGH:!aNULL:!MD5"

/* Configuration. */

/* A file named in the configuration, remembered with the modification
 * time it had when it was last loaded, so that a change on disk can be
 * noticed and the file reloaded. */
struct ssl_config_file {
    char *file_name;       /* NULL if not configured. */
    struct timespec mtime; /* Zero if the file did not exist. */
};

static struct ssl_config_file private_key;
static struct ssl_config_file certificate;
static struct ssl_config_file ca_cert;
static struct ssl_config_file peer_ca_cert;

/* True if the CA certificate is to be obtained from the first peer
 * because 'ca_cert' does not exist yet. */
static bool bootstrap_ca_cert;

/* The context holds all of the above, loaded.  Created on first use. */
static SSL_CTX *ctx;

/* Whether the key and certificate in 'ctx' form a valid pair, and
 * whether a CA certificate was loaded; streams refuse to start without
 * them. */
static bool key_loaded;
static bool cert_loaded;

static void reload_changed_files(void);

/* Logs the OpenSSL errors queued for this thread, each prefixed by
 * 'function', and clears the queue.  Returns true if any was logged. */
static bool
log_openssl_errors(enum vlog_level level, const char *function)
{
    bool any = false;
    unsigned long err;
    while ((err = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(err, buf, sizeof buf);
        if (level == VLL_ERR) {
            VLOG_ERR("%s: %s", function, buf);
        } else {
            VLOG_WARN_RL(&rl, "%s: %s", function, buf);
        }
        any = true;
    }
    return any;
}

/* Returns the text of OpenSSL error 'err' in 'buf', or a generic text if
 * 'err' is 0, and clears the thread's error queue. */
static const char *
openssl_error_text(unsigned long err, char *buf, size_t size)
{
    if (err) {
        ERR_error_string_n(err, buf, size);
    } else {
        ovs_strlcpy(buf, "unknown error", size);
    }
    ERR_clear_error();
    return buf;
}

/* Returns the text of the first queued OpenSSL error (clearing the
 * queue) in 'buf', or a generic text if there is none. */
static const char *
first_openssl_error(char *buf, size_t size)
{
    return openssl_error_text(ERR_get_error(), buf, size);
}

/* Creates 'ctx' if it does not exist yet.  Returns 0 or ENOPROTOOPT. */
static int
ssl_init(void)
{
    if (ctx) {
        return 0;
    }

    /* OpenSSL writes to sockets with write(), which raises SIGPIPE when
     * the peer is gone. */
    fatal_ignore_sigpipe();
    OPENSSL_init_ssl(0, NULL);
    ctx = SSL_CTX_new(TLS_method());
    if (!ctx) {
        log_openssl_errors(VLL_ERR, "SSL_CTX_new");
        return ENOPROTOOPT;
    }

    /* A peer that closes the TCP connection without a TLS close_notify
     * is treated like one that closed it cleanly: for our protocols,
     * message framing detects truncation. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3
                                 | SSL_OP_NO_COMPRESSION
                                 | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
                              | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (!SSL_CTX_set_cipher_list(ctx, DEFAULT_CIPHERS)) {
        log_openssl_errors(VLL_ERR, "SSL_CTX_set_cipher_list");
    }
    return 0;
}

/* Records 'file_name' as the file for 'cf'.  Returns true if it needs to
 * be (re)loaded: it is a different file, or the same one changed on
 * disk since it was last loaded. */
static bool
config_file_changed(struct ssl_config_file *cf, const char *file_name)
{
    struct stat st;
    struct timespec mtime = {0, 0};
    if (!stat(file_name, &st)) {
        mtime = st.st_mtim;
    }

    bool same_name = cf->file_name && !strcmp(cf->file_name, file_name);
    if (same_name && mtime.tv_sec == cf->mtime.tv_sec
        && mtime.tv_nsec == cf->mtime.tv_nsec) {
        return false;
    }
    if (!same_name) {
        free(cf->file_name);
        cf->file_name = xstrdup(file_name);
    }
    cf->mtime = mtime;
    return true;
}

/* Returns true if 'ret', what the OpenSSL function 'function' returned
 * for loading a file into 'ctx', is success; otherwise logs why not. */
static bool
check_loaded(int ret, const char *function)
{
    if (ret == 1) {
        return true;
    }
    /* Like OVS, reports the oldest queued error and leaves the rest
     * queued, so that the next failure reports what is left. */
    char buf[256];
    unsigned long err = ERR_get_error();
    if (err) {
        ERR_error_string_n(err, buf, sizeof buf);
    } else {
        ovs_strlcpy(buf, "unknown error", sizeof buf);
    }
    VLOG_ERR("%s: %s", function, buf);
    return false;
}

static void
load_cert(void)
{
    /* The certificate alone first: unlike the chain loader, it leaves
     * OpenSSL's error queue as OVS reports it.  Then the whole file,
     * which may hold our certificate followed by its chain. */
    cert_loaded =
        (check_loaded(SSL_CTX_use_certificate_file(ctx, certificate.file_name,
                                                   SSL_FILETYPE_PEM),
                      "SSL_use_certificate_file")
         && check_loaded(
             SSL_CTX_use_certificate_chain_file(ctx, certificate.file_name),
             "SSL_use_certificate_chain_file"));
}

static void
load_key(void)
{
    key_loaded =
        check_loaded(SSL_CTX_use_PrivateKey_file(ctx, private_key.file_name,
                                                 SSL_FILETYPE_PEM),
                     "SSL_use_PrivateKey_file");
}

/* Loads whichever of the key and certificate are configured.  The
 * certificate goes first: OpenSSL refuses a key that does not match the
 * certificate in place, but drops a key that does not match a newly
 * loaded certificate, so this order lets a renewed pair replace the old
 * one. */
static void
load_key_and_cert(void)
{
    if (certificate.file_name) {
        load_cert();
    }
    if (private_key.file_name) {
        load_key();
    }
}

/* Makes 'file_name' the file for 'cf', the key or the certificate, and
 * loads it with 'load'.  (A renewed pair is best given together, to
 * stream_ssl_set_key_and_cert().) */
static void
set_key_or_cert_file(struct ssl_config_file *cf, const char *file_name,
                     void (*load)(void))
{
    if (file_name && !ssl_init() && config_file_changed(cf, file_name)) {
        load();
    }
}

void
stream_ssl_set_private_key_file(const char *file_name)
{
    set_key_or_cert_file(&private_key, file_name, load_key);
}

void
stream_ssl_set_certificate_file(const char *file_name)
{
    set_key_or_cert_file(&certificate, file_name, load_cert);
}

void
stream_ssl_set_key_and_cert(const char *private_key_file,
                            const char *certificate_file)
{
    if (!private_key_file || !certificate_file || ssl_init()) {
        return;
    }
    bool key_changed = config_file_changed(&private_key, private_key_file);
    bool cert_changed = config_file_changed(&certificate, certificate_file);
    if (key_changed || cert_changed) {
        load_key_and_cert();
    }
}

/* Returns "aa:bb:..." for the SHA-1 fingerprint of 'cert' in 'out'. */
static void
format_fingerprint(X509 *cert, struct ds *out)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, EVP_sha1(), digest, &n)) {
        for (unsigned int i = 0; i < n; i++) {
            ds_put_format(out, "%s%02x", i ? ":" : "", digest[i]);
        }
    } else {
        ds_put_cstr(out, "<unknown>");
    }
}

static void
log_trusted_ca_cert(const char *file_name, X509 *cert)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *subject = X509_NAME_oneline(X509_get_subject_name(cert), NULL, 0);
    format_fingerprint(cert, &fp);
    VLOG_INFO("Trusting CA cert from %s (%s) (fingerprint %s)", file_name,
              subject ? subject : "<unknown>", ds_cstr(&fp));
    OPENSSL_free(subject);
    ds_destroy(&fp);
}

/* Reads every certificate in PEM file 'file_name'.  Returns a stack of
 * them (at least one) or NULL, logging why, on failure. */
static STACK_OF(X509) * read_cert_file(const char *file_name, const char *what)
{
    FILE *file = fopen(file_name, "r");
    if (!file) {
        VLOG_ERR("failed to open %s for reading: %s", file_name,
                 ovs_strerror(errno));
        return NULL;
    }

    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *cert;
    while ((cert = PEM_read_X509(file, NULL, NULL, NULL)) != NULL) {
        sk_X509_push(certs, cert);
    }
    fclose(file);

    /* Reaching the end of the file leaves a "no start line" error that
     * only matters when nothing was read. */
    if (!sk_X509_num(certs)) {
        char buf[256];
        VLOG_ERR("failed to load %s from %s: %s", what, file_name,
                 first_openssl_error(buf, sizeof buf));
        sk_X509_free(certs);
        return NULL;
    }
    ERR_clear_error();
    return certs;
}

/* Makes the certificates in 'ca_cert.file_name' the only trusted CAs.
 * 'log_trust' logs each one, as after a bootstrap. */
static void
load_ca_cert(bool log_trust)
{
    /* The names are what a server advertises to clients as acceptable
     * issuers; reading them first also gives OVS's error message for a
     * missing or unreadable file (the oldest queued error, as OVS
     * reports it, even if an earlier failure left it). */
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_cert.file_name);
    if (!names) {
        char buf[256];
        VLOG_ERR("failed to load client certificates from %s: %s",
                 ca_cert.file_name, first_openssl_error(buf, sizeof buf));
        return;
    }
    ERR_clear_error();
    STACK_OF(X509) *certs =
        read_cert_file(ca_cert.file_name, "CA certificates");
    if (!certs) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        return;
    }

    X509_STORE *store = X509_STORE_new();
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *cert = sk_X509_value(certs, i);
        X509_STORE_add_cert(store, cert);
        if (log_trust) {
            log_trusted_ca_cert(ca_cert.file_name, cert);
        }
    }
    sk_X509_pop_free(certs, X509_free);

    /* The store is what verifies peers. */
    SSL_CTX_set_cert_store(ctx, store);
    SSL_CTX_set_client_CA_list(ctx, names);
    bootstrap_ca_cert = false;
}

void
stream_ssl_set_ca_cert_file(const char *file_name, bool bootstrap)
{
    if (!file_name || ssl_init()) {
        return;
    }
    if (!config_file_changed(&ca_cert, file_name)) {
        return;
    }

    struct stat st;
    if (!strcmp(file_name, "none")) {
        /* As in OVS: "none" trusts any peer. */
        VLOG_WARN("Peer certificate validation disabled "
                  "(this is a security risk)");
        bootstrap_ca_cert = false;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    } else if (bootstrap && stat(file_name, &st) && errno == ENOENT) {
        /* Obtained from the first peer; see do_ca_cert_bootstrap(). */
        bootstrap_ca_cert = true;
    } else {
        bootstrap_ca_cert = false;
        SSL_CTX_set_verify(
            ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        load_ca_cert(false);
    }
}

static void
load_peer_ca_cert(void)
{
    STACK_OF(X509) *certs =
        read_cert_file(peer_ca_cert.file_name, "peer CA certificates");
    if (!certs) {
        return;
    }
    SSL_CTX_clear_extra_chain_certs(ctx);
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *cert = sk_X509_value(certs, i);
        /* The context takes over the reference on success. */
        if (!SSL_CTX_add_extra_chain_cert(ctx, cert)) {
            log_openssl_errors(VLL_ERR, "SSL_CTX_add_extra_chain_cert");
            X509_free(cert);
        }
    }
    sk_X509_free(certs);
}

void
stream_ssl_set_peer_ca_cert_file(const char *file_name)
{
    if (!file_name || ssl_init()) {
        return;
    }
    if (config_file_changed(&peer_ca_cert, file_name)) {
        load_peer_ca_cert();
    }
}

/* Reloads any configured file whose modification time changed. */
static void
reload_changed_files(void)
{
    if (private_key.file_name && certificate.file_name) {
        char *key = xstrdup(private_key.file_name);
        char *cert = xstrdup(certificate.file_name);
        stream_ssl_set_key_and_cert(key, cert);
        free(key);
        free(cert);
    }
    if (ca_cert.file_name) {
        char *file_name = xstrdup(ca_cert.file_name);
        stream_ssl_set_ca_cert_file(file_name, bootstrap_ca_cert);
        free(file_name);
    }
    if (peer_ca_cert.file_name) {
        char *file_name = xstrdup(peer_ca_cert.file_name);
        stream_ssl_set_peer_ca_cert_file(file_name);
        free(file_name);
    }
}

bool
stream_ssl_is_configured(void)
{
    return private_key.file_name || certificate.file_name || ca_cert.file_name;
}

struct protocol {
    const char *name;
    long option; /* SSL_OP_NO_* that disables it. */
};

static const struct protocol protocols[] = {
    {"TLSv1", SSL_OP_NO_TLSv1},
    {"TLSv1.1", SSL_OP_NO_TLSv1_1},
    {"TLSv1.2", SSL_OP_NO_TLSv1_2},
    {"TLSv1.3", SSL_OP_NO_TLSv1_3},
};

void
stream_ssl_set_protocols(const char *arg)
{
    if (ssl_init()) {
        return;
    }

    long all = 0;
    for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
        all |= protocols[i].option;
    }
    if (!arg) {
        SSL_CTX_clear_options(ctx, all);
        return;
    }

    /* Start with everything disabled and enable what is listed. */
    long disabled = all;
    char *copy = xstrdup(arg);
    char *save = NULL;
    for (char *word = strtok_r(copy, " ,\t", &save); word;
         word = strtok_r(NULL, " ,\t", &save)) {
        const struct protocol *p = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(protocols); i++) {
            if (!strcasecmp(word, protocols[i].name)) {
                p = &protocols[i];
                break;
            }
        }
        if (!p) {
            VLOG_ERR("%s: SSL protocol not recognized", word);
            free(copy);
            return;
        }
        disabled &= ~p->option;
    }
    free(copy);

    if (disabled == all) {
        VLOG_ERR("SSL protocol settings invalid");
        return;
    }
    SSL_CTX_clear_options(ctx, all);
    SSL_CTX_set_options(ctx, disabled);
}

void
stream_ssl_set_ciphers(const char *ciphers)
{
    if (ssl_init()) {
        return;
    }
    if (!SSL_CTX_set_cipher_list(ctx, ciphers ? ciphers : DEFAULT_CIPHERS)) {
        char buf[256];
        VLOG_ERR("SSL_CTX_set_cipher_list: %s",
                 first_openssl_error(buf, sizeof buf));
    }
}

void
stream_ssl_usage(void)
{
    printf("PKI configuration (required to use SSL):\n"
           "  -p, --private-key=FILE  file with private key\n"
           "  -c, --certificate=FILE  file with certificate for private key\n"
           "  -C, --ca-cert=FILE      file with peer CA certificate\n"
           "  --bootstrap-ca-cert=FILE  file with peer CA certificate "
           "to read or create\n"
           "SSL options:\n"
           "  --ssl-protocols=PROTOS  list of SSL protocols to enable\n"
           "  --ssl-ciphers=CIPHERS   list of SSL ciphers to enable\n");
}

/* Checks that everything a connection needs is configured, logging what
 * is missing.  Returns 0 or ENOPROTOOPT. */
static int
check_configuration(void)
{
    int error = ssl_init();
    if (error) {
        return error;
    }
    reload_changed_files();

    if (!private_key.file_name || !key_loaded) {
        VLOG_ERR("Private key must be configured to use SSL");
        error = ENOPROTOOPT;
    }
    if (!certificate.file_name || !cert_loaded) {
        VLOG_ERR("Certificate must be configured to use SSL");
        error = ENOPROTOOPT;
    }
    if (!ca_cert.file_name) {
        VLOG_ERR("CA certificate must be configured to use SSL");
        error = ENOPROTOOPT;
    }
    if (!error && !SSL_CTX_check_private_key(ctx)) {
        char buf[256];
        VLOG_ERR("Private key does not match certificate public key: %s",
                 first_openssl_error(buf, sizeof buf));
        error = ENOPROTOOPT;
    }
    return error;
}

/* Streams. */

enum ssl_state {
    STATE_TCP_CONNECTING, /* Waiting for the TCP connection. */
    STATE_SSL_CONNECTING  /* TLS handshake in progress. */
};

struct ssl_stream {
    struct stream stream;
    enum ssl_state state;
    bool is_server;
    bool bootstrapping; /* This connection bootstraps the CA. */
    int fd;
    SSL *ssl;

    /* Poll direction (POLLIN or POLLOUT) that the last handshake, read or
     * write asked for, or 0. */
    short handshake_want;
    short rx_want;
    short tx_want;

    /* Data accepted by send() that OpenSSL has not taken yet.  OpenSSL
     * wants a write retried with the same data, so it stays here until
     * it is all written, and send() refuses more meanwhile. */
    char *txbuf;
    size_t tx_len; /* Bytes in 'txbuf' still to write. */
    size_t tx_ofs; /* Offset of those bytes in 'txbuf'. */
    int tx_error;  /* Error from writing 'txbuf', or 0. */
};

static struct ssl_stream *
ssl_stream_cast(struct stream *stream)
{
    return CONTAINER_OF(stream, struct ssl_stream, stream);
}

/* Accepts any certificate: used only while bootstrapping the CA, when
 * there is nothing yet to verify against. */
static int
accept_any_certificate(int preverify_ok, X509_STORE_CTX *store)
{
    return 1;
}

/* Creates an ssl stream named 'name' (taken) on 'fd' (taken), whose TCP
 * connection has status 'tcp_status' (0, EAGAIN, or an error). */
static int
new_ssl_stream(char *name, int fd, bool is_server, int tcp_status,
               struct stream **streamp)
{
    *streamp = NULL;
    int error = check_configuration();
    if (!error && tcp_status && tcp_status != EAGAIN) {
        error = tcp_status;
    }
    if (error) {
        close(fd);
        free(name);
        return error;
    }

    SSL *ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, fd)) {
        log_openssl_errors(VLL_ERR, "SSL_new");
        SSL_free(ssl);
        close(fd);
        free(name);
        return ENOPROTOOPT;
    }

    struct ssl_stream *s = xzalloc(sizeof *s);
    s->is_server = is_server;
    s->fd = fd;
    s->ssl = ssl;
    s->state = tcp_status ? STATE_TCP_CONNECTING : STATE_SSL_CONNECTING;
    s->bootstrapping = bootstrap_ca_cert;
    if (s->bootstrapping) {
        /* Nothing to verify the peer against yet: take whatever chain
         * it presents (asking a client for its certificate too). */
        SSL_set_verify(ssl, SSL_VERIFY_PEER, accept_any_certificate);
    }
    if (is_server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
    }
    socket_set_nodelay(fd);

    /* Even with the TCP connection up, the handshake makes this stream
     * "connecting" for stream.c. */
    stream_init(&s->stream, &ssl_stream_class, EAGAIN, name);
    *streamp = &s->stream;
    return 0;
}

static int
ssl_open(const char *name, char *suffix, struct stream **streamp, uint8_t dscp)
{
    int error = check_configuration();
    if (error) {
        return error;
    }

    struct sockaddr_storage ss;
    int fd;
    error = socket_inet_open_active(suffix, -1, &ss, &fd, dscp);
    if (fd < 0) {
        return error;
    }
    return new_ssl_stream(xstrdup(name), fd, false, error, streamp);
}

static void
ssl_close(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    /* A close_notify tells the peer the end is intended; it is sent
     * only if the handshake finished, and never waited for. */
    if (SSL_is_init_finished(s->ssl)) {
        SSL_shutdown(s->ssl);
    }
    ERR_clear_error();
    SSL_free(s->ssl);
    close(s->fd);
    free(s->txbuf);
    free(s);
}

/* Translates the result 'ret' of the OpenSSL I/O function 'function'
 * into an errno value, recording in '*want' the poll direction to wait
 * for when it is EAGAIN.  'hard_error' is the value for a protocol
 * failure.  Logs failures. */
static int
interpret_ssl_result(struct ssl_stream *s, const char *function, int ret,
                     short *want, int hard_error)
{
    int err = SSL_get_error(s->ssl, ret);
    switch (err) {
    case SSL_ERROR_WANT_READ:
        *want = POLLIN;
        return EAGAIN;

    case SSL_ERROR_WANT_WRITE:
        *want = POLLOUT;
        return EAGAIN;

    case SSL_ERROR_ZERO_RETURN:
        return EOF;

    case SSL_ERROR_SYSCALL: {
        int sys_error = errno;
        if (log_openssl_errors(VLL_WARN, function)) {
            return hard_error;
        } else if (ret == 0 || !sys_error) {
            VLOG_WARN_RL(&rl, "%s: unexpected SSL connection close", function);
            return hard_error == EIO ? EOF : EPROTO;
        }
        VLOG_WARN_RL(&rl, "%s: %s", function, ovs_strerror(sys_error));
        return sys_error;
    }

    case SSL_ERROR_SSL:
    default: {
        long verify = SSL_get_verify_result(s->ssl);
        if (!log_openssl_errors(VLL_WARN, function)) {
            VLOG_WARN_RL(&rl, "%s: SSL error %d", function, err);
        }
        if (verify != X509_V_OK) {
            /* Beyond OpenSSL's "certificate verify failed": why. */
            VLOG_WARN_RL(&rl, "%s: peer certificate rejected: %s",
                         stream_get_name(&s->stream),
                         X509_verify_cert_error_string(verify));
        }
        return hard_error;
    }
    }
}

/* Saves the last certificate of the peer's chain, which must be a
 * self-signed CA certificate, as the CA certificate file and starts
 * trusting it.  Returns EPROTO in every case, because the connection it
 * came over was not verified and must be dropped. */
static int
do_ca_cert_bootstrap(struct ssl_stream *s)
{
    const char *file_name = ca_cert.file_name;
    if (!bootstrap_ca_cert) {
        /* Another connection of ours bootstrapped it meanwhile. */
        VLOG_INFO("killing successful connection to retry using CA cert");
        return EPROTO;
    }

    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s->ssl);
    int n = chain ? sk_X509_num(chain) : 0;
    X509 *peer = SSL_get0_peer_certificate(s->ssl);
    X509 *ca = n > 0 ? sk_X509_value(chain, n - 1) : peer;

    if (!ca) {
        VLOG_ERR("could not bootstrap CA cert: no certificate presented "
                 "by peer");
        return EPROTO;
    }
    if (X509_check_issued(ca, ca) != X509_V_OK) {
        VLOG_ERR("could not bootstrap CA cert: peer did not send its CA "
                 "certificate (the last certificate it sent is not "
                 "self-signed)");
        return EPROTO;
    }

    int fd = open(file_name, O_WRONLY | O_CREAT | O_EXCL, 0444);
    if (fd < 0) {
        if (errno == EEXIST) {
            VLOG_INFO("reading CA cert %s created by another process",
                      file_name);
            load_ca_cert(true);
            return EPROTO;
        }
        VLOG_ERR("could not bootstrap CA cert: creating %s failed: %s",
                 file_name, ovs_strerror(errno));
        return EPROTO;
    }
    FILE *file = fdopen(fd, "w");
    if (!file) {
        VLOG_ERR("could not bootstrap CA cert: fdopen failed: %s",
                 ovs_strerror(errno));
        close(fd);
        unlink(file_name);
        return EPROTO;
    }
    if (!PEM_write_X509(file, ca)) {
        char buf[256];
        VLOG_ERR("could not bootstrap CA cert: PEM_write_X509 to %s "
                 "failed: %s",
                 file_name, first_openssl_error(buf, sizeof buf));
        fclose(file);
        unlink(file_name);
        return EPROTO;
    }
    if (fclose(file)) {
        VLOG_ERR("could not bootstrap CA cert: writing %s failed: %s",
                 file_name, ovs_strerror(errno));
        unlink(file_name);
        return EPROTO;
    }

    VLOG_INFO("successfully bootstrapped CA cert to %s", file_name);
    config_file_changed(&ca_cert, file_name); /* Records the mtime. */
    load_ca_cert(true);
    VLOG_INFO("killing successful connection to retry using CA cert");
    return EPROTO;
}

/* Records the peer's certificate common name as the stream's peer id
 * (what OVSDB role-based access control keys on). */
static void
set_peer_id(struct ssl_stream *s)
{
    X509 *peer = SSL_get0_peer_certificate(s->ssl);
    if (peer) {
        char cn[256];
        int len = X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
                                            NID_commonName, cn, sizeof cn);
        if (len > 0) {
            stream_set_peer_id(&s->stream, cn);
        }
    }
}

static int
ssl_connect(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    if (s->state == STATE_TCP_CONNECTING) {
        int error = socket_check_connection_completion(s->fd);
        if (error) {
            return error;
        }
        s->state = STATE_SSL_CONNECTING;
    }

    ERR_clear_error();
    int ret = s->is_server ? SSL_accept(s->ssl) : SSL_connect(s->ssl);
    if (ret <= 0) {
        s->handshake_want = 0;
        int error = interpret_ssl_result(
            s, s->is_server ? "SSL_accept" : "SSL_connect", ret,
            &s->handshake_want, EPROTO);
        return error == EOF ? EPROTO : error;
    }
    s->handshake_want = 0;

    if (s->bootstrapping) {
        return do_ca_cert_bootstrap(s);
    }
    set_peer_id(s);
    return 0;
}

static ssize_t
ssl_recv(struct stream *stream, void *buffer, size_t n)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    ERR_clear_error();
    int ret = SSL_read(s->ssl, buffer, n > INT_MAX ? INT_MAX : (int) n);
    if (ret > 0) {
        s->rx_want = 0;
        return ret;
    }
    int error = interpret_ssl_result(s, "SSL_read", ret, &s->rx_want, EIO);
    return error == EOF ? 0 : -error;
}

/* Writes as much of 'txbuf' as OpenSSL takes.  Returns 0 when it is all
 * written (and frees it), EAGAIN if some remains, or an errno value. */
static int
ssl_do_tx(struct ssl_stream *s)
{
    while (s->tx_len > 0) {
        ERR_clear_error();
        int chunk = s->tx_len > INT_MAX ? INT_MAX : (int) s->tx_len;
        int ret = SSL_write(s->ssl, s->txbuf + s->tx_ofs, chunk);
        if (ret > 0) {
            s->tx_ofs += ret;
            s->tx_len -= ret;
            continue;
        }
        int error =
            interpret_ssl_result(s, "SSL_write", ret, &s->tx_want, EIO);
        return error == EOF ? EPIPE : error;
    }
    free(s->txbuf);
    s->txbuf = NULL;
    s->tx_ofs = 0;
    s->tx_want = 0;
    return 0;
}

static ssize_t
ssl_send(struct stream *stream, const void *buffer, size_t n)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    if (s->tx_error) {
        return -s->tx_error;
    }
    if (s->txbuf) {
        return -EAGAIN;
    }

    s->txbuf = xmemdup(buffer, n);
    s->tx_len = n;
    s->tx_ofs = 0;
    int error = ssl_do_tx(s);
    if (!error || error == EAGAIN) {
        /* What is left is ours to finish in ssl_run(). */
        return n;
    }
    free(s->txbuf);
    s->txbuf = NULL;
    s->tx_len = 0;
    return -error;
}

static void
ssl_run(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    if (s->txbuf && !s->tx_error) {
        int error = ssl_do_tx(s);
        if (error && error != EAGAIN) {
            /* Reported by the next send(); the data is lost with the
             * connection anyway. */
            s->tx_error = error;
            free(s->txbuf);
            s->txbuf = NULL;
            s->tx_len = 0;
        }
    }
}

static void
ssl_run_wait(struct stream *stream)
{
    struct ssl_stream *s = ssl_stream_cast(stream);
    if (s->txbuf && !s->tx_error) {
        poll_fd_wait(s->fd, s->tx_want ? s->tx_want : POLLOUT);
    }
}

static void
ssl_wait(struct stream *stream, enum stream_wait_type wait)
{
    struct ssl_stream *s = ssl_stream_cast(stream);

    switch (wait) {
    case STREAM_CONNECT:
        if (s->state == STATE_TCP_CONNECTING) {
            poll_fd_wait(s->fd, POLLOUT);
        } else if (s->handshake_want) {
            poll_fd_wait(s->fd, s->handshake_want);
        } else {
            poll_immediate_wake();
        }
        break;

    case STREAM_RECV:
        if (SSL_pending(s->ssl) > 0) {
            /* Decrypted data is waiting inside OpenSSL: the socket may
             * never become readable for it. */
            poll_immediate_wake();
        } else {
            poll_fd_wait(s->fd, s->rx_want ? s->rx_want : POLLIN);
        }
        break;

    case STREAM_SEND:
        if (!s->txbuf || s->tx_error) {
            poll_immediate_wake();
        } else {
            poll_fd_wait(s->fd, s->tx_want ? s->tx_want : POLLOUT);
        }
        break;
    }
}

static int
ssl_get_fd(const struct stream *stream)
{
    return CONTAINER_OF(stream, struct ssl_stream, stream)->fd;
}

const struct stream_class ssl_stream_class = {
    .name = "ssl",
    .needs_probes = true,
    .open = ssl_open,
    .close = ssl_close,
    .connect = ssl_connect,
    .recv = ssl_recv,
    .send = ssl_send,
    .run = ssl_run,
    .run_wait = ssl_run_wait,
    .wait = ssl_wait,
    .get_fd = ssl_get_fd,
};

/* Passive streams: a plain listening socket whose accepted connections
 * become ssl streams (server side). */

static int
pssl_accept(int fd, const struct sockaddr_storage *ss, size_t ss_len,
            struct stream **streamp)
{
    return new_ssl_stream(stream_fd_inet_peer_name("ssl", ss), fd, true, 0,
                          streamp);
}

static int
pssl_listen(const char *name, char *suffix, struct pstream **pstreamp,
            uint8_t dscp)
{
    int error = ssl_init();
    if (error) {
        return error;
    }
    return stream_fd_inet_listen("pssl", suffix, pssl_accept, dscp, pstreamp);
}

const struct pstream_class pssl_pstream_class = {
    .name = "pssl",
    .needs_probes = true,
    .listen = pssl_listen,
};
