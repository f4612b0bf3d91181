"""`lint --fix`: apply the rules' fix actions with libcst, which keeps every comment and all formatting.

libcst is a dependency of bnbdoctor, imported here only: analysis never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from .model import FixAction


def _key(rng: CodeRange) -> tuple[tuple[int, int], tuple[int, int]]:
    return (rng.start.line, rng.start.column), (rng.end.line, rng.end.column)


def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def _no_space() -> Any:
    return cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    )


def _clean(comma: cst.Comma) -> cst.Comma:
    """A copy of a separator without the comment or blank lines that followed it."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return comma.with_changes(whitespace_after=after)


def append_arg(call: cst.Call, new: cst.Arg) -> cst.Call:
    """Add an argument after the last one, copying the call's own separator style (one line or one per line)."""
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        sep = _clean(args[-2].comma)
    elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        sep = cst.Comma(whitespace_after=call.whitespace_before_args)
    else:
        sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    trailing = last.comma if isinstance(last.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
    new = new.with_changes(comma=trailing, whitespace_after_arg=last.whitespace_after_arg)
    args[-1] = last.with_changes(comma=sep, whitespace_after_arg=cst.SimpleWhitespace(""))
    return call.with_changes(args=[*args, new])


def _wrap_flags(call: cst.Call, config_name: str, params: Sequence[str]) -> cst.Call:
    """from_pretrained(x, load_in_4bit=True, device_map=...) -> from_pretrained(x, quantization_config=Cfg(load_in_4bit=True), ...)."""
    args = list(call.args)
    moved = [a for a in args if a.keyword is not None and a.keyword.value in params]
    if not moved:
        return call
    inner = [
        cst.Arg(
            keyword=a.keyword,
            value=a.value,
            equal=_no_space(),
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(moved) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for i, a in enumerate(moved)
    ]
    config = cst.Call(func=_expr(config_name), args=inner)
    out: list[cst.Arg] = []
    placed = False
    for a in args:
        if a in moved:
            if not placed:
                out.append(a.with_changes(keyword=cst.Name("quantization_config"), value=config))
                placed = True
            elif a is args[-1] and out:
                # the removed last argument carried the closing layout (trailing comma, newline before ')')
                out[-1] = out[-1].with_changes(comma=a.comma, whitespace_after_arg=a.whitespace_after_arg)
            continue
        out.append(a)
    return call.with_changes(args=out)


def _drop_kwargs(call: cst.Call, names: Sequence[str]) -> cst.Call:
    """from_pretrained(x, load_in_8bit=False, device_map=...) -> from_pretrained(x, device_map=...)."""
    args = list(call.args)
    out: list[cst.Arg] = []
    for a in args:
        if a.keyword is not None and a.keyword.value in names:
            if a is args[-1] and out:
                out[-1] = out[-1].with_changes(comma=a.comma, whitespace_after_arg=a.whitespace_after_arg)
            continue
        out.append(a)
    return call.with_changes(args=out)


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, actions: Sequence[FixAction], params: Sequence[str]) -> None:
        super().__init__()
        self.by_span = {(a.start, a.end): a for a in actions}
        self.by_start = {a.start: a for a in actions if a.kind == "rename"}
        self.params = params
        self.applied: list[FixAction] = []

    def _action(self, node: cst.CSTNode, kinds: tuple[str, ...]) -> FixAction | None:
        try:
            rng = self.get_metadata(PositionProvider, node)
        except KeyError:
            return None
        start, end = _key(rng)
        action = self.by_span.get((start, end)) or self.by_start.get(start)
        if action is not None and action.kind in kinds and action not in self.applied:
            return action
        return None

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        action = self._action(original, ("add_kwarg", "wrap_flags", "drop_kwargs"))
        if action is None:
            return updated
        self.applied.append(action)
        if action.kind == "add_kwarg":
            if any(a.keyword is not None and a.keyword.value == action.name for a in updated.args):
                return updated
            return append_arg(
                updated, cst.Arg(keyword=cst.Name(action.name), value=_expr(action.value), equal=_no_space())
            )
        if action.kind == "drop_kwargs":
            return _drop_kwargs(updated, action.name.split(","))
        return _wrap_flags(updated, action.value, self.params)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        action = self._action(original, ("rename",))
        if action is None or updated.keyword is None:
            return updated
        self.applied.append(action)
        return updated.with_changes(keyword=cst.Name(action.name))

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        action = self._action(original, ("rename", "replace"))
        if action is None:
            return updated
        self.applied.append(action)
        prefix_end = len(updated.value) - len(updated.value.lstrip("rbuRBU"))
        quote = (
            updated.value[prefix_end:][:3]
            if updated.value[prefix_end:][:3] in ('"""', "'''")
            else updated.value[prefix_end]
        )
        text = action.name if action.kind == "rename" else action.value
        return updated.with_changes(value=f"{updated.value[:prefix_end]}{quote}{text}{quote}")

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        action = self._action(original, ("replace",))
        if action is None:
            return updated
        self.applied.append(action)
        return _expr(action.value).with_changes(lpar=updated.lpar, rpar=updated.rpar)


def _has_binding(module: cst.Module, name: str) -> bool:
    """Whether a top-level import already binds `name`."""
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    for alias in small.names:
                        bound = alias.evaluated_alias or alias.evaluated_name
                        if bound.split(".")[0] == name:
                            return True
    return False


def _add_import(module: cst.Module, statement: str) -> cst.Module:
    """Insert an import after the last top-level import (or after the docstring and __future__ imports)."""
    body = list(module.body)
    index = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            index = i + 1
        elif (
            i == 0
            and isinstance(stmt, cst.SimpleStatementLine)
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.SimpleString)
        ):
            index = 1
    body.insert(index, cst.parse_statement(statement + "\n"))
    return module.with_changes(body=body)


def apply(data: bytes, actions: Sequence[FixAction], params: Sequence[str]) -> tuple[bytes, list[FixAction]]:
    """Apply the actions to a module's bytes; returns the new bytes and the actions that took effect."""
    if not actions:
        return data, []
    module = cst.parse_module(data)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    fixer = _Fixer(actions, params)
    new = wrapper.visit(fixer)
    if not fixer.applied:
        return data, []
    needed = {
        a.value.split(".")[0]
        for a in fixer.applied
        if a.kind in ("add_kwarg", "wrap_flags") or (a.kind == "replace" and "." in a.value)
    }
    for name in sorted(needed):
        if _has_binding(new, name):
            continue
        if name == "BitsAndBytesConfig":
            new = _add_import(new, "from transformers import BitsAndBytesConfig")
        elif name == "torch":
            new = _add_import(new, "import torch")
    return new.bytes, fixer.applied
