{
  "targets": [
    {
      "target_name": "peer_credentials",
      "sources": ["peer_credentials.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
