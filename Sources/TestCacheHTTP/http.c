// HTTP for the remote cache through libcurl, the library FoundationNetworking itself is built on, here
// loaded with dlopen the first time a remote cache is used. Linking FoundationNetworking instead costs
// every run of the tool about 11 ms of start-up for its 30 more shared libraries (measured on a hello
// world), more than half of a fully cached run; a run without a remote cache must not pay that.
//
// libcurl's ABI (soname 4) has been stable since 2006: the option numbers below are its own, from
// curl.h, written out so that building needs no libcurl headers.
#include "TestCacheHTTP.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    optWriteData = 10001, optURL = 10002, optErrorBuffer = 10010, optPostFields = 10015, optUserAgent = 10018,
    optHTTPHeader = 10023, optCustomRequest = 10036, optWriteFunction = 20011, optNoBody = 44,
    optFollowLocation = 52, optHTTPGet = 80, optNoSignal = 99,
    optTimeoutMS = 155, optConnectTimeoutMS = 156, optPostFieldSizeLarge = 30120,
    infoResponseCode = 0x200000 + 2,
    globalAll = 3,
    curlOK = 0,
    curlWriteError = 23,
};

struct slist;
static struct {
    int (*globalInit)(long);
    void *(*easyInit)(void);
    void (*easyCleanup)(void *);
    void (*easyReset)(void *);
    int (*easySetopt)(void *, int, ...);
    int (*easyPerform)(void *);
    int (*easyGetinfo)(void *, int, ...);
    const char *(*easyStrerror)(int);
    struct slist *(*slistAppend)(struct slist *, const char *);
    void (*slistFreeAll)(struct slist *);
} curl;

static pthread_once_t loadOnce = PTHREAD_ONCE_INIT;
static char loadError[256];
static int loaded;

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl.4.dylib", "libcurl.so", "libcurl.dylib"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(loadError, sizeof loadError, "libcurl is not installed (%s)", dlerror());
        return;
    }
#define SYMBOL(field, name)                                                                          \
    if (!(*(void **)&curl.field = dlsym(library, name))) {                                           \
        snprintf(loadError, sizeof loadError, "libcurl has no %s", name);                            \
        return;                                                                                      \
    }
    SYMBOL(globalInit, "curl_global_init")
    SYMBOL(easyInit, "curl_easy_init")
    SYMBOL(easyCleanup, "curl_easy_cleanup")
    SYMBOL(easyReset, "curl_easy_reset")
    SYMBOL(easySetopt, "curl_easy_setopt")
    SYMBOL(easyPerform, "curl_easy_perform")
    SYMBOL(easyGetinfo, "curl_easy_getinfo")
    SYMBOL(easyStrerror, "curl_easy_strerror")
    SYMBOL(slistAppend, "curl_slist_append")
    SYMBOL(slistFreeAll, "curl_slist_free_all")
#undef SYMBOL
    // Not thread-safe in older libcurls: done here, once, under pthread_once.
    if (curl.globalInit(globalAll) != curlOK) {
        snprintf(loadError, sizeof loadError, "libcurl did not initialize");
        return;
    }
    loaded = 1;
}

int stc_http_load(char *error) {
    pthread_once(&loadOnce, load);
    if (!loaded && error) memcpy(error, loadError, sizeof loadError);
    return loaded;
}

void *stc_http_connection_new(void) { return loaded ? curl.easyInit() : NULL; }

void stc_http_connection_free(void *connection) {
    if (connection) curl.easyCleanup(connection);
}

struct sink {
    stc_http_response *response;
    size_t capacity;
    size_t max;
    int tooLarge;
};

static size_t collect(char *data, size_t size, size_t count, void *context) {
    struct sink *sink = context;
    size_t length = size * count;
    stc_http_response *response = sink->response;
    if (response->bodyLength + length > sink->max) {
        sink->tooLarge = 1;
        return 0;  // aborts the transfer
    }
    if (response->bodyLength + length > sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity * 2 : 16384;
        while (capacity < response->bodyLength + length) capacity *= 2;
        uint8_t *grown = realloc(response->body, capacity);
        if (!grown) return 0;
        response->body = grown;
        sink->capacity = capacity;
    }
    memcpy(response->body + response->bodyLength, data, length);
    response->bodyLength += length;
    return length;
}

int stc_http_perform(
    void *connection, const char *method, const char *url, const char *const *headers, size_t headerCount,
    const uint8_t *body, size_t bodyLength, long connectTimeoutMilliseconds, long timeoutMilliseconds,
    size_t maxBody, stc_http_response *response) {
    memset(response, 0, sizeof *response);
    if (!loaded || !connection) {
        snprintf(response->error, sizeof response->error, "libcurl is not loaded");
        return 0;
    }
    curl.easyReset(connection);  // keeps the connection, forgets the last request's options
    struct slist *list = NULL;
    for (size_t i = 0; i < headerCount; i++) list = curl.slistAppend(list, headers[i]);
    // No "Expect: 100-continue" round trip before large bodies, and no form content type.
    list = curl.slistAppend(list, "Expect:");
    list = curl.slistAppend(list, "Content-Type: application/octet-stream");
    struct sink sink = {response, 0, maxBody, 0};
    curl.easySetopt(connection, optURL, url);
    curl.easySetopt(connection, optNoSignal, 1L);  // timeouts without SIGALRM: we are multithreaded
    curl.easySetopt(connection, optFollowLocation, 0L);
    curl.easySetopt(connection, optConnectTimeoutMS, connectTimeoutMilliseconds);
    curl.easySetopt(connection, optTimeoutMS, timeoutMilliseconds);
    curl.easySetopt(connection, optUserAgent, "swift-testcache");
    curl.easySetopt(connection, optHTTPHeader, list);
    curl.easySetopt(connection, optErrorBuffer, response->error);
    curl.easySetopt(connection, optWriteFunction, collect);
    curl.easySetopt(connection, optWriteData, &sink);
    if (strcmp(method, "HEAD") == 0) {
        curl.easySetopt(connection, optNoBody, 1L);
    } else if (strcmp(method, "GET") == 0) {
        curl.easySetopt(connection, optHTTPGet, 1L);
    } else {
        curl.easySetopt(connection, optCustomRequest, method);
        curl.easySetopt(connection, optPostFields, body ? (const char *)body : "");
        curl.easySetopt(connection, optPostFieldSizeLarge, (long long)bodyLength);
    }
    int code = curl.easyPerform(connection);
    curl.slistFreeAll(list);
    if (code != curlOK) {
        if (!response->error[0]) snprintf(response->error, sizeof response->error, "%s", curl.easyStrerror(code));
        if (sink.tooLarge && code == curlWriteError) {
            snprintf(response->error, sizeof response->error, "response larger than %zu bytes", maxBody);
        }
        stc_http_free_body(response);
        return 0;
    }
    curl.easyGetinfo(connection, infoResponseCode, &response->status);
    response->error[0] = 0;
    return 1;
}

void stc_http_free_body(stc_http_response *response) {
    free(response->body);
    response->body = NULL;
    response->bodyLength = 0;
}
