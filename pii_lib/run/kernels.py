"""Jupyter kernels for executing report notebooks, and the run's private temporary folder.

* Kernels are pinned: a ``pii-reports`` kernelspec inside this environment's prefix, pointing
  at this interpreter (installed on first use), never a globally registered one.
* They use IPC sockets (no TCP-port race between kernels started in parallel, papermill #511)
  under the run folder, so their connection files and sockets are removed with it.
* A kernel exits when the process that started it dies (ipykernel's parent poller); a batch
  worker exits when the main process dies (``PR_SET_PDEATHSIG`` on Linux), so a killed run
  leaves no process behind.
* A client is ready as soon as the kernel has answered ``kernel_info`` and said it is idle
  again (:class:`ReadyClient`), instead of after jupyter_client's fixed 0.2 s of silence on
  IOPub: papermill starts a client per notebook, so that was 0.2 s on every report.
* Every temporary file of a run lives in one folder ``pii-run-<pid>-…`` under the system
  temporary directory; it is removed at exit, and folders of runs whose process no longer
  exists are removed at the start of the next run.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import sys
import tempfile
import time
import weakref
from functools import lru_cache
from pathlib import Path

KERNEL_NAME = "pii-reports"
RUN_PREFIX = "pii-run-"
_RUN_DIR: Path | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_run_dirs() -> int:
    """Remove the temporary folders of runs whose process has died; returns how many."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(f"{RUN_PREFIX}*"):
        try:
            pid = int(path.name[len(RUN_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def run_dir() -> Path:
    """This process's temporary folder (created on first use, removed at exit)."""
    global _RUN_DIR
    if _RUN_DIR is None or not _RUN_DIR.exists():
        remove_stale_run_dirs()
        _RUN_DIR = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-"))
        atexit.register(shutil.rmtree, _RUN_DIR, True)
    return _RUN_DIR


def remove_run_dir() -> None:
    """Remove this process's temporary folder now (also done at exit)."""
    if _RUN_DIR is not None:
        shutil.rmtree(_RUN_DIR, ignore_errors=True)


def exit_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # pragma: no cover - no libc: the parent's pool shutdown still applies
        return


def ensure_kernel() -> str:
    """Install (if needed) the ``pii-reports`` kernelspec in ``sys.prefix`` for this Python."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    ksm = KernelSpecManager()
    try:
        spec = ksm.get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="PII Reports", prefix=sys.prefix)
    return KERNEL_NAME


_CLIENTS: weakref.WeakSet = weakref.WeakSet()


def close_clients() -> None:
    """Stop the channels of the kernel clients papermill left open.

    nbclient stops its client only for a kernel it started itself: on our warm kernel every
    report left five sockets, a zmq context and three threads behind (~9 MB per report).
    """
    for client in list(_CLIENTS):
        if client.channels_running or not client.context.closed:
            client.stop_channels()
        _CLIENTS.discard(client)


@lru_cache(maxsize=1)
def _ready_client_class():
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """An async kernel client whose ``wait_for_ready`` ends at the kernel's idle status."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            _CLIENTS.add(self)

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (timeout if timeout is not None else 60.0)
            while time.monotonic() < deadline:
                msg_id = self.kernel_info()
                try:
                    reply = await self._reply_to(self.shell_channel, msg_id, 1.0)
                    # IOPub may not be subscribed yet (ZMQ slow joiner): then ask again
                    await self._idle_after(msg_id, 0.2)
                except Empty:
                    if not await self.is_alive():
                        raise RuntimeError("Kernel died before replying to kernel_info") \
                            from None
                    continue
                self._handle_kernel_info_reply(reply)
                return
            raise RuntimeError("Kernel didn't respond in time")

        async def _reply_to(self, channel, msg_id: str, timeout: float) -> dict:
            while True:
                msg = await channel.get_msg(timeout=timeout)
                if msg["parent_header"].get("msg_id") == msg_id:
                    return msg

        async def _idle_after(self, msg_id: str, timeout: float) -> None:
            while True:
                msg = await self._reply_to(self.iopub_channel, msg_id, timeout)
                if msg["msg_type"] == "status" and \
                        msg["content"].get("execution_state") == "idle":
                    return

    return ReadyClient


def new_kernel_manager():
    """A kernel manager for the pinned kernel, with IPC sockets and its connection file in the
    run folder."""
    from jupyter_client.manager import AsyncKernelManager

    ensure_kernel()
    folder = run_dir() / f"kernel-{time.monotonic_ns()}"
    folder.mkdir()
    return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                              ip=str(folder / "ipc"),
                              connection_file=str(folder / "connection.json"),
                              client_factory=_ready_client_class())


def kill_now(km) -> None:
    """Kill a kernel process at once (from a signal handler: no event loop, no waiting)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        try:
            os.killpg(os.getpgid(process.pid), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            process.kill()


def shutdown(km) -> None:
    """Stop a kernel now and remove its connection file and sockets."""
    if km is None:
        return
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    finally:
        shutil.rmtree(Path(km.connection_file).parent, ignore_errors=True)
