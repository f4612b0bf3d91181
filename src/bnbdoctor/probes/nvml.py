"""NVML probe: the NVIDIA driver and every GPU it manages, read through nvidia-ml-py (`import pynvml`).

NVML needs no CUDA context and ignores CUDA_VISIBLE_DEVICES: it reports every GPU of the machine, in PCI
bus order. Which of them a CUDA program sees is a judgement the rules make from the environment.
Failures are facts: no library, no driver, a driver/library mismatch, each recorded with its kind.
On Linux the queries run in a forked child: a driver library that crashes the process (SIGSEGV) or never answers
kills or wedges that child only, and becomes the probe's recorded failure ("crashed", "timeout").
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..snapshot import GpuInfo, GpuProcess, NvmlInfo

T = TypeVar("T")

#: pynvml exception class name -> (status, error_kind). Anything else is ("error", "other").
_ERROR_KINDS = {
    "NVMLError_LibraryNotFound": ("unavailable", "library_not_found"),
    "NVMLError_DriverNotLoaded": ("unavailable", "driver_not_loaded"),
    "NVMLError_LibRmVersionMismatch": ("error", "driver_library_mismatch"),
    "NVMLError_NoPermission": ("error", "no_permission"),
    "NVMLError_InsufficientPermissions": ("error", "no_permission"),
    "NVMLError_FunctionNotFound": ("error", "driver_too_old_for_nvml"),
    "NVMLError_Unknown": ("error", "other"),
}


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _classify(exc: BaseException) -> tuple[str, str]:
    for klass in type(exc).__mro__:
        if klass.__name__ in _ERROR_KINDS:
            return _ERROR_KINDS[klass.__name__]
    return "error", "other"


class _Gpu:
    """Collects one GPU's fields, recording each field's NVML error instead of giving up on the GPU."""

    def __init__(self, nvml: Any, index: int) -> None:
        self.nvml = nvml
        self.index = index
        self.errors: dict[str, str] = {}
        self.handle = nvml.nvmlDeviceGetHandleByIndex(index)

    def get(self, field: str, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except Exception as exc:  # NVMLError subclasses, and ctypes errors from very old drivers
            kind = _classify(exc)[1]
            if type(exc).__name__ != "NVMLError_NotSupported":
                self.errors[field] = f"{type(exc).__name__}: {exc}" if kind == "other" else kind
            return None

    def processes(self) -> tuple[GpuProcess, ...] | None:
        nvml, handle = self.nvml, self.handle
        found: dict[int, GpuProcess] = {}
        listed = False
        kinds: tuple[tuple[Literal["compute", "graphics"], str], ...] = (
            ("compute", "nvmlDeviceGetComputeRunningProcesses"),
            ("graphics", "nvmlDeviceGetGraphicsRunningProcesses"),
        )
        for kind, function in kinds:
            entries = self.get(f"processes.{kind}", lambda f=function: getattr(nvml, f)(handle))  # type: ignore[misc]
            if entries is None:
                continue
            listed = True
            for entry in entries:
                pid = int(entry.pid)
                if pid in found:
                    continue
                used = getattr(entry, "usedGpuMemory", None)
                name = self.get("processes.name", lambda p=pid: _text(nvml.nvmlSystemGetProcessName(p)))  # type: ignore[misc]
                found[pid] = GpuProcess(
                    pid=pid, used_memory=int(used) if isinstance(used, int) else None, name=name, type=kind
                )
        self.errors.pop("processes.name", None)  # a process we may not inspect is normal, not a probe error
        return tuple(found.values()) if listed else None

    def info(self) -> GpuInfo:
        nvml, handle = self.nvml, self.handle
        memory = self.get("memory", lambda: nvml.nvmlDeviceGetMemoryInfo(handle))
        capability = self.get("compute_capability", lambda: nvml.nvmlDeviceGetCudaComputeCapability(handle))
        mig = self.get("mig_mode", lambda: nvml.nvmlDeviceGetMigMode(handle))
        pci = self.get("pci_bus_id", lambda: _text(nvml.nvmlDeviceGetPciInfo(handle).busId))
        return GpuInfo(
            index=self.index,
            name=self.get("name", lambda: _text(nvml.nvmlDeviceGetName(handle))) or f"GPU {self.index}",
            uuid=self.get("uuid", lambda: _text(nvml.nvmlDeviceGetUUID(handle))),
            pci_bus_id=pci,
            compute_capability=(int(capability[0]), int(capability[1])) if capability else None,
            memory_total=int(memory.total) if memory is not None else None,
            memory_free=int(memory.free) if memory is not None else None,
            memory_used=int(memory.used) if memory is not None else None,
            mig_mode=bool(mig[0]) if mig is not None else None,
            processes=self.processes(),
            errors=dict(self.errors),
        )


def _collect(stage: Callable[[str], None] = lambda _: None) -> NvmlInfo:
    """Query NVML in this process; `stage` is told each step before it runs (a crash is then placed)."""
    stage("import pynvml")
    try:
        import pynvml as nvml
    except Exception as exc:  # nvidia-ml-py is a dependency; a broken install is still only a finding
        return NvmlInfo(status="error", error=f"cannot import pynvml: {exc}", error_kind="import_failed")
    stage("nvmlInit")
    try:
        nvml.nvmlInit()
    except Exception as exc:
        status, kind = _classify(exc)
        return NvmlInfo(status=status, error=f"{type(exc).__name__}: {exc}", error_kind=kind)  # type: ignore[arg-type]
    try:
        stage("driver version")
        driver = _text(nvml.nvmlSystemGetDriverVersion())
        try:
            cuda_version: int | None = int(nvml.nvmlSystemGetCudaDriverVersion())
        except Exception:
            cuda_version = None
        try:
            nvml_version: str | None = _text(nvml.nvmlSystemGetNVMLVersion())
        except Exception:
            nvml_version = None
        stage("device count")
        count = int(nvml.nvmlDeviceGetCount())
        gpus = []
        for i in range(count):
            stage(f"GPU {i}")
            gpus.append(_Gpu(nvml, i).info())
        return NvmlInfo(
            status="ok",
            driver_version=driver,
            cuda_driver_version=cuda_version,
            nvml_version=nvml_version,
            gpus=tuple(gpus),
        )
    except Exception as exc:
        status, kind = _classify(exc)
        return NvmlInfo(status="error", error=f"{type(exc).__name__}: {exc}", error_kind=kind)
    finally:
        stage("nvmlShutdown")
        with contextlib.suppress(Exception):
            nvml.nvmlShutdown()


def _timed_out(timeout: float, stage: str | None) -> NvmlInfo:
    at = f" (stuck in {stage})" if stage else ""
    return NvmlInfo(
        status="error",
        error=f"NVML did not answer within {timeout:g} s{at}: a hung driver or a GPU in a bad state",
        error_kind="timeout",
    )


def _child(write_fd: int) -> None:
    """The forked child's whole life: stages and the pickled result go to the pipe, then `os._exit` (no atexit
    handlers, no flushing of the parent's buffered output a second time)."""
    code = 0
    try:
        # a native library printing to stdout must not mix into `check --format json`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        # a crash here is the answer, not news: faulthandler (PYTHONFAULTHANDLER, pytest) holds its own copy of
        # the parent's stderr and would dump the child's stack there
        import faulthandler
        import pickle

        faulthandler.disable()

        def send(tag: bytes, payload: bytes) -> None:
            os.write(write_fd, tag + len(payload).to_bytes(4, "big"))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view) :]

        info = _collect(lambda name: send(b"S", name.encode("utf-8", "replace")))
        send(b"R", pickle.dumps(info))
    except BaseException:  # (whatever happens, the child must never return into the parent's code)
        code = 1
    os._exit(code)


