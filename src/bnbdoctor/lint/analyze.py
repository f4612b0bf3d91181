"""The facts `lint` judges: quantization configs, model loads and dtype casts in one module, with values followed.

A small, deliberately shallow value tracker over the stdlib `ast`: it follows names through simple assignments
(the last one before the use in the same scope, else the enclosing scopes; a name assigned in branches is a
`OneOf` its values), module constants, `dict(...)` and `{...}` literals, dicts changed in place (`d[k] = v`,
`d.update(...)`), `**kwargs` unpacking, `functools.partial`, attribute assignments such as
`cfg.bnb_4bit_compute_dtype = ...` and `self.model = ...`, aliased imports, and BitsAndBytesConfig's positional
arguments (in its `__init__` order). Keys set in place remember the if/try/match branches they were set under, so
exclusive branches are alternatives, never merged into one run (`together`). A call is a load only when its
callee resolves to a transformers model class (`is_loader_class`). What it cannot follow becomes `Unknown`, and
rules stay quiet on the unknown: a false alarm costs a linter more trust than a missed case.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

#: A file is parsed only if it mentions one of these: every code rule needs quantization in the same file.
PREFILTER = re.compile(
    rb"BitsAndBytesConfig|load_in_4bit|load_in_8bit|bnb_4bit|quantization_config|prepare_model_for_int8_training"
)

#: Keyword arguments of transformers' BitsAndBytesConfig (utils/quantization_config.py, v4.30 to v5.x), in the
#: order of its `__init__`: the order a positional call maps onto. Read in every wheel from 4.30.0 to 5.24.0: the
#: first nine are the same in all of them, `bnb_4bit_quant_storage` is the tenth from 4.39.0 (4.27 to 4.29 had no
#: `load_in_4bit`: their second parameter was `llm_int8_threshold`, but those releases predate every rule here).
BNB_PARAMS = (
    "load_in_8bit",
    "load_in_4bit",
    "llm_int8_threshold",
    "llm_int8_skip_modules",
    "llm_int8_enable_fp32_cpu_offload",
    "llm_int8_has_fp16_weight",
    "bnb_4bit_compute_dtype",
    "bnb_4bit_quant_type",
    "bnb_4bit_use_double_quant",
    "bnb_4bit_quant_storage",
)
DTYPE_NAMES = frozenset(
    {"float16", "bfloat16", "float32", "float64", "half", "float", "double", "uint8", "int8"}
)
_MAX_DEPTH = 24


# ---- values ----


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class Ref:
    """A dotted name resolved through the imports, e.g. `torch.bfloat16` or `transformers.BitsAndBytesConfig`."""

    qualname: str


#: Where a statement runs within its function: the (id of the if/try/match, branch index) pairs it is under.
Path = tuple[tuple[int, int], ...]


def exclusive(a: Path, b: Path) -> bool:
    """Whether no single run takes both paths: they sit in different branches of the same if/try/match."""
    taken = dict(a)
    return any(taken.get(node, branch) != branch for node, branch in b)


@dataclass(frozen=True)
class Arg:
    """One keyword argument or dict entry: its value, the value's node, and the node that names it."""

    value: Value
    node: ast.expr
    key: ast.AST  # an ast.keyword, or the string constant of a dict key
    holder: ast.AST  # the Call or Dict that literally holds it
    path: Path = ()  # for an entry set in place (`d[k] = v`): the branches the setting statement runs under


def together(*args: Arg) -> bool:
    """Whether one run can set all of these: a rule needing two facts at once fires only then."""
    return not any(exclusive(a.path, b.path) for i, a in enumerate(args) for b in args[i + 1 :])


@dataclass(frozen=True)
class CallV:
    node: ast.Call
    qualname: str | None  # the callee's dotted name, when it resolves through the imports
    method: str | None  # the attribute called, for `x.method(...)`
    receiver: Value | None
    args: tuple[Value, ...]
    kwargs: dict[str, Arg]
    open: bool  # has *args or **kwargs that could not be followed


@dataclass(frozen=True)
class DictV:
    node: ast.AST
    items: dict[str, Arg]
    open: bool


@dataclass(frozen=True)
class Unknown:
    pass


@dataclass(frozen=True)
class Param:
    """A function's parameter, as the function sees it: any value a caller passes, `default` when none does."""

    name: str
    default: Value


@dataclass(frozen=True)
class OneOf:
    """A name assigned in branches: any of these, depending on the path taken (`x = None; if a: x = cfg`)."""

    options: tuple[Value, ...]


Value = Const | Ref | CallV | DictV | OneOf | Param | Unknown
UNKNOWN = Unknown()


def dtype_name(value: Value) -> str | None:
    """`torch.bfloat16`, `"bfloat16"` or `"torch.bfloat16"` -> "bfloat16"; None for anything else."""
    if isinstance(value, Ref) and value.qualname.startswith("torch.") and value.qualname[6:] in DTYPE_NAMES:
        return {"half": "float16", "float": "float32", "double": "float64"}.get(
            value.qualname[6:], value.qualname[6:]
        )
    if isinstance(value, Const) and isinstance(value.value, str):
        name = value.value.removeprefix("torch.")
        if name in DTYPE_NAMES:
            return {"half": "float16", "float": "float32", "double": "float64"}.get(name, name)
    return None


