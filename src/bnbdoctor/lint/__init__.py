"""`bnbdoctor lint`: static analysis of quantized loading in Python source, and safe fixes.

The pipeline: files (discovery, .gitignore) → analyze (stdlib `ast`, a small value tracker) → rules (pure
functions of the analysed module, registered with `@rule(scope="code")`) → fix (libcst, optional) → report.
"""
