#ifndef AWS_REALTIME_CCURL_SHIM_H
#define AWS_REALTIME_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt, curl_multi_setopt, curl_share_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call. One typed inline wrapper per argument type.

static inline CURLcode aws_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode aws_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode aws_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode aws_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode aws_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode aws_curl_easy_setopt_share(CURL *handle, CURLSH *share) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, share);
}

typedef size_t (*aws_curl_data_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
typedef int (*aws_curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                          curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode aws_curl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                                          aws_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode aws_curl_easy_setopt_xferinfo_callback(CURL *handle,
                                                              aws_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode aws_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode aws_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode aws_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode aws_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline CURLSHcode aws_curl_share_setopt_long(CURLSH *handle, CURLSHoption option, long value) {
    return curl_share_setopt(handle, option, value);
}

typedef void (*aws_curl_lock_function)(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr);
typedef void (*aws_curl_unlock_function)(CURL *handle, curl_lock_data data, void *userptr);

static inline CURLSHcode aws_curl_share_setopt_lock(CURLSH *handle, aws_curl_lock_function function) {
    return curl_share_setopt(handle, CURLSHOPT_LOCKFUNC, function);
}

static inline CURLSHcode aws_curl_share_setopt_unlock(CURLSH *handle, aws_curl_unlock_function function) {
    return curl_share_setopt(handle, CURLSHOPT_UNLOCKFUNC, function);
}

static inline CURLSHcode aws_curl_share_setopt_pointer(CURLSH *handle, CURLSHoption option, void *value) {
    return curl_share_setopt(handle, option, value);
}

#endif
