"""Progress export/import: lossless round trip; anything corrupt or foreign is rejected with a reason."""

import json

import pytest

from exercises import progress as prog


def sample() -> dict:
    p = prog.new_progress("zh")
    p = prog.record_answers(p, "1.9.3", {"text": "数据不是煤：它可以复制 ✓ \n second line"}, seed=0)
    p = prog.record_result(p, "1.9.3", None, self_check=True)
    p = prog.record_answers(p, "2.6.2", {"p": "0.1306", "v": [1, 2.5]}, seed=7)
    return prog.record_result(p, "2.6.2", 0.5)


def test_round_trip_is_lossless():
    p = sample()
    assert prog.from_json(prog.to_json(p).encode("utf-8")) == p


def test_record_functions_do_not_mutate_their_input():
    p = prog.new_progress()
    prog.record_answers(p, "1.9.1", {"text": "x"})
    assert p["exercises"] == {}


@pytest.mark.parametrize("score, self_check, solved", [(1.0, False, True), (0.5, False, False), (None, True, True),
                                                         (None, False, False)])
def test_solved_means_a_full_score_or_a_self_check(score, self_check, solved):
    p = prog.record_result(prog.new_progress(), "1.9.1", score, self_check)
    assert (prog.solved_ids(p) == ["1.9.1"]) is solved


def edit(fn) -> bytes:
    raw = json.loads(prog.to_json(sample()))
    fn(raw)
    return json.dumps(raw).encode()


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2, 3]", "not a progress export"),
    (b'{"format": "jupyter-notebook"}', "not a progress export"),
    (b"x" * (prog.MAX_BYTES + 1), "larger than"),
    (b"[" * 100_000, "not valid JSON"),
    (edit(lambda r: r.update(version=99)), "version 99"),
    (edit(lambda r: r.update(lang="fr")), "'en' or 'zh'"),
    (edit(lambda r: r.pop("exercises")), "no 'exercises'"),
    (edit(lambda r: r["exercises"].update({"99.1.1": {}})), "'99.1.1' is not an exercise"),
    (edit(lambda r: r["exercises"]["2.6.2"].update(seed=-1)), "seed must be"),
    (edit(lambda r: r["exercises"]["2.6.2"].update(seed="7")), "seed must be"),
    (edit(lambda r: r["exercises"]["2.6.2"].update(extra=1)), "unexpected entry"),
    (edit(lambda r: r["exercises"]["2.6.2"]["answers"].update(p={"nested": 1})), "answers must be"),
    (edit(lambda r: r["exercises"]["2.6.2"]["answers"].update(p="x" * 30_000)), "answers must be"),
    (edit(lambda r: r["exercises"]["2.6.2"]["result"].update(score=1.5)), "score from 0 to 1"),
    (edit(lambda r: r["exercises"]["2.6.2"]["result"].update(correct="yes")), "score from 0 to 1"),
])
def test_bad_file_is_rejected_with_a_reason_in_both_languages(data, message):
    with pytest.raises(prog.ProgressError, match=message) as err:
        prog.from_json(data)
    assert err.value.zh and err.value.zh != str(err.value)


def test_an_oversized_answer_is_cut_so_the_export_still_imports():
    p = prog.record_answers(prog.new_progress(), "1.9.1", {"text": "x" * (prog.MAX_ANSWER_CHARS + 5)})
    assert len(prog.from_json(prog.to_json(p))["exercises"]["1.9.1"]["answers"]["text"]) == prog.MAX_ANSWER_CHARS