class _Forked:
    """The NVML queries in a forked child; `wait` reads its answer, or turns its crash or hang into a failure."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.stage: str | None = None
        read_fd, write_fd = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads forks: a lock another thread held stays locked in the
            # child. The child here only imports pynvml, calls NVML and writes to a pipe, and were it to deadlock
            # it would be killed at the timeout like a hung driver. `check` forks before it starts any thread.
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
            try:
                pid = os.fork()
            except OSError:  # no process left (ulimit -u): the caller falls back to a thread
                os.close(read_fd)
                os.close(write_fd)
                raise
        if pid == 0:  # pragma: no cover (runs in the child, which leaves through os._exit)
            os.close(read_fd)
            _child(write_fd)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd
        self.result: NvmlInfo | None = None
        self.lock = threading.Lock()

    def _read(self) -> tuple[bytes, bool]:
        """Everything the child writes until it closes the pipe (True) or the deadline passes (False)."""
        data = bytearray()
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return bytes(data), False
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return bytes(data), True
            data += chunk

    def _parse(self, data: bytes) -> NvmlInfo | None:
        import pickle

        result = None
        at = 0
        while at + 5 <= len(data):
            tag, size = data[at : at + 1], int.from_bytes(data[at + 1 : at + 5], "big")
            payload = data[at + 5 : at + 5 + size]
            at += 5 + size
            if tag == b"S":
                self.stage = payload.decode("utf-8", "replace")
            elif tag == b"R" and len(payload) == size:
                with contextlib.suppress(Exception):
                    result = pickle.loads(payload)  # our own child, the same code
        return result if isinstance(result, NvmlInfo) else None

    def _reap(self, kill: bool) -> int | None:
        """The child's wait status; a child past its deadline is killed first."""
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            return os.waitpid(self.pid, 0)[1]
        return None

    def wait(self) -> NvmlInfo:
        with self.lock:
            if self.result is None:
                self.result = self._finish()
            return self.result

    def _finish(self) -> NvmlInfo:
        try:
            data, ended = self._read()
        finally:
            os.close(self.fd)
        result = self._parse(data)
        status = self._reap(kill=not ended)
        if result is not None:
            return result
        if not ended:
            return _timed_out(self.timeout, self.stage)
        at = f" in {self.stage}" if self.stage else ""
        if status is not None and os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                how = signal.Signals(number).name
            except ValueError:
                how = f"signal {number}"
        else:
            how = f"exit status {os.WEXITSTATUS(status)}" if status is not None else "an unknown ending"
        return NvmlInfo(
            status="error",
            error=f"the NVIDIA driver library crashed the process querying it ({how}{at})",
            error_kind="crashed",
        )


