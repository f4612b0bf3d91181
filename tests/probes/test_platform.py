from __future__ import annotations

import sys

from bnbdoctor.probes.platform import normalise_machine, probe


def test_machine_names_are_normalised():
    assert normalise_machine("AMD64") == "x86_64"
    assert normalise_machine("arm64") == "aarch64"
    assert normalise_machine("x86_64") == "x86_64"
    assert normalise_machine("ppc64le") == "ppc64le"


def test_probe_describes_this_interpreter():
    info = probe()
    assert info.status == "ok"
    assert info.python_version == "{}.{}.{}".format(*sys.version_info[:3])
    assert info.python_executable == sys.executable
    if sys.platform == "linux":
        assert info.system == "Linux" and info.libc in ("glibc", "musl")
