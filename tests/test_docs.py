"""The documentation site: one generated page per rule, kept current, and a strict mkdocs build.

The rule pages are generated from the registry by `python -m bnbdoctor.docs_gen docs`; these tests fail when a
rule has no page, a page names a rule that does not exist, or the site does not build with warnings as errors.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bnbdoctor.cli import main
from bnbdoctor.docs_gen import pages, rule_page, sections
from bnbdoctor.rules import all_rules, get_rule

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RULE_ID = re.compile(r"\bBNB\d{3}\b")
RANGE = re.compile(r"\bBNB\d{3}-BNB\d{3}\b")  # "BNB100-BNB149" names an id space, not a rule


def test_rule_pages_are_current():
    wanted = pages()
    present = {p.name: p.read_text(encoding="utf-8") for p in (DOCS / "rules").glob("*.md")}
    assert present == wanted, "run: python -m bnbdoctor.docs_gen docs"


def test_every_rule_has_a_page_and_every_page_is_a_rule():
    ids = {r.id for r in all_rules()}
    pages_found = {p.stem for p in (DOCS / "rules").glob("BNB*.md")}
    assert pages_found - ids == set(), "pages for rules that do not exist"
    assert ids - pages_found == set(), "rules without a page"


def test_docs_name_only_rules_that_exist():
    ids = {r.id for r in all_rules()}
    for path in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        named = set(RULE_ID.findall(RANGE.sub("", path.read_text(encoding="utf-8"))))
        assert named <= ids, f"{path.relative_to(ROOT)} names unknown rules {sorted(named - ids)}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_page_has_every_section(rule):
    page = rule_page(rule)
    headings = re.findall(r"^## (.+)$", page, re.M)
    assert headings == ["What it does", "Why it matters", "Example", "Fix", "Fix safety", "Evidence"]
    assert all(sections(page)[h] for h in headings), "an empty section"
    assert ("automatic fix | yes" in page) == (rule.fix_safety is not None)


def test_rule_command_prints_the_same_page(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["rule", "bnb003"])
    out = capsys.readouterr().out
    rule = get_rule("BNB003")
    assert exited.value.code in (0, None) and rule is not None and out == rule_page(rule, site=False)
    # the same page as on the site, with repository paths instead of the site's relative links
    assert sections(out).keys() == sections(rule_page(rule)).keys()


def test_rule_command_with_an_unknown_id_is_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["rule", "BNB999"])
    assert exited.value.code == 2 and "unknown rule 'BNB999'" in capsys.readouterr().err


def _mkdocs_build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed: pip install -e '.[docs]' (or '.[test]')")
    pytest.importorskip("material", reason="mkdocs-material is not installed: pip install -e '.[docs]'")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_docs_build_strictly(tmp_path):
    proc = _mkdocs_build(ROOT, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-4000:]
    for rule in all_rules():
        assert (tmp_path / "site" / "rules" / rule.id / "index.html").is_file()
    for page in (
        "getting-started",
        "exit-codes",
        "formats",
        "schemas",
        "cli",
        "ci/github",
        "ci/gitlab",
        "ci/kubernetes",
        "ci/pre-commit",
    ):
        assert (tmp_path / "site" / page / "index.html").is_file(), page


@pytest.mark.slow
def test_docs_build_fails_when_a_rule_page_is_missing(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(DOCS, copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    (copy / "docs" / "rules" / "BNB003.md").unlink()
    proc = _mkdocs_build(copy, tmp_path / "site")
    assert proc.returncode != 0 and "BNB003.md" in proc.stderr