def truthy(arg: Arg | None) -> bool:
    """Certainly true: a true constant, or a choice of true constants."""
    if arg is None:
        return False
    options = arg.value.options if isinstance(arg.value, OneOf) else (arg.value,)
    return all(isinstance(v, Const) and bool(v.value) for v in options)


def can_be_none(value: Value) -> bool:
    options = value.options if isinstance(value, OneOf) else (value,)
    return any(isinstance(v, Const) and v.value is None for v in options)


# ---- the facts rules judge ----


@dataclass(frozen=True)
class QuantConfig:
    """A BitsAndBytesConfig(...) call, or a dict used as one."""

    node: ast.AST
    kwargs: dict[str, Arg]  # including attributes assigned later (`cfg.bnb_4bit_compute_dtype = ...`)
    open: bool
    is_call: bool  # a BitsAndBytesConfig(...) call (fixable), rather than a dict
    guards: frozenset[str] = (
        frozenset()
    )  # names tested by the if/while/`x if c else y` the config is built under

    @property
    def switches(self) -> list[str]:
        """The parameters its load flags come from, when every flag is such a parameter or false.

        `def load(load_in_8bit=True, load_in_4bit=False): BitsAndBytesConfig(load_in_8bit=load_in_8bit, ...)`
        built whatever the caller passes: a caller passing both False still gets a 4-bit model.
        """
        if not self.is_call or self.open:
            return []
        names: list[str] = []
        for key in ("load_in_4bit", "load_in_8bit"):
            arg = self.kwargs.get(key)
            if arg is not None and isinstance(arg.value, Param):
                names.append(arg.value.name)
            elif not falsy_or_absent(arg):
                return []
        return names if not set(names) & self.guards else []

    @property
    def bits(self) -> int | None:
        """4 or 8 when the config certainly quantizes so (transformers 4.38 and newer); None when it cannot be told.

        transformers' AutoHfQuantizer.from_config picks 8-bit only when `load_in_8bit` is true and 4-bit
        otherwise, so a BitsAndBytesConfig whose `load_in_8bit` is absent or false is a 4-bit config whatever its
        `load_in_4bit` says. A dict used as a config needs a true flag (AutoQuantizationConfig.from_dict).
        """
        if truthy(self.kwargs.get("load_in_4bit")):
            return 4
        if truthy(self.kwargs.get("load_in_8bit")):
            return 8
        if self.is_call and not self.open and falsy_or_absent(self.kwargs.get("load_in_8bit")):
            return 4
        return None

    @property
    def flagless(self) -> bool:
        """A BitsAndBytesConfig(...) whose load flags are all absent or false constants."""
        return (
            self.is_call
            and not self.open
            and falsy_or_absent(self.kwargs.get("load_in_4bit"))
            and falsy_or_absent(self.kwargs.get("load_in_8bit"))
        )


def falsy_or_absent(arg: Arg | None) -> bool:
    """Certainly false (or not given): a false constant, or a choice of false constants."""
    if arg is None:
        return True
    options = arg.value.options if isinstance(arg.value, OneOf) else (arg.value,)
    return all(isinstance(v, Const) and not v.value for v in options)


@dataclass(frozen=True)
class Load:
    """A `.from_pretrained(...)` call, or a dict of its keyword arguments (trl's `model_init_kwargs`)."""

    node: ast.AST
    kwargs: dict[str, Arg]
    open: bool
    config: QuantConfig | None  # what quantization_config resolves to
    guards: frozenset[str] = (
        frozenset()
    )  # names tested by the conditions the load runs under, and its config's IfExp
    # quantization_config is one of several configs, depending on the path (`if a: kw[...] = Q4 elif b: ... = Q8`):
    # quantized on those paths, but no single config to judge
    alternatives: bool = False

    @property
    def bits(self) -> int | None:
        if self.config is not None and self.config.bits:
            return self.config.bits
        if truthy(self.kwargs.get("load_in_4bit")):
            return 4
        if truthy(self.kwargs.get("load_in_8bit")):
            return 8
        return None

    @property
    def quantized(self) -> bool:
        return self.bits is not None or self.config is not None or self.alternatives


@dataclass(frozen=True)
class Cast:
    """`.half()`, `.float()` or `.to(<dtype>)` on a model that a quantized load produced."""

    node: ast.Call
    method: str
    load: Load
    dtype: str | None


@dataclass
class ModuleFacts:
    configs: list[QuantConfig] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    casts: list[Cast] = field(default_factory=list)
    aliases: dict[str, str] = field(
        default_factory=dict
    )  # local name -> module or dotted name it is bound to
    calls: list[CallV] = field(default_factory=list)  # every call, resolved as far as it goes
    imports: list[tuple[str, ast.AST]] = field(
        default_factory=list
    )  # (qualname, the import statement) per name

    def local_name(self, qualname: str) -> str | None:
        """How this module can spell `qualname` without a new import (`torch.bfloat16` -> `T.bfloat16`)."""
        best = None
        for local, target in self.aliases.items():
            if target == qualname:
                return local
            if qualname.startswith(target + ".") and (best is None or len(target) > len(self.aliases[best])):
                best = local
        if best is None:
            return None
        return best + qualname[len(self.aliases[best]) :]


# ---- scopes and assignments ----


