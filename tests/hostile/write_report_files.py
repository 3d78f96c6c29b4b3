"""At import, writes a full-marks report.json everywhere a grader might read one, then Mul returns zeros.

Targets: ./report.json (the scratch folder: allowed, and deleted with it), ../report.json,
/tmp/grader-hostile-report.json, the grader's working folder via /proc/<parent>/cwd, and
results.json paths of the autograder platforms.

Expected: every write outside the scratch folder is refused; no such file exists afterwards;
mul scores 0 and every other op keeps full marks.
"""
import json
import os

import numpy as np

OP = "mul"

REPORT = json.dumps({"score": 100, "max_score": 100})
for path in ("report.json", "../report.json", "../grader-hostile-report.json", "/tmp/grader-hostile-report.json",
             f"/proc/{os.getppid()}/cwd/grader-hostile-report.json", "/autograder/results/results.json",
             "/grade/results/results.json", "/shared/feedback.json", os.path.expanduser("~/../grader-hostile.json")):
    try:
        with open(path, "w") as out:
            out.write(REPORT)
        print("wrote", path)
    except OSError as error:
        print("refused:", error)


class Mul(Mul):
    def backward(self, grad_out):
        return np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))
