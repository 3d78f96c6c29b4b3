"""Every platform image compiles the grader package to bytecode once, when it is built.

A platform's container is fresh for each submission, and the Docker image sets
PYTHONDONTWRITEBYTECODE: without bytecode built into the image, every submission's grading process
(and its worker, as a user that could never write a cache) compiles every module it imports from
source. Checked in the files themselves, since no Docker daemon runs here.
"""

import re

from conftest import ROOT


def test_the_docker_image_compiles_the_grader_it_copies():
    text = (ROOT / "Dockerfile").read_text()
    copied = re.search(r"^COPY grader (\S+)$", text, flags=re.M)
    assert copied, "the Dockerfile copies the grader package"
    runs = " ".join(re.findall(r"^RUN (.*)$", text.replace("\\\n", " "), flags=re.M))   # continued lines joined
    assert f"python -m compileall -q {copied.group(1)}" in runs


def test_gradescope_setup_compiles_the_bundled_grader():
    text = (ROOT / "grader" / "platforms" / "templates" / "setup.sh").read_text()
    assert '-m compileall -q "$here/grader"' in text
