// One blocking HTTP request through libcurl, which is loaded (dlopen) on first use rather than linked:
// a run that uses no remote cache pays nothing for it. See http.c.
#ifndef TESTCACHE_HTTP_H
#define TESTCACHE_HTTP_H

#include <stddef.h>
#include <stdint.h>

/// What one request gave: an HTTP status, or a transport error (status 0) with its message.
typedef struct {
    long status;
    /// The response body, malloc'd (free it with stc_http_free_body); NULL when empty.
    uint8_t *body;
    size_t bodyLength;
    /// The transport error's message when status is 0 (refused, timed out, reset, body too large).
    char error[256];
} stc_http_response;

/// Loads libcurl once; 1 when it is there, 0 with a message in `error` (256 bytes) when not.
int stc_http_load(char *error);

/// An opaque reusable connection (a curl easy handle): requests through one reuse its connection.
void *stc_http_connection_new(void);
void stc_http_connection_free(void *connection);

/// Performs `method` on `url` with the given header lines and body, within the timeouts, keeping at
/// most `maxBody` bytes of response (more is a transport error). Returns 1 when an HTTP status came back.
int stc_http_perform(
    void *connection, const char *method, const char *url, const char *const *headers, size_t headerCount,
    const uint8_t *body, size_t bodyLength, long connectTimeoutMilliseconds, long timeoutMilliseconds,
    size_t maxBody, stc_http_response *response);

void stc_http_free_body(stc_http_response *response);

#endif