@dataclass
class _Scope:
    node: ast.AST
    parent: _Scope | None
    is_class: bool = False
    names: dict[str, list[tuple[int, ast.expr | None]]] = field(default_factory=dict)
    attrs: dict[tuple[str, str], list[tuple[int, ast.expr]]] = field(default_factory=dict)  # (name, attr)
    # in-place changes to a dict bound to a name: `d["k"] = v`, `d.update(...)`, `d.pop("k")`, `del d["k"]`
    dict_ops: dict[str, list[tuple[int, str, ast.AST, Path]]] = field(default_factory=dict)
    conditional: set[tuple[str, int]] = field(
        default_factory=set
    )  # (name, line) bound inside if/for/while/try
    params: dict[str, ast.expr | None] = field(
        default_factory=dict
    )  # a function's parameters and their defaults
    bind_paths: dict[tuple[str, int], Path] = field(
        default_factory=dict
    )  # (name, line) -> the branches it is bound on


def _not_none_under(test: ast.expr) -> tuple[frozenset[str], frozenset[str]]:
    """The names an `if` test proves not None in its body, and in its `else`.

    `if q:`, `if q is not None:` and `and`-chains of them narrow the body; `if q is None:` and `if not q:` narrow
    the `else`. Anything else proves nothing.
    """
    if isinstance(test, ast.Name):
        return frozenset({test.id}), frozenset()
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.left, ast.Name)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        if isinstance(test.ops[0], ast.IsNot):
            return frozenset({test.left.id}), frozenset()
        if isinstance(test.ops[0], ast.Is):
            return frozenset(), frozenset({test.left.id})
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
        return frozenset(), frozenset({test.operand.id})
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        names: set[str] = set()
        for value in test.values:
            names |= _not_none_under(value)[0]
        return frozenset(names), frozenset()
    return frozenset(), frozenset()


def _branch_paths(tree: ast.Module) -> dict[int, Path]:
    """Every statement's Path. Branches of one if/try/match are alternatives (an `elif` is an if in the `else`,
    an except handler an alternative to its try body); the statements after an `if` whose body always leaves
    (return/raise/continue/break) run only on its `else` path. A function or class body starts afresh."""
    out: dict[int, Path] = {}

    def leaves(body: list[ast.stmt]) -> bool:
        return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))

    def block(stmts: list[ast.stmt], path: Path) -> None:
        for st in stmts:
            out[id(st)] = path
            if isinstance(st, ast.If):
                block(st.body, (*path, (id(st), 0)))
                block(st.orelse, (*path, (id(st), 1)))
                if leaves(st.body) and not leaves(st.orelse):
                    path = (*path, (id(st), 1))
                elif leaves(st.orelse) and not leaves(st.body):
                    path = (*path, (id(st), 0))
            elif isinstance(st, ast.Try) or type(st).__name__ == "TryStar":  # try/except* (3.11) alike
                st = cast(ast.Try, st)
                block(st.body + st.orelse, (*path, (id(st), 0)))
                for i, handler in enumerate(st.handlers):
                    block(handler.body, (*path, (id(st), i + 1)))
                block(st.finalbody, path)
            elif isinstance(st, ast.Match):
                for i, case in enumerate(st.cases):
                    block(case.body, (*path, (id(st), i)))
            elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                block(st.body, ())
            else:
                for name in ("body", "orelse", "finalbody"):
                    inner = getattr(st, name, None)
                    if isinstance(inner, list):
                        block(inner, path)

    block(tree.body, ())
    return out


