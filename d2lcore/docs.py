"""Looking things up in PyTorch (zh-v2 §2.7): `dir()` to list what a module offers, `help()` for one function.

`resolve_torch_name` turns a learner's text such as "torch.nn.Linear" into the object, safely: the text must be a
dotted name of plain identifiers starting at `torch` (no part may start with an underscore), and it is resolved by
walking attributes from the `torch` module — importing a submodule of torch when needed — never by eval. Every
module met on the way must belong to torch (torch re-exports `os` and `sys`; those are refused).
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import inspect
import re
import types
from dataclasses import dataclass
from typing import Any

MAX_NAME_LENGTH = 120
MAX_PARTS = 8
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


class DocLookupError(LookupError):
    """The name cannot be shown; `reason` says why ("syntax", "outside", "unknown"), `suggestions` what is close."""

    def __init__(self, message: str, reason: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.suggestions = suggestions or []


@dataclass(frozen=True)
class Description:
    name: str
    kind: str  # "module", "class", "function", "method", "attribute", "object"
    signature: str | None  # None when Python cannot read one (C functions: the docstring's first line has it)
    doc: str
    members: tuple[str, ...]  # public names, as dir() lists them without the _underscore ones
    value: str | None = None  # repr of a plain value (torch.float32, torch.pi), cut to 200 characters


def public_names(obj: Any) -> list[str]:
    """dir(obj) without the names that start with an underscore (private helpers and dunder methods)."""
    return [n for n in dir(obj) if not n.startswith("_")]


def _is_torch_module(obj: Any) -> bool:
    name = getattr(obj, "__name__", "")
    return isinstance(obj, types.ModuleType) and (name == "torch" or name.startswith("torch."))


def _child(parent: Any, part: str) -> Any:
    """parent.part without running code of the object: modules by getattr (or importing the submodule),
    everything else by inspect.getattr_static (no properties or __getattr__ hooks run)."""
    if isinstance(parent, types.ModuleType):
        if hasattr(parent, part):
            return getattr(parent, part)
        if hasattr(parent, "__path__"):  # a package: the submodule may simply not be imported yet
            with contextlib.suppress(Exception):  # a missing or broken submodule is just "unknown"
                return importlib.import_module(f"{parent.__name__}.{part}")
        raise AttributeError(part)
    return inspect.getattr_static(parent, part)


def resolve_torch_name(name: str) -> Any:
    """'torch.nn.Linear' → the class torch.nn.Linear; raise DocLookupError for anything else."""
    text = name.strip() if isinstance(name, str) else ""
    if len(text) > MAX_NAME_LENGTH or not NAME_RE.match(text):
        raise DocLookupError("a name is letters, digits and dots, such as torch.nn.Linear", "syntax")
    parts = text.split(".")
    if len(parts) > MAX_PARTS:
        raise DocLookupError(f"at most {MAX_PARTS} dotted parts", "syntax")
    import torch

    if parts[0] != "torch":
        near = [f"torch.{text}"] if _try(f"torch.{text}") else []
        raise DocLookupError("names start with torch, e.g. torch.ones", "outside", near)
    obj: Any = torch
    for i, part in enumerate(parts[1:], start=1):
        try:
            child = _child(obj, part)
        except AttributeError:
            prefix = ".".join(parts[:i])
            near = [n for n in difflib.get_close_matches(part, public_names(obj), n=8, cutoff=0.6)
                    if _inside_torch(obj, n)][:5]
            raise DocLookupError(f"{prefix} has no attribute {part}", "unknown",
                                 [f"{prefix}.{n}" for n in near]) from None
        if isinstance(child, types.ModuleType) and not _is_torch_module(child):
            raise DocLookupError(f"{'.'.join(parts[: i + 1])} is not part of torch", "outside")
        obj = child
    return obj


def _inside_torch(parent: Any, part: str) -> bool:
    """True when parent.part exists and is not a module from outside torch (used to filter suggestions)."""
    try:
        child = _child(parent, part)
    except AttributeError:
        return False
    return not isinstance(child, types.ModuleType) or _is_torch_module(child)


def _try(name: str) -> bool:
    try:
        resolve_torch_name(name)
    except DocLookupError:
        return False
    return True


def _kind(obj: Any) -> str:
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "function"
    if inspect.ismethoddescriptor(obj) or inspect.ismethod(obj):
        return "method"
    if isinstance(obj, property | types.GetSetDescriptorType | types.MemberDescriptorType):
        return "attribute"
    return "function" if callable(obj) else "object"


def describe(obj: Any, name: str = "") -> Description:
    """What help(obj) shows, in parts: kind, call signature (when Python can read one), docstring, public members."""
    try:
        signature: str | None = str(inspect.signature(obj)) if callable(obj) else None
    except (TypeError, ValueError):
        signature = None
    doc = inspect.getdoc(obj) or ""
    members = tuple(public_names(obj)) if inspect.ismodule(obj) or inspect.isclass(obj) else ()
    kind = _kind(obj)
    value = repr(obj)[:200] if kind == "object" else None
    return Description(name=name or getattr(obj, "__name__", type(obj).__name__), kind=kind,
                       signature=signature, doc=doc, members=members, value=value)
