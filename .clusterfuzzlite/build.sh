#!/bin/bash -eu
# Same build as OSS-Fuzz.
exec "$SRC/vhost-cts/fuzz/oss-fuzz/build.sh"
