"""Exercises of *Dive into Deep Learning* (zh-v2): data, registry, answer checking and grading."""

from exercises import registry
from exercises.check import FieldResult, Verdict, check
from exercises.schema import Exercise, ExerciseDataError, Field

__all__ = ["Exercise", "ExerciseDataError", "Field", "FieldResult", "Verdict", "check", "registry"]