#: What pynvml raises when `CDLL("libnvidia-ml.so.1")` fails, as `_collect` records it (a test holds it to pynvml's
#: own NVMLError_LibraryNotFound text).
LIBRARY_NOT_FOUND = NvmlInfo(
    status="unavailable",
    error="NVMLError_LibraryNotFound: NVML Shared Library Not Found",
    error_kind="library_not_found",
)
_SONAME = "libnvidia-ml.so.1"  # the one name pynvml opens on Linux
#: Legacy hwcaps subfolders glibc before 2.37 searches below each folder (tls, platform names), and 2.33+'s own.
_HWCAP_DIRS = ("glibc-hwcaps", "tls", "x86_64", "haswell", "xeon_phi", "avx512_1", "aarch64", "i686", "sse2")


def _has_library_below(folder: str, depth: int = 3) -> bool:
    """A file (or link) named libnvidia-ml.so.1 in `folder`, or in the hwcaps subfolders the loader also reads."""
    if os.path.lexists(os.path.join(folder, _SONAME)):
        return True
    if depth == 0:
        return False
    for sub in _HWCAP_DIRS:
        below = os.path.join(folder, sub)
        if os.path.isdir(below):
            try:
                names = os.listdir(below)
            except OSError:
                return True  # unreadable: it may hold one
            if any(_has_library_below(os.path.join(below, n), depth - 1) for n in names if "." not in n):
                return True
    return False


