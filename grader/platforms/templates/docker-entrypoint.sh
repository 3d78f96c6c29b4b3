#!/bin/sh
# Entrypoint of the grader image: `docker run IMAGE [gradescope|prairielearn|coursera]` grades the
# one submission mounted at that platform's root. Without an argument it grades for
# $GRADER_PLATFORM (set at build time with --build-arg PLATFORM=...), so platforms that start the
# image without arguments (Coursera) need nothing else.
set -eu
# --bank: drawn once when the image was built (Dockerfile), so no container draws it again.
exec python -m grader "${1:-$GRADER_PLATFORM}" run --bank /opt/grader/solutions/bank.npz
