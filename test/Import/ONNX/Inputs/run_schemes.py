"""run_schemes.py DIR NAME CLUSTER:SCHEME...

Compiles DIR/NAME.mlir with dl-compile for each CLUSTER:SCHEME (SCHEME
`search` runs the plan search; no --scheme), runs the ranks through the
generated run.sh on DIR/NAME.input.npy and compares the output with
DIR/NAME.expected.npy (compare.py, max relative error <= 1e-4). Prints one
line per configuration, `CLUSTER SCHEME max_rel_error E ok` (also appended
to DIR/results.txt), and exits 1 at the first configuration that fails to
compile, run or match.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode != 0:
        print(p.stdout)
        print("%s failed (exit %d): %s" % (what, p.returncode, " ".join(cmd)))
        sys.exit(1)
    return p.stdout


def main():
    d, name = sys.argv[1], sys.argv[2]
    model = os.path.join(d, name + ".mlir")
    for config in sys.argv[3:]:
        cluster, scheme = config.split(":", 1)
        out = os.path.join(d, "%s-%s" % (cluster, scheme.replace(":", "")))
        cmd = ["dl-compile", model, "--cluster", cluster, "--no-reference",
               "-o", out]
        if scheme != "search":
            cmd += ["--scheme", scheme]
        run(cmd, "dl-compile")
        got = os.path.join(out, "output.npy")
        run([os.path.join(out, "run.sh"), "--input",
             os.path.join(d, name + ".input.npy"), "--output", got], "run.sh")
        p = subprocess.run([sys.executable, os.path.join(HERE, "compare.py"),
                            got, os.path.join(d, name + ".expected.npy")],
                           stdout=subprocess.PIPE, universal_newlines=True)
        line = "%s %s %s" % (cluster, scheme, p.stdout.strip())
        print(line, flush=True)
        with open(os.path.join(d, "results.txt"), "a") as f:
            f.write(line + "\n")
        if p.returncode != 0:
            sys.exit(1)


if __name__ == "__main__":
    main()
