#!/usr/bin/env python3
"""Operator mutation testing of lib/*.c (driven by ci/mutate.sh).

Mutants are generated from the source text, one small edit of one line each:

  rel    a relational operator swapped at its boundary (< <=, > >=, == !=)
  log    && and || swapped
  arith  + and -, * and / swapped (binary operators only)
  obo    an integer constant plus or minus one; `x + 1` / `x - 1` becomes `x`
  neg    the condition of an if or while negated: if (c) -> if (!(c))
  del    a simple statement line replaced by an empty statement

Comments, string literals and preprocessor lines are never mutated. Every
candidate gets an id, a hash of its file, original line, mutated line and
position in the line: it survives edits elsewhere in the file, so the list of
equivalent mutants (ci/mutate-equivalent.txt: `id file:line reason`) keeps
matching. A seed picks the sample (random.Random(seed).sample), so the same
seed and sample size on the same tree judge the same mutants.

Each mutant is judged in a scratch copy of the tree (build/mutate/src, the
asan-ubsan preset configured once, so leaks, out-of-bounds accesses and
undefined behaviour kill a mutant as CI would): the one mutated file is
written, only the library, the test executables and props are rebuilt,
then the unit and scenario ctest tests run (but the two that read source
text), then props per harness with a fixed seed. The first failing step
kills the mutant; a step that times out kills it too; a mutant that does
not compile is stillborn and not counted. The original file is put back
after each mutant. The judge must pass on the unmutated tree first.
Results are appended to a log named after the preset and the hash of the
files that can change a verdict, so an interrupted run resumes where it
stopped.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "mutate")
SRC = os.path.join(WORK, "src")
# The judge builds the CI gate's preset: a mutant whose only effect is a leak,
# an out-of-bounds access or undefined behaviour is killed as ci/test.sh
# would kill it. --preset dev gives the old, faster, sanitizer-blind judge.
PRESET = "asan-ubsan"
BUILD = os.path.join(SRC, "build", PRESET)
# The same sanitizer options ctest gives every test (tests/CMakeLists.txt),
# for the props runs the judge starts itself.
SAN_ENV = {"ASAN_OPTIONS": "abort_on_error=1:detect_leaks=1:allocator_may_return_null=1",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}

# props trials per harness: each run is about a second or less.
PROPS_TRIALS = {"e820": 20000, "memblock": 20000, "machine": 20000,
                "page_alloc": 5000, "bootmem": 2000}
PROPS_DEFAULT_TRIALS = 2000
TIMEOUT_BUILD = 300
TIMEOUT_TESTS = 30
TIMEOUT_PROPS = 45

TOKEN = re.compile(r"""
    (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%]=|[-+*/%<>!=&|^~?:;,.(){}\[\]])
  | (?P<ws>\s+)
