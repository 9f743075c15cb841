"""`python -m utils.grade`: synthetic submissions for two lessons, each scored as it deserves.

Submissions are made from the course's own notebooks: the student notebook untouched (empty), with the
solutions' answers pasted in (solved), partly solved, crashing in the middle, hanging, eating memory,
and three ways of tampering with the checks. All of one lesson are graded in one parallel batch.
"""

import copy
import csv
import json
import re
import subprocess
import sys

import pytest

from tests import notebook_rules as rules
from utils import grade

LESSONS = ("01", "03")


def _load(folder, lesson):
    return rules.load(next((rules.ROOT / folder).glob(f"{lesson}_*.ipynb")))


def _exercise_spans(nb):
    """exercise id -> (heading index, check index)."""
    headings, spans = {}, {}
    for index, cell in enumerate(nb["cells"]):
        text = rules.source(cell)
        match = rules.EXERCISE_HEADING.search(text) if cell["cell_type"] == "markdown" else None
        if match:
            headings[f"{match.group(1)}.{match.group(2)}"] = index
        first = rules.CHECK_FIRST_LINE.match(text.split("\n", 1)[0]) if cell["cell_type"] == "code" else None
        if first:
            ident = f"{first.group(1)}.{first.group(2)}"
            spans[ident] = (headings[ident], index)
    return spans


def solved(lesson, only=None):
    """The student notebook with the solutions' answer cells pasted over its starter cells."""
    student, solution = copy.deepcopy(_load("notebooks", lesson)), _load("solutions", lesson)
    student_spans, solution_spans = _exercise_spans(student), _exercise_spans(solution)
    for ident in sorted(student_spans, key=lambda i: student_spans[i][0], reverse=True):
        if only is not None and ident not in only:
            continue
        start, check = student_spans[ident]
        answer = [
            c
            for c in solution["cells"][solution_spans[ident][0] + 1 : solution_spans[ident][1]]
            if c["cell_type"] == "code"
        ]
        student["cells"][start + 1 : check] = copy.deepcopy(answer)
    return student


def _code(text):
    return {"cell_type": "code", "source": text, "metadata": {}, "outputs": [], "execution_count": None}


def _insert_before_exercise(nb, ident, text, *, after_heading=False):
    start, _ = _exercise_spans(nb)[ident]
    nb["cells"].insert(start + (1 if after_heading else 0), _code(text))
    return nb


def submissions(lesson):
    ids = sorted(_exercise_spans(_load("notebooks", lesson)))
    first, second = ids[0], ids[1]
    made = {
        "solved": solved(lesson),
        "empty": copy.deepcopy(_load("notebooks", lesson)),
        "partly": solved(lesson, only={first}),
        # A crash in the middle (before the second exercise): later exercises still run and are graded.
        "crash": _insert_before_exercise(solved(lesson), second, "raise RuntimeError('my notebook broke here')"),
        # A cell that never ends, in the second exercise: interrupted; the others still pass.
        "hang": _insert_before_exercise(solved(lesson), second, "while True:\n    pass", after_heading=True),
        # Memory that the limit refuses: a MemoryError in that cell, the rest graded.
        "memory": _insert_before_exercise(solved(lesson), second, "hog = bytearray(64 * 1024**3)", after_heading=True),
    }
    # Tampering: an edited check cell, a deleted check cell, a redefined check module; answers left unsolved.
    tampered = copy.deepcopy(_load("notebooks", lesson))
    _, check_index = _exercise_spans(tampered)[first]
    tampered["cells"][check_index]["source"] = f"# Check Exercise {first}\nprint('Exercise {first}: correct.')"
    made["edited_check"] = tampered
    deleted = copy.deepcopy(_load("notebooks", lesson))
    del deleted["cells"][_exercise_spans(deleted)[first][1]]
    made["deleted_check"] = deleted
    made["fake_module"] = _insert_before_exercise(
        copy.deepcopy(_load("notebooks", lesson)),
        first,
        "import sys, types\n"
        "class _Lenient(types.ModuleType):\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *args, **kwargs: print('correct')\n"
        f"sys.modules['utils.exercises.lesson{lesson}'] = _Lenient('fake')\n"
        f"check = sys.modules['utils.exercises.lesson{lesson}']",
    )
    # Forging: append "passed" lines to the grader's results file, signed with any nonce that leaks from the
    # grader's notebook or from the worker's command line or environment.
    made["forged_results"] = _insert_before_exercise(
        copy.deepcopy(_load("notebooks", lesson)),
        first,
        "import hashlib, hmac, json, os, pathlib, re\n"
        "leaks = [pathlib.Path('graded.ipynb').read_text()] if pathlib.Path('graded.ipynb').exists() else []\n"
        "for name in ('cmdline', 'environ'):\n"
        "    try:\n"
        "        leaks.append(open(f'/proc/{os.getppid()}/{name}', 'rb').read().decode(errors='ignore'))\n"
        "    except OSError:\n"
        "        pass\n"
        "nonces = set(re.findall(r'[0-9a-f]{32}', ' '.join(leaks))) or {'0' * 32}\n"
        "with open('results.jsonl', 'a') as handle:\n"
        f"    for ident in {ids!r}:\n"
        "        row = {'exercise': ident, 'status': 'passed', 'message': ''}\n"
        "        handle.write(json.dumps(row) + '\\n')\n"
        "        line = json.dumps(row, sort_keys=True)\n"
        "        for nonce in nonces:\n"
        "            mac = hmac.new(nonce.encode(), line.encode(), hashlib.sha256).hexdigest()\n"
        "            handle.write(json.dumps({'row': line, 'mac': mac}) + '\\n')",
    )
    return made


