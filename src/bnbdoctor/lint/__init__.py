"""`bnbdoctor lint`: static analysis of quantized loading in Python source, and safe fixes.

The pipeline: files (git's file list, or a walk honouring .gitignore; notebooks by code cell) → analyze (stdlib
`ast`, a small value tracker that resolves callees to transformers model loaders) → pins (what the project's own
requirements reach) → rules (pure functions of the analysed module, registered with `@rule(scope="code")`) →
settings (`[tool.bnbdoctor]` per-path ignores, test files demoted) → fix (libcst, imported only when fixing) → report.
"""