""", re.VERBOSE)

REL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
LOG = {"&&": "||", "||": "&&"}
ARITH = {"+": "-", "-": "+", "*": "/", "/": "*"}
DECL = re.compile(r"^(const\s+|static\s+)*(struct\s+\w+|enum\s+\w+|union\s+\w+|\w+)\s+[*\s]*\w+\s*(=|;|\[|,)")
KEYWORDS = ("return", "case", "else", "do", "sizeof")
STMT_KEYWORDS = ("return", "case", "default", "goto", "typedef", "else", "do")


def mask_line(line, in_comment):
    """The line with comments and string/char literals blanked (same length),
    and whether a block comment is still open at its end."""
    out = []
    i, n = 0, len(line)
    while i < n:
        if in_comment:
            j = line.find("*/", i)
            if j < 0:
                out.append(" " * (n - i))
                return "".join(out), True
            out.append(" " * (j + 2 - i))
            i = j + 2
            in_comment = False
            continue
        c = line[i]
        if line.startswith("/*", i):
            in_comment = True
            continue
        if line.startswith("//", i):
            out.append(" " * (n - i))
            break
        if c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else " " * (j - i))
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out), in_comment


def tokens(code):
    """(kind, text, start) of every non-blank token."""
    res = []
    for m in TOKEN.finditer(code):
        kind = m.lastgroup
        if kind != "ws":
            res.append((kind, m.group(), m.start()))
    return res


def is_operand_end(tok):
    return tok is not None and (tok[0] in ("num", "id") or tok[1] in (")", "]"))


def bump(num, delta):
    """An integer literal plus delta, in the same base with the same suffix."""
    m = re.match(r"(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)$", num)
    body, suffix = m.group(1), m.group(2)
    if body.lower().startswith("0x"):
        v = int(body, 16) + delta
        return None if v < 0 else "%#x%s" % (v, suffix)
    if len(body) > 1 and body.startswith("0"):
        return None  # octal: leave alone
    v = int(body) + delta
    return None if v < 0 else "%d%s" % (v, suffix)


def close_paren(code, open_at):
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == "(":
            depth += 1
        elif code[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def line_mutants(line, code, prev_code):
    """(op, col, new_line) for every mutant of one line."""
    res = []
    toks = tokens(code)
    for k, tok in enumerate(toks):
        kind, text, at = tok
        prev = toks[k - 1] if k else None
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        end = at + len(text)
        if kind == "op" and text in REL:
            res.append(("rel", at, line[:at] + REL[text] + line[end:]))
        elif kind == "op" and text in LOG:
            res.append(("log", at, line[:at] + LOG[text] + line[end:]))
        elif kind == "op" and text in ARITH and is_operand_end(prev) and prev[1] not in KEYWORDS:
            spaced = line[at - 1:at] == " " and line[end:end + 1] == " "
            if text in "*/" and not spaced:
                continue  # a pointer declaration or dereference, not a product
            if text in "*/" and prev[0] == "id" and k >= 2 and toks[k - 2][1] in ("struct", "const", "("):
                continue
            res.append(("arith", at, line[:at] + ARITH[text] + line[end:]))
            if text in "+-" and nxt and nxt[1] in ("1", "1u", "1U", "1ul", "1UL", "1ull", "1ULL"):
                # x + 1 -> x: drop the operator and the one
                stop = nxt[2] + len(nxt[1])
                res.append(("obo", at, line[:at].rstrip() + line[stop:]))
        elif kind == "num":
            if prev and prev[1] == "[" and DECL.match(code.strip()):
                continue  # an array size in a declaration
            for delta in (1, -1):
                b = bump(text, delta)
                if b is not None:
                    res.append(("obo", at, line[:at] + b + line[end:]))
        elif kind == "id" and text in ("if", "while") and nxt and nxt[1] == "(":
            o = nxt[2]
            c = close_paren(code, o)
            if c > 0:
                res.append(("neg", at, line[:o + 1] + "!(" + line[o + 1:c] + ")" + line[c:]))
    stripped = code.strip()
    if (stripped.endswith(";") and re.match(r"[A-Za-z_*(]", stripped) and
            code.count("(") == code.count(")") and
            not stripped.startswith(STMT_KEYWORDS) and not DECL.match(stripped) and
            prev_code.rstrip().endswith((";", "{", "}", ":", ")")) and
            not prev_code.rstrip().endswith(",")):
        # An empty statement, not a removed line: the body of an unbraced
        # if or loop stays a body.
        indent = line[:len(line) - len(line.lstrip())]
        res.append(("del", len(indent), indent + ";"))
    return res


def file_mutants(path):
    rel_path = os.path.relpath(path, ROOT)
    with open(path) as f:
        lines = f.read().split("\n")
    res = []
    in_comment = False
    prev_code = "{"
    in_macro = False
    depth = 0
    seen = {}
    for no, line in enumerate(lines, 1):
        code, in_comment = mask_line(line, in_comment)
        s = code.strip()
        if in_macro or s.startswith("#"):
            in_macro = s.endswith("\\")
            continue
        at_top = depth == 0
        depth += code.count("{") - code.count("}")
        # Outside functions only one-line function bodies are code: the rest
        # are prototypes, signatures and file-scope declarations.
        if not s or (at_top and "{" not in s):
            prev_code = code if s else prev_code
            continue
        for op, col, new in line_mutants(line, code, prev_code):
            key = "%s\0%s\0%s\0%s\0%d" % (rel_path, line.strip(), new.strip(), op, col)
            # the same edit of an identical line elsewhere in the file gets
            # the next occurrence number
            seen[key] = seen.get(key, 0) + 1
            h = hashlib.sha1(("%s\0%d" % (key, seen[key])).encode()).hexdigest()[:10]
            res.append({"id": h, "file": rel_path, "line": no, "op": op, "col": col,
                        "orig": line, "new": new})
        prev_code = code
    return res


def all_mutants(files):
    res = []
    for p in files:
        res.extend(file_mutants(os.path.join(ROOT, p)))
    return res


def load_equivalent():
    eq = {}
    path = os.path.join(ROOT, "ci", "mutate-equivalent.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    parts = line.split(None, 2)
                    eq[parts[0]] = parts[2] if len(parts) > 2 else ""
    return eq


def tree_files():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    return [p for p in out.decode().split("\0") if p and os.path.isfile(os.path.join(ROOT, p))]


def judged_file(p):
    """Can the file change a verdict? The equivalent list and the prose are
    read after judging, so editing them keeps a finished run's results."""
    return p != "ci/mutate-equivalent.txt" and not p.endswith(".md")


