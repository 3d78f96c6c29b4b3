# The grader image: one submission in, one platform's results file out.
#
#   docker build -t backprop-grader .
#   docker run --rm --network none -v "$PWD/job:/grade" backprop-grader prairielearn
#
# The argument picks the platform: gradescope, prairielearn or coursera. Without one the image
# grades for the PLATFORM build argument, coursera by default, because Coursera starts the image
# with no arguments (PrairieLearn names its entrypoint in info.json). Each platform reads its own
# root: /autograder, /grade or /shared (docs/platforms.md).
#
# NOT BUILT HERE: the machine this kit was written on has no Docker daemon, so this file has never
# been built or run; `make test` checks the same grader through the Gradescope bundle and the platform
# adapters against temporary roots instead.
#
# The grader runs as root so the sandbox can start student code as the unprivileged
# `grader-worker` user (a different UID from the one that holds the reference and writes the
# results, as Gradescope's security best practices advise: https://gradescope-autograders.readthedocs.io/en/latest/best_practices/).
# Nothing needs the network at run time.
FROM python:3.11-slim-bookworm

ARG PLATFORM=coursera
ENV GRADER_PLATFORM=${PLATFORM} \
    GRADER_WORKER_USER=grader-worker \
    GRADER_SANDBOX_MEMORY_MB=512 \
    PYTHONPATH=/opt/grader \
    BACKPROP_SOLUTIONS=/opt/grader/solutions/backprop/ops.py \
    PYTHONDONTWRITEBYTECODE=1 \
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

COPY grader/platforms/templates/requirements.txt /opt/grader/requirements.txt
RUN python -m pip install --no-cache-dir --disable-pip-version-check -r /opt/grader/requirements.txt \
 && useradd --system --no-create-home --shell /usr/sbin/nologin grader-worker

COPY grader /opt/grader/grader
COPY solutions/backprop/ops.py /opt/grader/solutions/backprop/ops.py
# The capstone (a graph.py beside ops.py): the reference tape, private like ops.py, and the given network.
COPY solutions/backprop/graph.py /opt/grader/solutions/backprop/graph.py
COPY assignments/backprop/network.py /opt/grader/assignments/backprop/network.py
COPY grader/platforms/templates/docker-entrypoint.sh /usr/local/bin/grader-entrypoint
# The example bank is drawn once, here, not in every container (the entrypoint passes --bank); so
# are the capstone's cases (into root's cache folder, where grading reads them).
# It and the reference are readable by root only; the grader package stays world-readable for the worker.
# The grader package is compiled to bytecode here too, as Gradescope's setup.sh does: the image sets
# PYTHONDONTWRITEBYTECODE, so without it every container (and the worker, as its own user) would
# compile every module it imports from source, on every submission (~0.1 s of CPU each).
RUN python -m grader bank /opt/grader/solutions/bank.npz \
 && python -c "from grader.ops import registry; from grader.ops.capstone.grade import draw_all; draw_all(registry.select().rubric())" \
 && python -m compileall -q /opt/grader/grader \
 && chmod -R go= /opt/grader/solutions && chmod 755 /usr/local/bin/grader-entrypoint

WORKDIR /opt/grader
ENTRYPOINT ["/usr/local/bin/grader-entrypoint"]
