"""Typed conversion between frozen dataclasses and JSON values, with errors that name the bad field.

Every machine-readable document bnbdoctor reads (snapshots today, more later) goes through `from_json`, so
malformed input becomes one `SchemaError` with a path such as `nvml.gpus[0].memory_total`, never a traceback.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")


class SchemaError(ValueError):
    """A JSON document does not have the shape a dataclass expects."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path or '<root>'}: {problem}")


def to_json(value: Any) -> Any:
    """Render dataclasses, tuples, lists and dicts as plain JSON values (tuples become lists).

    A dataclass with a `__json__()` method (Finding, Evidence) chooses its own JSON shape.
    """
    shape = getattr(type(value), "__json__", None)
    if shape is not None:
        return to_json(shape(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def from_json(tp: Any, data: Any, path: str = "") -> Any:
    """Build a value of type `tp` from parsed JSON, checking every field; raises SchemaError."""
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin is Union or (hasattr(types, "UnionType") and isinstance(tp, types.UnionType)):
        args = get_args(tp)
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return from_json(arg, data, path)
            except SchemaError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise SchemaError(path, f"unexpected value {_describe(data)}")
    if origin is Literal:
        if data not in get_args(tp):
            allowed = ", ".join(repr(a) for a in get_args(tp))
            raise SchemaError(path, f"expected one of {allowed}, got {_describe(data)}")
        return data
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, dict):
            raise SchemaError(path, f"expected an object, got {_describe(data)}")
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for field in dataclasses.fields(tp):
            if field.name in data:
                kwargs[field.name] = from_json(hints[field.name], data[field.name], _join(path, field.name))
            elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise SchemaError(_join(path, field.name), "missing")
        return tp(**kwargs)
    if origin in (list, tuple, typing.Sequence) or tp in (list, tuple):
        if not isinstance(data, list):
            raise SchemaError(path, f"expected a list, got {_describe(data)}")
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(data) != len(args):
                raise SchemaError(path, f"expected {len(args)} items, got {len(data)}")
            return tuple(
                from_json(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, data, strict=True))
            )
        item = args[0] if args else Any
        items = [from_json(item, v, f"{path}[{i}]") for i, v in enumerate(data)]
        return tuple(items) if origin is tuple else items
    if origin in (dict, Mapping, typing.Mapping) or tp is dict:
        if not isinstance(data, dict):
            raise SchemaError(path, f"expected an object, got {_describe(data)}")
        args = get_args(tp)
        value_type = args[1] if args else Any
        return {str(k): from_json(value_type, v, f"{path}[{k!r}]") for k, v in data.items()}
    if tp is bool:
        if not isinstance(data, bool):
            raise SchemaError(path, f"expected true or false, got {_describe(data)}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise SchemaError(path, f"expected an integer, got {_describe(data)}")
        return data
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise SchemaError(path, f"expected a number, got {_describe(data)}")
        return float(data)
    if tp is str:
        if not isinstance(data, str):
            raise SchemaError(path, f"expected a string, got {_describe(data)}")
        return data
    raise TypeError(f"from_json cannot build {tp!r}")  # a programming error, not bad input


def json_schema(tp: Any) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) fragment for a type that `from_json` accepts; dataclasses become `$defs`."""
    defs: dict[str, Any] = {}

    def walk(t: Any) -> dict[str, Any]:
        origin = get_origin(t)
        if t is Any:
            return {}
        if origin is Union or (hasattr(types, "UnionType") and isinstance(t, types.UnionType)):
            options = [walk(a) for a in get_args(t)]
            return {"anyOf": options}
        if t is type(None):
            return {"type": "null"}
        if origin is Literal:
            return {"enum": list(get_args(t))}
        if dataclasses.is_dataclass(t) and isinstance(t, type):
            name = t.__name__
            if name not in defs:
                defs[name] = {}  # placeholder against recursion
                hints = _hints(t)
                props = {f.name: walk(hints[f.name]) for f in dataclasses.fields(t)}
                required = [
                    f.name
                    for f in dataclasses.fields(t)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                ]
                entry: dict[str, Any] = {"type": "object", "properties": props}
                if required:
                    entry["required"] = required
                if t.__doc__ and not t.__doc__.startswith(f"{name}("):
                    entry["description"] = " ".join(t.__doc__.split())
                defs[name] = entry
            return {"$ref": f"#/$defs/{name}"}
        if origin in (list, tuple, typing.Sequence) or t in (list, tuple):
            args = get_args(t)
            if origin is tuple and args and args[-1] is not Ellipsis:
                return {
                    "type": "array",
                    "prefixItems": [walk(a) for a in args],
                    "minItems": len(args),
                    "maxItems": len(args),
                }
            return {"type": "array", "items": walk(args[0]) if args else {}}
        if origin in (dict, Mapping, typing.Mapping) or t is dict:
            args = get_args(t)
            return {"type": "object", "additionalProperties": walk(args[1]) if args else {}}
        simple = {bool: "boolean", int: "integer", float: "number", str: "string"}
        if t in simple:
            return {"type": simple[t]}
        raise TypeError(f"json_schema cannot describe {t!r}")

    root = walk(tp)
    return {**root, "$defs": defs}