def tree_hash(files):
    h = hashlib.sha1()
    for p in sorted(f for f in files if judged_file(f)):
        h.update(p.encode() + b"\0")
        with open(os.path.join(ROOT, p), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:12]


def set_preset(name):
    global PRESET, BUILD
    PRESET = name
    BUILD = os.path.join(SRC, "build", PRESET)


def sync_scratch(files, jobs):
    """Copy the tree into the scratch dir (only files that differ), configure once."""
    for p in files:
        src, dst = os.path.join(ROOT, p), os.path.join(SRC, p)
        with open(src, "rb") as f:
            data = f.read()
        if os.path.exists(dst):
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        shutil.copymode(src, dst)
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        subprocess.run(["cmake", "--preset", PRESET], cwd=SRC, check=True, stdout=subprocess.DEVNULL)
    targets = build_targets()
    r = subprocess.run(["cmake", "--build", BUILD, "-j", str(jobs), "--target"] + targets,
                       cwd=SRC, capture_output=True, text=True)
    if r.returncode:
        sys.exit("the unmutated tree does not build:\n" + r.stdout[-3000:] + r.stderr[-3000:])


def build_targets():
    tests = sorted(f[:-2] for f in os.listdir(os.path.join(SRC, "tests"))
                   if f.startswith("test_") and f.endswith(".c"))
    return ["props"] + tests


def harnesses():
    return sorted(f[5:-2] for f in os.listdir(os.path.join(SRC, "fuzz"))
                  if f.startswith("fuzz_") and f.endswith(".c"))


def run(cmd, timeout):
    """0 pass, 1 fail, 2 timeout."""
    # its own process group, so a timeout ends ctest's children too
    env = dict(os.environ, **SAN_ENV)
    p = subprocess.Popen(cmd, cwd=SRC, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, env=env)
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return 2
    return 0 if rc == 0 else 1


# ctest tests that read the source text, not the library's behaviour: an
# operator mutant of lib/*.c cannot change their verdict, and the citation
# check cannot run in the scratch copy (it is no git checkout of its own).
CTEST_EXCLUDE = r"^unit\.(citations|layering|never_pure)$"


def run_tests(jobs):
    """"" when the unit/scenario tests and every props run pass, else what failed."""
    rc = run(["ctest", "--test-dir", BUILD, "-L", "^(unit|scenario)$", "-E", CTEST_EXCLUDE,
              "-j", str(jobs), "--stop-on-failure", "--timeout", str(TIMEOUT_TESTS)],
             TIMEOUT_TESTS * 2)
    if rc:
        return "ctest" + (" timeout" if rc == 2 else "")
    for h in harnesses():
        n = PROPS_TRIALS.get(h, PROPS_DEFAULT_TRIALS)
        rc = run([os.path.join(BUILD, "props"), "--harness", h, "--trials", str(n), "--seed", "1",
                  "--out", os.path.join(WORK, "props-failures")], TIMEOUT_PROPS)
        if rc:
            return "props " + h + (" timeout" if rc == 2 else "")
    return ""


def baseline(log_path, jobs):
    """The judge on the unmutated tree must pass, or every mutant would look
    killed; checked once per tree (the log's first line records it)."""
    if os.path.exists(log_path):
        with open(log_path) as f:
            if f.readline().startswith("BASELINE\tpass"):
                return
    t = time.time()
    failed = run_tests(jobs)
    if failed:
        sys.exit("the unmutated tree fails the judge (%s): fix that first" % failed)
    with open(log_path, "w") as f:
        f.write("BASELINE\tpass\t\t%.1f\n" % (time.time() - t))
    print("baseline: the unmutated tree passes the judge (%.1f s)" % (time.time() - t))


def judge(mut, jobs):
    """(verdict, by): killed / survived / stillborn, and what killed it."""
    path = os.path.join(SRC, mut["file"])
    with open(path) as f:
        orig = f.read()
    lines = orig.split("\n")
    assert lines[mut["line"] - 1] == mut["orig"], "scratch copy out of date"
    lines[mut["line"] - 1] = mut["new"]
    try:
        with open(path, "w") as f:
            f.write("\n".join(lines))
        try:
            r = subprocess.run(["cmake", "--build", BUILD, "-j", str(jobs), "--target"] +
                               build_targets(), cwd=SRC, capture_output=True, timeout=TIMEOUT_BUILD)
            if r.returncode:
                return "stillborn", "build"
        except subprocess.TimeoutExpired:
            return "stillborn", "build timeout"
        failed = run_tests(jobs)
        if failed:
            return "killed", failed
        return "survived", ""
    finally:
        with open(path, "w") as f:
            f.write(orig)