def _search_dirs() -> Iterable[str]:
    """Every folder dlopen("libnvidia-ml.so.1") could search from this interpreter, and more: the executable's
    RPATH/RUNPATH, LD_LIBRARY_PATH (an empty entry is the current folder), this Python's lib folders, and glibc's
    default folders with the multiarch ones."""
    machine = os.uname().machine
    ld_library_path = os.environ.get("LD_LIBRARY_PATH")
    if ld_library_path is not None:
        yield from (p or "." for p in ld_library_path.replace(";", ":").split(":"))
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        yield os.path.join(prefix, "lib")
        yield os.path.join(prefix, "lib64")
    # the RPATH/RUNPATH of the objects on the way to dlopen: the executable, its libpython, ctypes' extension
    from ..native.elf import read_elf
    from ..native.loader import expand

    objects = [os.path.realpath(sys.executable)] if sys.executable else []
    import importlib.util

    spec = importlib.util.find_spec("_ctypes")
    if spec is not None and spec.origin and os.path.isfile(spec.origin):
        objects.append(os.path.realpath(spec.origin))
    seen: set[str] = set()
    while objects:
        path = objects.pop()
        if path in seen:
            continue
        seen.add(path)
        elf = read_elf(path)  # raises on anything unexpected: the caller then forks
        origin = Path(os.path.dirname(path))
        folders = [expand(entry, origin) for entry in (*elf.rpath, *elf.runpath)]
        yield from folders
        for needed in elf.needed:
            if needed.startswith("libpython"):
                for folder in (*folders, *(os.path.join(p, "lib") for p in (sys.base_prefix, sys.prefix))):
                    if os.path.isfile(os.path.join(folder, needed)):
                        objects.append(os.path.realpath(os.path.join(folder, needed)))
                        break
    for root in ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib", "/usr/lib/wsl/lib"):
        yield root
        yield f"{root}/{machine}-linux-gnu"


def library_absent() -> bool:
    """True only when dlopen("libnvidia-ml.so.1") is sure to fail for want of a file, checked without loading
    anything: no LD_PRELOAD/LD_AUDIT, glibc's ld.so.cache does not name it, and no folder the loader (or this
    Python's RPATH/RUNPATH) searches holds it. Any doubt is False, and the queries run in the forked child."""
    try:
        if os.environ.get("LD_PRELOAD") or os.environ.get("LD_AUDIT") or os.path.exists("/etc/ld.so.preload"):
            return False
        if not os.confstr("CS_GNU_LIBC_VERSION"):  # musl and others search their own ways
            return False
        try:
            with open("/etc/ld.so.cache", "rb") as cache:
                if b"libnvidia-ml" in cache.read():
                    return False
        except FileNotFoundError:
            pass  # no cache: the loader goes on to the folders
        return not any(_has_library_below(folder) for folder in _search_dirs())
    except Exception:  # an unreadable cache, a strange executable, ...: fork
        return False


def _pynvml_importable() -> bool:
    """The real pynvml, not yet imported, can be found (a stand-in in sys.modules, or none, goes to the child)."""
    if "pynvml" in sys.modules:
        return False
    import importlib.util

    try:
        return importlib.util.find_spec("pynvml") is not None
    except (ImportError, ValueError):
        return False


def start(timeout: float = 10.0) -> Callable[[], NvmlInfo]:
    """Start the NVML queries and return a function that waits for their result.

    On Linux they run in a forked child (a millisecond to fork), so a driver library that segfaults or hangs
    costs that child, never bnbdoctor: a crash becomes error_kind "crashed", a hang "timeout" after `timeout`
    seconds. Elsewhere a daemon thread bounds a hang only. Either way the other probes run meanwhile.
    Where no libnvidia-ml.so.1 exists for dlopen to find (a machine without the NVIDIA driver), there is nothing to
    crash: the answer is pynvml's LibraryNotFound, given without forking or importing pynvml.
    """
    if sys.platform.startswith("linux") and hasattr(os, "fork"):
        if _pynvml_importable() and library_absent():
            return lambda: LIBRARY_NOT_FOUND
        with contextlib.suppress(OSError):  # no process left to fork: the thread below still bounds a hang
            return _Forked(timeout).wait
    result: list[NvmlInfo] = []
    worker = threading.Thread(target=lambda: result.append(_collect()), name="bnbdoctor-nvml", daemon=True)
    deadline = time.monotonic() + timeout
    worker.start()

    def wait() -> NvmlInfo:
        worker.join(max(0.0, deadline - time.monotonic()))
        return result[0] if result else _timed_out(timeout, None)

    return wait


def probe(timeout: float = 10.0) -> NvmlInfo:
    return start(timeout)()