@pytest.fixture(scope="module", params=LESSONS)
def graded(request, tmp_path_factory):
    lesson = request.param
    folder = tmp_path_factory.mktemp(f"submissions{lesson}")
    made = submissions(lesson)
    paths = []
    for name, nb in made.items():
        path = folder / f"{name}.ipynb"
        path.write_text(json.dumps(nb))
        paths.append(path)
    before = {path: path.read_bytes() for path in paths}
    results = grade.grade_all(paths, lesson, seconds=600, cell_seconds=90, memory_mb=6144, workers=2)
    assert all(path.read_bytes() == before[path] for path in paths), "a student's file was modified"
    return lesson, {path.stem: result for path, result in zip(paths, results)}


def _statuses(result):
    return {r.exercise: r.status for r in result.exercises}


def test_solved_gets_full_marks(graded):
    _, results = graded
    assert _statuses(results["solved"]) == {ident: "passed" for ident in _statuses(results["solved"])}
    assert results["solved"].score == results["solved"].max_score > 0


def test_empty_is_not_attempted_everywhere(graded):
    _, results = graded
    assert set(_statuses(results["empty"]).values()) == {"not attempted"} and results["empty"].score == 0


def test_partly_solved_gets_the_part(graded):
    _, results = graded
    statuses = _statuses(results["partly"])
    first = sorted(statuses)[0]
    assert statuses[first] == "passed" and results["partly"].score == 1
    assert all(status == "not attempted" for ident, status in statuses.items() if ident != first)


@pytest.mark.parametrize("name", ["crash", "hang", "memory"])
def test_a_broken_cell_costs_at_most_its_own_exercise(graded, name):
    _, results = graded
    statuses = _statuses(results[name])
    first, second, *rest = sorted(statuses)
    assert statuses[first] == "passed" and all(statuses[ident] == "passed" for ident in rest)
    assert results[name].score >= results[name].max_score - 1


@pytest.mark.parametrize("name", ["edited_check", "deleted_check", "fake_module"])
def test_tampering_earns_nothing(graded, name):
    _, results = graded
    assert results[name].score == 0, _statuses(results[name])
    assert set(_statuses(results[name]).values()) == {"not attempted"}


def test_forged_results_earn_nothing_and_are_flagged(graded):
    _, results = graded
    forged = results["forged_results"]
    assert forged.score == 0 and set(_statuses(forged).values()) == {"not attempted"}, _statuses(forged)
    assert any("forged line" in item for item in forged.review), forged.review
    assert "uses the grader's results" in forged.review
    assert "uses the module table" in results["fake_module"].review  # tampering is flagged for a human look
    assert results["solved"].review == [] and results["empty"].review == []
    assert "review:" in grade.table(list(results.values()))


def test_the_same_submission_gets_the_same_result_twice(graded, tmp_path):
    lesson, results = graded
    path = tmp_path / "partly.ipynb"
    path.write_text(json.dumps(solved(lesson, only={sorted(_statuses(results["partly"]))[0]})))
    again = grade.grade_submission(path, lesson, seconds=600, cell_seconds=90, memory_mb=6144)
    assert _statuses(again) == _statuses(results["partly"])
    assert [r.message for r in again.exercises] == [r.message for r in results["partly"].exercises]


def test_reports_csv_gradescope_and_table(graded, tmp_path):
    lesson, results = graded
    ordered = list(results.values())
    grade.write_csv(ordered, tmp_path / "grades.csv")
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert len(rows) == len(ordered) and float(rows[0]["total"]) == ordered[0].score
    gradescope = grade.gradescope_results(results["solved"])
    assert gradescope["score"] == results["solved"].score
    assert all({"name", "score", "max_score", "output"} <= set(test) for test in gradescope["tests"])
    text = grade.table(ordered)
    assert re.search(r"solved\.ipynb .* (\d+)/\1", text)


def test_unknown_lesson_or_garbage_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no lesson 42"):
        grade.released_notebook("42")
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_text("this is not json")
    result = grade.grade_submission(garbage, "01", seconds=30)
    assert "could not read the notebook" in result.note and result.score == 0
    assert {r.status for r in result.exercises} == {"not reached"}


def test_the_sandbox_keeps_other_files_read_only_and_cuts_the_network(tmp_path):
    prefix, note = grade.sandbox_prefix(tmp_path)
    if "bubblewrap" not in note:
        pytest.skip(f"no bubblewrap sandbox here ({note}): `apt-get install bubblewrap` (.ci/system-packages does)")
    outside = rules.ROOT / "build" / f"sandbox-escape-{tmp_path.name}.txt"
    escape = subprocess.run(
        [*prefix, sys.executable, "-c", f"open({str(outside)!r}, 'w').write('escaped')"], capture_output=True, text=True
    )
    assert escape.returncode != 0 and "Read-only file system" in escape.stderr and not outside.exists()
    inside = subprocess.run([*prefix, sys.executable, "-c", "open('kept.txt', 'w').write('ok')"], capture_output=True)
    assert inside.returncode == 0 and (tmp_path / "kept.txt").read_text() == "ok"
    interfaces = subprocess.run(
        [*prefix, sys.executable, "-c", "import socket; print([name for _, name in socket.if_nameindex()])"],
        capture_output=True,
        text=True,
    )
    assert interfaces.stdout.strip() == "['lo']", interfaces.stdout  # a network namespace of its own
