#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
# It installs the pinned requirements into a virtual environment and creates the unprivileged
# user the sandbox runs student code as (Gradescope's "Security Best Practices",
# https://gradescope-autograders.readthedocs.io/en/latest/best_practices/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${GRADER_VENV:-/opt/grader-venv}"
worker="${GRADER_WORKER_USER:-grader-worker}"

apt_install() {  # only where the base image lacks what the grader needs
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: cannot install $* (no apt-get); choose a base image with Python >= 3.11 and venv" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# The grader needs Python >= 3.11 (tomllib; numpy 2.4). Gradescope's default base image, Ubuntu
# 22.04, has 3.10: only there is the distribution's python3.11 installed.
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$(command -v "$candidate")"
        break
    fi
done
if [ -z "$python" ]; then
    apt_install python3.11 python3.11-venv
    python="$(command -v python3.11)"
fi

# A venv, not the system site-packages: newer base images refuse system-wide pip installs
# (PEP 668). Debian and Ubuntu package the venv module separately.
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install "python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check -r "$here/requirements.txt"

# The bundle's example bank was drawn on the instructor's machine; its key names the Python, NumPy
# and Hypothesis versions. Redraw it here, once, if this image's differ: every submission then
# loads it instead of drawing it (a Gradescope container is fresh for each submission).
if [ -f "$here/solutions/course/course.toml" ]; then export GRADER_COURSE="$here/solutions/course"; fi
PYTHONPATH="$here" BACKPROP_SOLUTIONS="$here/solutions/backprop/ops.py" \
    "$venv/bin/python" -m grader bank "$here/solutions/bank.npz" --rubric "$here/rubric.toml"

# The bundle's grader package compiled to bytecode once, here: a container is fresh for every
# submission, so without it each run compiles every module it imports from source (~0.1 s of CPU;
# the worker, as its own user, could never cache its modules at all).
"$venv/bin/python" -m compileall -q "$here/grader"

if ! id -u "$worker" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$worker"
fi
echo "setup.sh: $("$venv/bin/python" --version) in $venv, worker user $worker"