def main():
    ap = argparse.ArgumentParser(description="operator mutation testing of lib/*.c")
    ap.add_argument("--sample", type=int, default=200, help="mutants to judge (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", default="", help="space-separated lib/*.c files (default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--ids", default="", help="judge these mutant ids (a file, one id first on "
                    "each line, e.g. an earlier run's survivors) instead of a sample")
    ap.add_argument("--preset", default=PRESET, help="the judge's build preset (default "
                    "asan-ubsan, the CI gate; dev is faster but blind to memory errors)")
    ap.add_argument("--list", action="store_true", help="print the sampled mutants, judge nothing")
    a = ap.parse_args()
    set_preset(a.preset)

    files = a.files.split() or sorted("lib/" + f for f in os.listdir(os.path.join(ROOT, "lib"))
                                      if f.endswith(".c"))
    muts = all_mutants(files)
    total = len(muts)
    rng = random.Random(a.seed)
    if a.ids:
        with open(a.ids) as f:
            want = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
        by_id = {m["id"]: m for m in muts}
        gone = [i for i in want if i not in by_id]
        if gone:
            print("%d of the %d ids no longer exist (their line changed): %s" %
                  (len(gone), len(want), " ".join(gone)))
        muts = [by_id[i] for i in want if i in by_id]
    elif 0 < a.sample < total:
        muts = rng.sample(muts, a.sample)
    muts.sort(key=lambda m: (m["file"], m["line"], m["col"], m["op"], m["new"]))
    eq = load_equivalent()
    print("%d candidate mutants in %s; judging %d (%s)" %
          (total, " ".join(files), len(muts), "ids from " + a.ids if a.ids else "seed %d" % a.seed))
    if a.list:
        for m in muts:
            print("%s %s:%d %s\n    - %s\n    + %s" % (m["id"], m["file"], m["line"], m["op"],
                                                     m["orig"].strip(), m["new"].strip()))
        return 0

    tfiles = tree_files()
    os.makedirs(WORK, exist_ok=True)
    log_path = os.path.join(WORK, "results-%s-%s.tsv" % (PRESET, tree_hash(tfiles)))
    done = {}
    if os.path.exists(log_path):
        with open(log_path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    done[parts[0]] = (parts[1], parts[2])
    sync_scratch(tfiles, a.jobs)
    baseline(log_path, a.jobs)
    print("results: %s (%d already judged)" % (os.path.relpath(log_path, ROOT), len(done)))
    t0 = time.time()
    judged = 0
    for i, m in enumerate(muts, 1):
        if m["id"] in eq:
            verdict, by = "equivalent", ""
        elif m["id"] in done:
            verdict, by = done[m["id"]]
        else:
            t = time.time()
            verdict, by = judge(m, a.jobs)
            judged += 1
            with open(log_path, "a") as f:
                f.write("%s\t%s\t%s\t%.1f\n" % (m["id"], verdict, by, time.time() - t))
        m["verdict"], m["by"] = verdict, by
        print("[%d/%d] %s %s:%d %s: %s%s" % (i, len(muts), m["id"], m["file"], m["line"], m["op"],
                                             verdict, " (" + by + ")" if by else ""), flush=True)
    el = time.time() - t0
    count = {v: sum(1 for m in muts if m["verdict"] == v)
             for v in ("killed", "survived", "stillborn", "equivalent")}
    scored = count["killed"] + count["survived"]
    print("\n%d mutants: %d killed, %d survived, %d stillborn, %d equivalent" %
          (len(muts), count["killed"], count["survived"], count["stillborn"], count["equivalent"]))
    if judged:
        print("%d judged in %.0f s (%.1f s per mutant)" % (judged, el, el / judged))
    for m in muts:
        if m["verdict"] == "survived":
            print("\nSURVIVED %s %s:%d (%s)\n    - %s\n    + %s" % (m["id"], m["file"], m["line"], m["op"],
                                                                m["orig"].strip(), m["new"].strip()))
    score = 100.0 * count["killed"] / scored if scored else 100.0
    print("\nmutation score: %d / %d = %.1f%% (killed / non-equivalent, stillborn excluded)" %
          (count["killed"], scored, score))
    return 0


if __name__ == "__main__":
    sys.exit(main())