class _Binder(ast.NodeVisitor):
    """First pass: every scope's assignments and the file's imports."""

    def __init__(self, tree: ast.Module) -> None:
        self.module = _Scope(tree, None)
        self.scope_of: dict[int, _Scope] = {}  # id(node) of a scope-opening node -> its scope
        self.class_self: dict[int, _Scope] = {}  # id(class node) -> scope holding `self.x` assignments
        self.aliases: dict[str, str] = {}
        self.current = self.module
        self.classes: list[ast.ClassDef] = []
        self.class_defs: dict[
            str, ast.ClassDef
        ] = {}  # the module's classes by name (subclasses of model classes)
        self.branch_depth = 0  # inside how many if/for/while/try bodies of the current scope
        self.scope_of[id(tree)] = self.module
        # `if q:` / `if q is not None:` (and the `else` of `if q is None:` / `if not q:`): the names known not to be
        # None in the branch being visited, and every use of such a name there (by id of the Name node)
        self.narrowing: list[frozenset[str]] = []
        self.not_none: set[int] = set()
        self.paths = _branch_paths(tree)
        self.path: Path = ()  # the Path of the statement being visited
        self.use_path: dict[int, Path] = {}  # id(Name node) -> the Path it is read on

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.stmt):
            self.path = self.paths.get(id(node), self.path)
        return super().visit(node)

    def _bind(self, target: ast.expr, value: ast.expr | None, line: int) -> None:
        if isinstance(target, ast.Name):
            self.current.names.setdefault(target.id, []).append((line, value))
            self.current.bind_paths[(target.id, line)] = self.path
            if self.branch_depth:
                self.current.conditional.add((target.id, line))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and value is not None:
            if target.value.id == "self" and self.classes:
                holder = self.class_self.setdefault(id(self.classes[-1]), _Scope(self.classes[-1], None))
                holder.names.setdefault(f"self.{target.attr}", []).append((line, value))
            else:
                self.current.attrs.setdefault((target.value.id, target.attr), []).append((line, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element.value if isinstance(element, ast.Starred) else element, None, line)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and value is not None:
            self.current.dict_ops.setdefault(target.value.id, []).append(
                (line, "set", ast.Tuple([target.slice, value]), self.path)
            )

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.attr in ("update", "pop", "setdefault")
        ):
            self.current.dict_ops.setdefault(call.func.value.id, []).append(
                (call.lineno, call.func.attr, call, self.path)
            )
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                self.current.dict_ops.setdefault(target.value.id, []).append(
                    (node.lineno, "del", target.slice, self.path)
                )
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value, node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value, node.lineno)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._bind(node.target, None, node.lineno)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind(node.target, node.value, node.lineno)
        self.generic_visit(node)

    def _branch(self, node: ast.AST) -> None:
        self.branch_depth += 1
        self.generic_visit(node)
        self.branch_depth -= 1

    visit_While = visit_Try = visit_Match = _branch

    def visit_If(self, node: ast.If) -> None:
        self.branch_depth += 1
        self.visit(node.test)
        positive, negative = _not_none_under(node.test)
        for names, body in ((positive, node.body), (negative, node.orelse)):
            self.narrowing.append(names)
            for stmt in body:
                self.visit(stmt)
            self.narrowing.pop()
        self.branch_depth -= 1

    def visit_Name(self, node: ast.Name) -> None:
        self.use_path[id(node)] = self.path
        if any(node.id in names for names in self.narrowing):
            self.not_none.add(id(node))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._bind(node.target, None, node.lineno)
        self._branch(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars, None, node.lineno)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top
            self._bind(ast.Name(alias.asname or alias.name.split(".")[0]), None, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            for alias in node.names:
                if alias.name != "*":
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _enter(self, node: ast.AST, body: list[ast.stmt], is_class: bool = False) -> None:
        scope = _Scope(node, self.current, is_class=is_class)
        self.scope_of[id(node)] = scope
        outer, self.current = self.current, scope
        depth, self.branch_depth = self.branch_depth, 0
        narrowing, self.narrowing = (
            self.narrowing,
            [],
        )  # a nested function runs later: the test may no longer hold
        for stmt in body:
            self.visit(stmt)
        self.current, self.branch_depth, self.narrowing = outer, depth, narrowing

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._bind(ast.Name(node.name), None, node.lineno)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self._enter(node, node.body)
        scope = self.scope_of[id(node)]
        for a in [
            *node.args.posonlyargs,
            *node.args.args,
            *node.args.kwonlyargs,
            node.args.vararg,
            node.args.kwarg,
        ]:
            if a is not None:
                scope.names.setdefault(a.arg, []).insert(0, (node.lineno, None))
        positional = [*node.args.posonlyargs, *node.args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(node.args.defaults)) + list(
            node.args.defaults
        )
        for a, default in [
            *zip(positional, defaults, strict=True),
            *zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True),
        ]:
            scope.params[a.arg] = default

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._enter(node, [ast.Expr(node.body)])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(ast.Name(node.name), None, node.lineno)
        self.class_defs.setdefault(node.name, node)
        self.classes.append(node)
        self._enter(node, node.body, is_class=True)
        self.classes.pop()


# ---- what is called ----

#: The qualname prefix of classes defined in the linted module (`class MyModel(LlamaForCausalLM)`).
LOCAL = "<module>"
#: transformers classes with a `from_pretrained` that are not models.
_NOT_MODELS = ("Tokenizer", "Processor", "Config", "FeatureExtractor", "Pipeline", "Extractor")


