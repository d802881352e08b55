/*
 * The kernel's record of who connected to a Unix socket: getsockopt(SO_PEERCRED) on a connected AF_UNIX socket
 * gives the pid, effective uid and effective gid the connecting process had when it called connect(). Node has
 * no API for it (libuv neither), so the admin socket asks through this one function. Plain Node-API (C, no
 * node-addon-api): ABI-stable across Node versions, no dependency. See docs/DESIGN-DECISIONS.md, "Who is asking
 * on the admin socket".
 *
 *   peerCredentials(fd: number): { pid: number, uid: number, gid: number }   throws an Error with .code (errno name)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "getsockopt(SO_PEERCRED): %s", strerror(err));
  const char *code = err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : err == ENOPROTOOPT ? "ENOPROTOOPT" : err == ENOTCONN ? "ENOTCONN" : "EIO";
  napi_throw_error(env, code, msg);
  return NULL;
}

static int set_number(napi_env env, napi_value obj, const char *key, double value) {
  napi_value v;
  if (napi_create_double(env, value, &v) != napi_ok) return 0;
  return napi_set_named_property(env, obj, key, v) == napi_ok;
}

static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peerCredentials(fd): fd must be a file descriptor number");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  memset(&cred, 0, sizeof cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, errno);
  if (len != sizeof cred) return throw_errno(env, EIO);
  napi_value out;
  if (napi_create_object(env, &out) != napi_ok) return NULL;
  if (!set_number(env, out, "pid", (double)cred.pid) || !set_number(env, out, "uid", (double)cred.uid) || !set_number(env, out, "gid", (double)cred.gid)) return NULL;
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "peerCredentials", NAPI_AUTO_LENGTH, peer_credentials, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "peerCredentials", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
