"""The imports of bnbdoctor form a DAG between its packages (vocab <- rules <- commands, report -> documents): a
test that reads every module's imports with ast, function-level (lazy) ones included. Imports under
`if TYPE_CHECKING:` are left out: they name a type for an annotation and never run."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bnbdoctor"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every bnbdoctor module this file imports, anywhere in it."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("bnbdoctor")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("bnbdoctor"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}  # `from . import cluster` names a module
    return found


def _package(module: str) -> str:
    """bnbdoctor.rules.base -> rules; bnbdoctor.cli -> cli; bnbdoctor -> bnbdoctor (__version__ only)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def package_graph() -> dict[str, set[str]]:
    modules = {_module_name(p) for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        source = _package(_module_name(path))
        targets = {t for t in _imports(path) if t in modules}
        graph.setdefault(source, set()).update(_package(t) for t in targets if _package(t) != source)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_packages():
    assert cycles(package_graph()) == []


def test_the_layers_point_one_way():
    graph = package_graph()
    assert graph.get("vocab", set()) == set(), "vocab is a leaf"
    assert "commands" not in graph["report"], "reporters render documents; they do not call commands"
    assert "report" not in graph["commands"], "commands return documents; the CLI renders them"
    for low in ("vocab", "documents", "rules", "selection"):
        assert "cli" not in graph.get(low, set())


def test_the_walker_sees_lazy_imports():
    assert "lint" in package_graph()["commands"]  # commands/lint.py imports bnbdoctor.lint at module level
    assert "probes" in package_graph()["commands"]  # commands/check.py imports probes inside a function


def test_every_rule_module_is_listed_and_every_rule_named_after_its_slug():
    from bnbdoctor.rules import MACHINE_RULE_MODULES, MODEL_RULE_MODULES, OTHER_RULE_MODULES, all_rules

    defining = {p.stem for p in (SRC / "rules").glob("*.py") if "\n@rule(" in p.read_text(encoding="utf-8")}
    assert defining == set(MACHINE_RULE_MODULES) | set(MODEL_RULE_MODULES) | set(OTHER_RULE_MODULES)
    unnamed = sorted(
        f"{r.id} {r.check.__module__}.{r.check.__name__} -> {slug_identifier(r.name)}"
        for r in all_rules()
        if r.check.__name__ != slug_identifier(r.name)
    )
    assert unnamed == [], "a rule's check function is not named after its slug:\n" + "\n".join(unnamed)


def slug_identifier(slug: str) -> str:
    """A slug as a Python name: dashes become underscores; a slug that starts with a digit gets `rule_` before it."""
    name = slug.replace("-", "_")
    return f"rule_{name}" if name[0].isdigit() else name
