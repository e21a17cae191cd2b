// The rough limit for the transport benchmark: a minimal echo of
// length-prefixed messages over OpenSSL TLS 1.3 with client certificates,
// blocking sockets, one connection, `depth` requests outstanding.
//
//   tls_echo server PORT CERT KEY CA
//   tls_echo client PORT CERT KEY CA PAYLOAD DEPTH SECONDS WARMUP
//
// The client prints one line in RPCBenchmark's format:
//   c-openssl payload=200 inflight=1 calls_per_s=... p50_us=... p99_us=...
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "tls_echo: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static SSL_CTX *make_context(int server, const char *cert, const char *key, const char *ca) {
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx) die("SSL_CTX_new");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) die("certificate");
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) die("key");
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) die("CA");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return ctx;
}

static int read_exactly(SSL *ssl, uint8_t *buffer, int length) {
    int done = 0;
    while (done < length) {
        int n = SSL_read(ssl, buffer + done, length - done);
        if (n <= 0) return -1;
        done += n;
    }
    return 0;
}

/// Reads one frame into buffer (at most capacity bytes); its length, or -1.
static int read_frame(SSL *ssl, uint8_t *buffer, int capacity) {
    uint8_t header[4];
    if (read_exactly(ssl, header, 4) != 0) return -1;
    int length = (header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3];
    if (length > capacity || read_exactly(ssl, buffer, length) != 0) return -1;
    return length;
}

static int write_frame(SSL *ssl, uint8_t *frame, int length) {
    frame[0] = (uint8_t)(length >> 24);
    frame[1] = (uint8_t)(length >> 16);
    frame[2] = (uint8_t)(length >> 8);
    frame[3] = (uint8_t)length;
    return SSL_write(ssl, frame, length + 4) == length + 4 ? 0 : -1;
}

enum { maximum_payload = 1 << 20 };

static void *serve(void *argument) {
    SSL *ssl = argument;
    uint8_t *frame = malloc(maximum_payload + 4);
    if (SSL_accept(ssl) == 1) {
        int length;
        while ((length = read_frame(ssl, frame + 4, maximum_payload)) >= 0) {
            if (write_frame(ssl, frame, length) != 0) break;
        }
        SSL_shutdown(ssl);
    }
    close(SSL_get_fd(ssl));
    SSL_free(ssl);
    free(frame);
    return NULL;
}

__attribute__((noreturn)) static void run_server(int port, SSL_CTX *ctx) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) die("bind");
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) continue;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, client);
        pthread_t thread;
        pthread_create(&thread, NULL, serve, ssl);
        pthread_detach(thread);
    }
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_client(int port, SSL_CTX *ctx, int payload, int depth, double seconds, double warmup) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) die("handshake");

    uint8_t *frame = calloc(payload + 4, 1);
    uint8_t *answer = malloc(payload > 0 ? payload : 1);
    double *sent = calloc(depth, sizeof *sent); // a ring: the oldest outstanding request first
    size_t capacity = 1 << 20, count = 0;
    double *latencies = malloc(capacity * sizeof *latencies);

    double start = now_seconds(), measure_from = start + warmup, end = measure_from + seconds;
    for (int i = 0; i < depth; i++) {
        sent[i] = now_seconds();
        if (write_frame(ssl, frame, payload) != 0) die("write");
    }
    for (long next = 0;; next++) {
        if (read_frame(ssl, answer, payload) != payload) die("read");
        double now = now_seconds();
        double began = sent[next % depth];
        if (began >= measure_from && now < end) {
            if (count == capacity) latencies = realloc(latencies, (capacity *= 2) * sizeof *latencies);
            latencies[count++] = now - began;
        }
        if (now >= end) break;
        sent[next % depth] = now_seconds();
        if (write_frame(ssl, frame, payload) != 0) die("write");
    }
    qsort(latencies, count, sizeof *latencies, compare);
    double p50 = count ? latencies[count / 2] : 0, p99 = count ? latencies[count * 99 / 100] : 0;
    printf("c-openssl payload=%d inflight=%d calls_per_s=%.0f p50_us=%.0f p99_us=%.0f\n", payload, depth,
           count / seconds, p50 * 1e6, p99 * 1e6);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "server") == 0) {
        run_server(atoi(argv[2]), make_context(1, argv[3], argv[4], argv[5]));
    }
    if (argc >= 10 && strcmp(argv[1], "client") == 0) {
        SSL_CTX *ctx = make_context(0, argv[3], argv[4], argv[5]);
        return run_client(atoi(argv[2]), ctx, atoi(argv[6]), atoi(argv[7]), atof(argv[8]), atof(argv[9]));
    }
    fprintf(stderr, "usage: tls_echo server PORT CERT KEY CA\n"
                    "       tls_echo client PORT CERT KEY CA PAYLOAD DEPTH SECONDS WARMUP\n");
    return 2;
}
