"""Learner progress without accounts: a JSON document the learner exports and imports.

{
  "format": "d2l-exercise-explorer/progress", "version": 1, "lang": "zh", "exported_at": "2026-11-22T10:00:00Z",
  "exercises": {"1.9.3": {"seed": 0, "answers": {"text": "…"}, "result": {"score": 1.0, "correct": true,
                                                                          "self_check": false, "at": "…"}}}
}
Import is all-or-nothing: a file that fails any check is rejected with a message and nothing changes.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, datetime
from typing import Any

from exercises import outline
from exercises.schema import LANGS

FORMAT = "d2l-exercise-explorer/progress"
VERSION = 1
MAX_BYTES = 2_000_000  # a year of answers is far below this
MAX_ANSWER_CHARS = 20_000


class ProgressError(ValueError):
    """The file is not a progress export this app can read; `args[0]` says why (English), `.zh` in Chinese."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.zh = zh


def new_progress(lang: str = "en") -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "lang": lang, "exercises": {}}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_answers(progress: dict, exercise_id: str, answers: dict[str, Any], seed: int = 0) -> dict:
    """A copy of `progress` with the learner's latest answers to `exercise_id` (the result is kept)."""
    new = copy.deepcopy(progress)
    entry = new["exercises"].setdefault(exercise_id, {"seed": seed, "answers": {}})
    entry["seed"] = seed
    # cut what cannot be exported and imported back (an answer box never sends this much; a script might)
    entry["answers"] = {k: v[:MAX_ANSWER_CHARS] if isinstance(v, str) else v for k, v in answers.items()}
    return new


def record_result(progress: dict, exercise_id: str, score: float | None, self_check: bool = False) -> dict:
    """A copy of `progress` with a result: a checker's score, or a learner's self-check of an open question."""
    new = copy.deepcopy(progress)
    entry = new["exercises"].setdefault(exercise_id, {"seed": 0, "answers": {}})
    correct = bool(self_check) if score is None else score >= 1.0
    entry["result"] = {"score": score, "correct": correct, "self_check": self_check, "at": _now()}
    return new


def solved_ids(progress: dict) -> list[str]:
    return [i for i, e in progress["exercises"].items() if e.get("result", {}).get("correct")]


def to_json(progress: dict) -> str:
    out = dict(progress, exported_at=_now())
    return json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True)


def _answer_ok(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_ANSWER_CHARS
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    if isinstance(value, list):
        return len(value) <= 10_000 and all(_answer_ok(v) for v in value)
    return False


def from_json(data: bytes | str) -> dict[str, Any]:
    """Parse and validate an exported progress file; raise ProgressError (en + zh message) if anything is off."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ProgressError(f"The file is larger than {MAX_BYTES // 1_000_000} MB; progress files are smaller.",
                                f"文件超过 {MAX_BYTES // 1_000_000} MB，进度文件不会这么大。")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ProgressError("The file is not UTF-8 text; is it really a progress export?",
                                "文件不是 UTF-8 文本，它真的是导出的进度文件吗？") from None
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ProgressError(f"The file is not valid JSON ({err}).", f"文件不是有效的 JSON（{err}）。") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ProgressError("This JSON file is not a progress export of D2L Exercise Explorer.",
                            "这个 JSON 文件不是 D2L Exercise Explorer 导出的进度文件。")
    if raw.get("version") != VERSION:
        raise ProgressError(f"Progress format version {raw.get('version')!r} is not supported (expected {VERSION}).",
                            f"不支持进度格式版本 {raw.get('version')!r}（应为 {VERSION}）。")
    if raw.get("lang") not in LANGS:
        raise ProgressError("The file's language must be 'en' or 'zh'.", "文件中的语言必须是 'en' 或 'zh'。")
    exercises = raw.get("exercises")
    if not isinstance(exercises, dict):
        raise ProgressError("The file has no 'exercises' table.", "文件中缺少 'exercises' 表。")
    known = outline.catalog()
    for ex_id, entry in exercises.items():
        where_en, where_zh = f"Exercise {ex_id!r}", f"练习 {ex_id!r}"
        if ex_id not in known:
            raise ProgressError(f"{where_en} is not an exercise of the book.", f"{where_zh} 不是本书的练习。")
        if not isinstance(entry, dict) or set(entry) - {"seed", "answers", "result"}:
            raise ProgressError(f"{where_en}: unexpected entry.", f"{where_zh}：条目格式不对。")
        seed = entry.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
            raise ProgressError(f"{where_en}: the seed must be a whole number ≥ 0.",
                                f"{where_zh}：种子必须是非负整数。")
        answers = entry.get("answers", {})
        if not isinstance(answers, dict) or not all(isinstance(k, str) and _answer_ok(v) for k, v in answers.items()):
            raise ProgressError(f"{where_en}: answers must be short texts, numbers or lists.",
                                f"{where_zh}：答案必须是不太长的文本、数字或列表。")
        result = entry.get("result")
        if result is not None:
            score = result.get("score") if isinstance(result, dict) else "bad"
            ok_score = score is None or (
                isinstance(score, (int, float)) and not isinstance(score, bool) and 0.0 <= score <= 1.0
            )
            if not ok_score or not isinstance(result.get("correct"), bool):
                raise ProgressError(f"{where_en}: the result must have a score from 0 to 1 and a yes/no 'correct'.",
                                    f"{where_zh}：结果必须包含 0 到 1 之间的分数和布尔值 'correct'。")
    keep = ("format", "version", "lang", "exercises")
    return {k: copy.deepcopy(raw[k]) for k in keep}