def is_loader_class(qualname: str, local: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether `qualname` is a transformers model class, whose `from_pretrained` takes quantization_config.

    transformers' own model classes (`Auto*Model*`, `*For*`, `*Model`, `PreTrainedModel`), peft's
    `AutoPeftModel*` (peft/auto.py passes its keyword arguments on to the transformers class), and classes of
    the linted module that subclass one of them. Anything else (Unsloth's FastLanguageModel, tokenizers,
    processors, diffusers models) is not judged: its `from_pretrained` has its own parameters.
    """
    parts = qualname.split(".")
    last = parts[-1]
    if parts[0] == LOCAL:
        return last in local
    if any(word in last for word in _NOT_MODELS) or last.startswith(("TF", "Flax")):
        return False
    if parts[0] == "peft":
        return last.startswith("AutoPeftModel")
    if parts[0] != "transformers":
        return False
    return last.startswith("AutoModel") or "For" in last or last.endswith("Model")


def loader_of(call: CallV, local: set[str] | frozenset[str] = frozenset()) -> bool:
    """`X.from_pretrained(...)` where X resolves to a transformers model class."""
    if call.qualname is None or not call.qualname.endswith(".from_pretrained"):
        return False
    return is_loader_class(call.qualname[: -len(".from_pretrained")], local)


# ---- evaluation ----


class _Evaluator:
    def __init__(self, binder: _Binder) -> None:
        self.b = binder
        self._memo: dict[tuple[int, int], Value] = {}
        self._scope_index: dict[int, _Scope] = {}
        self.local_loaders: set[str] = set()  # module classes that subclass a transformers model class
        self.splatted: dict[int, list[ast.Call]] = {}  # id(dict node) -> the calls it was `**`-splatted into

    def _lookup(
        self, name: str, scope: _Scope, line: int, use_path: Path = ()
    ) -> tuple[ast.expr | None, _Scope, int] | None:
        first = True
        s: _Scope | None = scope
        while s is not None:
            if s.is_class and not first:  # class bodies do not enclose their methods
                s = s.parent
                continue
            bindings = s.names.get(name)
            if bindings:
                # a binding on a branch the use cannot have come through (`if a: q = None` / `else: use(q)`) is skipped
                before = (
                    [
                        b
                        for b in bindings
                        if b[0] < line and not exclusive(s.bind_paths.get((name, b[0]), ()), use_path)
                    ]
                    if first
                    else []
                )
                line_no, expr = (before or bindings)[-1]
                return expr, s, line_no
            first = False
            s = s.parent
        return None

    def _alternatives(
        self, name: str, scope: _Scope, line: int, use_path: Path = ()
    ) -> list[tuple[int, ast.expr | None]]:
        """The bindings that may reach a use: the last one before it and, while that one is conditional, the
        ones before it (flow-insensitive, but never mistakes a branch's value for the only one), leaving out those
        on a branch exclusive with the use's."""
        bindings = [
            b
            for b in scope.names.get(name, [])
            if b[0] < line and not exclusive(scope.bind_paths.get((name, b[0]), ()), use_path)
        ]
        out: list[tuple[int, ast.expr | None]] = []
        for b in reversed(bindings):
            out.append(b)
            if (name, b[0]) not in scope.conditional:
                break
        return out

    def value(self, node: ast.AST | None, scope: _Scope, depth: int = 0) -> Value:
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        key = (id(node), id(scope))
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        self._memo[key] = UNKNOWN  # a cycle (x = f(x)) resolves to Unknown
        result = self._value(node, scope, depth)
        self._memo[key] = result
        return result

    def _value(self, node: ast.AST, scope: _Scope, depth: int) -> Value:
        if isinstance(node, ast.Constant):
            return Const(node.value)
        if isinstance(node, ast.Name) and id(node) in self.b.not_none:
            return _without_none(self._name(node, scope, depth))
        if isinstance(node, ast.Name):
            return self._name(node, scope, depth)
        return self._other(node, scope, depth)

    def _name(self, node: ast.Name, scope: _Scope, depth: int) -> Value:
        """A name's value: an import, a parameter, its binding (a choice where it is bound in branches)."""
        if node.id in self.b.aliases:
            found = self._lookup(node.id, scope, node.lineno)
            if found is None or found[0] is None:
                return Ref(self.b.aliases[node.id])
        use_line = getattr(node, "lineno", 1 << 30)
        path = self.b.use_path.get(id(node), ())
        found = self._lookup(node.id, scope, use_line, path)
        if found is None:
            return Ref(node.id)  # a builtin such as dict, or a name defined elsewhere
        expr, where, bound_at = found
        if expr is None:
            if node.id in self.local_loaders and where is self.b.module:
                return Ref(f"{LOCAL}.{node.id}")
            if node.id in where.params and bound_at == getattr(where.node, "lineno", -1):
                default = where.params[node.id]
                parent = where.parent or self.b.module
                return Param(
                    node.id, self.value(default, parent, depth + 1) if default is not None else UNKNOWN
                )
            return UNKNOWN
        if where is scope and (node.id, bound_at) in where.conditional:
            choices = self._alternatives(node.id, where, use_line, path)
            if len(choices) > 1:
                lines = sorted(b[0] for b in where.names.get(node.id, []))
                values: list[Value] = []
                for line_no, alt in choices:
                    v = self.value(alt, where, depth + 1) if alt is not None else UNKNOWN
                    # the in-place changes made to this alternative before the name is bound again
                    until = min([n for n in lines if n > line_no] + [use_line])
                    v = self._changed(
                        v, node.id, where, scope, line_no, until, depth, self.b.use_path.get(id(node), ())
                    )
                    if v not in values:
                        values.append(v)
                if len(values) > 1:
                    return OneOf(tuple(values))
        bound = self.value(expr, where, depth + 1)
        return self._changed(
            bound, node.id, where, scope, bound_at, use_line, depth, self.b.use_path.get(id(node), ())
        )

    def _other(self, node: ast.AST, scope: _Scope, depth: int) -> Value:
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                owner = self._class_of(scope)
                bindings = owner.names.get(f"self.{node.attr}", []) if owner is not None else []
                # in the same method: the last assignment before the use; elsewhere: the first one (usually __init__)
                same = [b for b in bindings if b[0] < node.lineno and self._method_scope(b[1]) is scope]  # type: ignore[arg-type]
                chosen = (same or bindings[:1] or [(0, None)])[-1][1]
                if chosen is None:
                    return UNKNOWN
                return self.value(chosen, self._method_scope(chosen) or scope, depth + 1)
            base = self.value(node.value, scope, depth + 1)
            if isinstance(base, Ref):
                return Ref(f"{base.qualname}.{node.attr}")
            return UNKNOWN
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth)
        if isinstance(node, ast.IfExp):
            # `cls = AutoModelForCausalLM if causal else AutoModelForSeq2SeqLM`: both loaders is a loader
            body, orelse = self.value(node.body, scope, depth + 1), self.value(node.orelse, scope, depth + 1)
            if body == orelse:
                return body
            if (
                isinstance(body, Ref)
                and isinstance(orelse, Ref)
                and is_loader_class(body.qualname, self.local_loaders)
                and is_loader_class(orelse.qualname, self.local_loaders)
            ):
                return body
            return OneOf((body, orelse))  # `cfg if quantize else None`: either, depending on the test
        if isinstance(node, ast.Dict):
            items: dict[str, Arg] = {}
            is_open = False
            for key, val in zip(node.keys, node.values, strict=True):
                if key is None:
                    inner = self.value(val, scope, depth + 1)
                    if isinstance(inner, DictV):
                        items.update(inner.items)
                        is_open |= inner.open
                    else:
                        is_open = True
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    items[key.value] = Arg(self.value(val, scope, depth + 1), val, key, node)
                else:
                    is_open = True
            return DictV(node, items, is_open)
        return UNKNOWN

    def _changed(
        self,
        bound: Value,
        name: str,
        where: _Scope,
        scope: _Scope,
        bound_at: int,
        use_line: int,
        depth: int,
        use_path: Path = (),
    ) -> Value:
        """A dict with the in-place changes made to it between its binding and this use (all of them when the use
        is in a nested scope), leaving out those made in a branch the use cannot have come through."""
        ops = where.dict_ops.get(name)
        if not isinstance(bound, DictV) or not ops:
            return bound
        same_scope = where is scope
        later = [
            op
            for op in ops
            if op[0] > bound_at and (not same_scope or (op[0] < use_line and not exclusive(op[3], use_path)))
        ]
        return self._apply(bound, later, where, depth) if later else bound

    def _apply(self, d: DictV, ops: list[tuple[int, str, ast.AST, Path]], scope: _Scope, depth: int) -> DictV:
        items, is_open = dict(d.items), d.open
        for _, kind, payload, path in ops:
            if kind == "set":
                assert isinstance(payload, ast.Tuple)
                key, val = payload.elts
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    new = Arg(self.value(val, scope, depth + 1), val, key, payload, path)
                    old = items.get(key.value)
                    if old is not None and old.path and exclusive(old.path, path):
                        # `if a: d[k] = x` / `elif b: d[k] = y`: either, never one over the other
                        olds = old.value.options if isinstance(old.value, OneOf) else (old.value,)
                        news = new.value.options if isinstance(new.value, OneOf) else (new.value,)
                        merged = tuple(v for i, v in enumerate([*olds, *news]) if v not in [*olds, *news][:i])
                        common = tuple(p for p in old.path if p in path)
                        new = Arg(merged[0] if len(merged) == 1 else OneOf(merged), val, key, payload, common)
                    items[key.value] = new
                else:
                    is_open = True
            elif kind == "del":
                if isinstance(payload, ast.Constant) and isinstance(payload.value, str):
                    items.pop(payload.value, None)
            else:
                assert isinstance(payload, ast.Call)
                first = payload.args[0] if payload.args else None
                if kind in ("pop", "setdefault"):
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        if kind == "pop":
                            items.pop(first.value, None)
                        elif first.value not in items and len(payload.args) > 1:
                            items[first.value] = Arg(
                                self.value(payload.args[1], scope, depth + 1),
                                payload.args[1],
                                first,
                                payload,
                                path,
                            )
                    continue
                for arg in payload.args:
                    inner = self.value(arg, scope, depth + 1)
                    if isinstance(inner, DictV):
                        items.update({k: replace(a, path=path) for k, a in inner.items.items()})
                        is_open |= inner.open
                    else:
                        is_open = True
                for kw in payload.keywords:
                    if kw.arg is None:
                        is_open = True
                    else:
                        items[kw.arg] = Arg(
                            self.value(kw.value, scope, depth + 1), kw.value, kw, payload, path
                        )
        return DictV(d.node, items, is_open)

    def call(self, node: ast.Call, scope: _Scope, depth: int = 0) -> Value:
        func = node.func
        callee = self.value(func, scope, depth + 1)
        qualname = callee.qualname if isinstance(callee, Ref) else None
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = None
        if isinstance(func, ast.Attribute) and qualname is None:
            receiver = self.value(func.value, scope, depth + 1)
        kwargs: dict[str, Arg] = {}
        is_open = any(isinstance(a, ast.Starred) for a in node.args)
        if isinstance(callee, CallV) and callee.qualname == "functools.partial" and callee.args:
            # partial(AutoModelForCausalLM.from_pretrained, quantization_config=q)(name): the partial's keywords first
            target = callee.args[0]
            qualname = target.qualname if isinstance(target, Ref) else None
            method = qualname.rsplit(".", 1)[-1] if qualname else None
            kwargs.update(callee.kwargs)
            is_open |= callee.open
        if (qualname or "").endswith(".from_pretrained") and not (isinstance(callee, CallV) and callee.open):
            # from_pretrained(path, *model_args, **kwargs): positional arguments are the path and model_args, handed
            # to the model's __init__, never loading options; a `*splat` there hides no keyword
            is_open = False
        splats: list[DictV] = []
        for kw in node.keywords:
            if kw.arg is None:
                inner = self.value(kw.value, scope, depth + 1)
                if isinstance(inner, DictV):
                    kwargs.update(inner.items)
                    is_open |= inner.open
                    splats.append(inner)
                else:
                    is_open = True
            else:
                kwargs[kw.arg] = Arg(self.value(kw.value, scope, depth + 1), kw.value, kw, node)
        positional = list(node.args)
        if isinstance(callee, CallV) and callee.qualname == "functools.partial" and callee.args:
            positional = [
                *callee.node.args[1:],
                *positional,
            ]  # partial(BitsAndBytesConfig, True)(...): its own first
        args = tuple(self.value(a, scope, depth + 1) for a in positional if not isinstance(a, ast.Starred))
        if (qualname or "").split(".")[-1] == "BitsAndBytesConfig" and positional:
            # BitsAndBytesConfig(args.load_in_8bit, args.load_in_4bit, ...): positional arguments are parameters
            # too, in the order of BNB_PARAMS; after a `*splat`, or past the known parameters, nothing is known
            for i, a in enumerate(positional):
                if isinstance(a, ast.Starred) or i >= len(BNB_PARAMS):
                    is_open = True
                    break
                if BNB_PARAMS[i] not in kwargs:
                    kwargs[BNB_PARAMS[i]] = Arg(self.value(a, scope, depth + 1), a, a, node)
        if qualname == "dict":
            # dict(base, k=v) is base's items updated with the keywords; dict(pairs) or dict(**unknown) is open
            if not node.args:
                return DictV(node, kwargs, is_open)
            if len(node.args) == 1 and not isinstance(node.args[0], ast.Starred):
                base = self.value(node.args[0], scope, depth + 1)
                if isinstance(base, DictV):
                    return DictV(node, {**base.items, **kwargs}, is_open or base.open)
        for inner in splats:
            self.splatted.setdefault(id(inner.node), []).append(node)
        return CallV(node, qualname, method, receiver, args, kwargs, is_open)

    def _class_of(self, scope: _Scope) -> _Scope | None:
        s: _Scope | None = scope
        while s is not None:
            if s.is_class:
                return self.b.class_self.get(id(s.node))
            s = s.parent
        return None

    def _method_scope(self, expr: ast.expr) -> _Scope | None:
        return self._scope_index.get(id(expr))


def _without_none(value: Value) -> Value:
    """A value where a test has just proved it is not None: the choices that are None dropped."""
    if isinstance(value, OneOf):
        rest = tuple(v for v in value.options if not (isinstance(v, Const) and v.value is None))
        return rest[0] if len(rest) == 1 else OneOf(rest) if rest else UNKNOWN
    if isinstance(value, Const) and value.value is None:
        return UNKNOWN
    return value


def _scoped_nodes(tree: ast.Module, binder: _Binder) -> Iterator[tuple[ast.AST, _Scope]]:
    """Every node with the scope it is evaluated in."""
    stack: list[tuple[ast.AST, _Scope]] = [(tree, binder.module)]
    while stack:
        node, scope = stack.pop()
        yield node, scope
        inner = binder.scope_of.get(id(node), scope) if node is not tree else scope
        for child in ast.iter_child_nodes(node):
            # a function's defaults and decorators belong to the enclosing scope; close enough to treat all alike
            stack.append((child, inner))


def is_bnb_config(value: Value) -> bool:
    return isinstance(value, CallV) and (value.qualname or "").split(".")[-1] == "BitsAndBytesConfig"


def _local_loaders(binder: _Binder, ev: _Evaluator) -> set[str]:
    """Module classes that subclass a transformers model class (directly or through another such class)."""
    found: set[str] = set()
    for _ in range(3):  # subclasses of subclasses, a few levels deep
        ev.local_loaders = set(found)
        ev._memo.clear()
        for name, node in binder.class_defs.items():
            bases = [ev.value(base, binder.module) for base in node.bases]
            if any(isinstance(b, Ref) and is_loader_class(b.qualname, found) for b in bases):
                found.add(name)
    ev.local_loaders = found
    ev._memo.clear()
    return found


def analyze(tree: ast.Module) -> ModuleFacts:
    binder = _Binder(tree)
    binder.visit(tree)
    ev = _Evaluator(binder)
    nodes = list(_scoped_nodes(tree, binder))
    ev._scope_index = {id(n): s for n, s in nodes}
    local = _local_loaders(binder, ev)
    facts = ModuleFacts(aliases=dict(binder.aliases))
    seen_configs: dict[int, QuantConfig] = {}
    parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}

    def guards_of(node: ast.AST) -> frozenset[str]:
        """The names tested by the conditions a node is built under, up to its function."""
        names: set[str] = set()
        current = parents.get(id(node))
        while current is not None and not isinstance(
            current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        ):
            test = (
                getattr(current, "test", None)
                if isinstance(current, (ast.If, ast.While, ast.IfExp))
                else None
            )
            if test is not None:
                names |= {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
            current = parents.get(id(current))
        return frozenset(names)

    def config_of(value: Value, scope: _Scope, name: str | None) -> QuantConfig | None:
        if isinstance(value, OneOf):
            # `q = None; if args.bits == 4: q = BitsAndBytesConfig(...)`: the config, when the path builds one
            found = [c for c in (config_of(v, scope, name) for v in value.options) if c is not None]
            return found[0] if len(found) == 1 else None
        if is_bnb_config(value):
            assert isinstance(value, CallV)
            kwargs = dict(value.kwargs)
            if name is not None:
                for s in _chain(scope):
                    for (owner, attr), items in s.attrs.items():
                        if owner == name and attr in BNB_PARAMS and attr not in kwargs:
                            expr = items[-1][1]
                            kwargs[attr] = Arg(ev.value(expr, s), expr, expr, expr)
            cfg = seen_configs.get(id(value.node)) or QuantConfig(
                value.node, kwargs, value.open, True, guards_of(value.node)
            )
            if name is not None and len(kwargs) != len(cfg.kwargs):
                cfg = QuantConfig(value.node, kwargs, value.open, True, cfg.guards)
            seen_configs[id(value.node)] = cfg
            return cfg
        if isinstance(value, DictV) and ("load_in_4bit" in value.items or "load_in_8bit" in value.items):
            return QuantConfig(value.node, value.items, value.open, False)
        return None

    def several_configs(q: Arg | None) -> bool:
        return q is not None and isinstance(q.value, OneOf) and sum(map(is_bnb_config, q.value.options)) > 1

    def name_of(node: ast.expr | None) -> str | None:
        return node.id if isinstance(node, ast.Name) else None

    loads_by_node: dict[int, Load] = {}

    def load_of(call: CallV) -> Load:
        if id(call.node) not in loads_by_node:
            scope = ev._scope_index.get(id(call.node), binder.module)
            q = call.kwargs.get("quantization_config")
            cfg = config_of(q.value, scope, name_of(q.node)) if q is not None else None
            guards = guards_of(call.node)
            if q is not None and isinstance(q.node, ast.IfExp):  # quantization_config=q if flag else None
                guards |= {n.id for n in ast.walk(q.node.test) if isinstance(n, ast.Name)}
            loads_by_node[id(call.node)] = Load(
                call.node, call.kwargs, call.open, cfg, guards, several_configs(q)
            )
        return loads_by_node[id(call.node)]

    calls: list[CallV] = []
    dict_loads: dict[
        int, Load
    ] = {}  # by the dict literal's node; the fullest view of it (after `d[k] = v`) wins

    def dict_load(dvalue: Value, scope: _Scope) -> None:
        if isinstance(dvalue, OneOf):  # `kw = {...}` in each branch, then `kw["quantization_config"] = ...`
            for option in dvalue.options:
                dict_load(option, scope)
            return
        if not isinstance(dvalue, DictV) or "quantization_config" not in dvalue.items:
            return
        q = dvalue.items["quantization_config"]
        cfg = config_of(q.value, scope, name_of(q.node))
        old = dict_loads.get(id(dvalue.node))
        several = several_configs(q)
        if (cfg is not None or several) and (old is None or len(dvalue.items) > len(old.kwargs)):
            dict_loads[id(dvalue.node)] = Load(
                dvalue.node, dvalue.items, dvalue.open, cfg, alternatives=several
            )

    for node, scope in nodes:
        if isinstance(node, ast.Call):
            value = ev.value(node, scope)
            if not isinstance(value, CallV):
                continue
            calls.append(value)
            if is_bnb_config(value):
                config_of(value, scope, None)
            elif loader_of(value, local):
                facts.loads.append(load_of(value))
            else:
                # a dict of loading arguments handed over by name, as built by then (`load_model(path, kwargs)`)
                for arg in [*node.args, *(kw.value for kw in node.keywords if kw.arg is not None)]:
                    if isinstance(arg, ast.Name):
                        dict_load(ev.value(arg, scope), scope)
        elif isinstance(node, ast.Dict):
            dict_load(ev.value(node, scope), scope)
    # A dict of loading arguments is judged where it is splatted into a loader (the call carries its items);
    # one splatted into something else (Unsloth's loader, a wrapper) is not judged; one handed over as a value
    # (trl's `model_init_kwargs`, fschat's `adapter.load_model(path, kwargs)`) is judged on its own.
    facts.loads += [ld for ld in dict_loads.values() if id(ld.node) not in ev.splatted]
    for value in calls:
        model = value.receiver
        if value.method in ("half", "float", "to") and isinstance(model, CallV) and loader_of(model, local):
            dtype = None
            if value.method == "to":
                candidates = [*value.args, *(a.value for k, a in value.kwargs.items() if k == "dtype")]
                dtype = next((d for d in map(dtype_name, candidates) if d), None)
                if dtype is None:
                    continue  # .to("cuda") moves a quantized model, which is allowed
            load = load_of(model)
            if load.quantized:
                facts.casts.append(Cast(value.node, value.method, load, dtype))
    # named configs: attach attribute assignments made after construction
    for node, scope in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = ev.value(node.value, scope)
            if is_bnb_config(value):
                config_of(value, scope, node.targets[0].id)
    facts.configs = list(seen_configs.values())
    facts.loads = [
        replace(ld, config=seen_configs.get(id(ld.config.node), ld.config) if ld.config else None)
        for ld in facts.loads
    ]
    facts.calls = calls
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            facts.imports += [(f"{node.module}.{a.name}", node) for a in node.names if a.name != "*"]
    return facts


def _chain(scope: _Scope) -> Iterator[_Scope]:
    s: _Scope | None = scope
    while s is not None:
        yield s
        s = s.parent
