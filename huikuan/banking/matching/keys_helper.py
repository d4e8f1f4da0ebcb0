"""The unit and name indexes of a large input, then its pinyin and one-typo name indexes, worked out in a helper
process started afresh (`COMMAND`) while the matcher indexes the rest (ADR 0005).

Started, not forked. A forked helper shares this process's pages copy-on-write, and CPython writes a reference
count into every object either process reads: the two processes between them copied most of the pages the open
items live on, and where fresh memory is slow (a VM whose host takes freed memory back) that cost more than the
helper saved (docs/statements.md). A process started afresh shares no pages: it is sent the contracts' party
names, unit labels and project codes, packed (`engine._keys_request`), and sends back the parts of the unit and
name indexes (`engine._keys_answer`), then those of the pinyin and one-typo indexes (`engine._fuzzy_answer`), all
pickled over pipes.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any, BinaryIO

COMMAND = [sys.executable, "-c", "from huikuan.banking.matching.keys_helper import main; main()"]
_ROOT = str(Path(__file__).resolve().parents[3])  # the directory that holds the huikuan package


class KeysHelper:
    """The helper process: started at once (it imports while this process works), sent one request; it answers
    twice: the unit and name indexes' parts (`result`), then, while the matcher finishes its index, the pinyin and
    one-typo indexes' (`fuzzy`: a run that needs them takes them, else `close` stops it). On any failure (it could
    not start, died, answered something unreadable) an answer is None, and the matcher works those parts out
    itself."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_ROOT, env.get("PYTHONPATH"))))
        self.process: subprocess.Popen[bytes] | None = None
        if not COMMAND[0]:
            return  # no interpreter to start (an embedded Python without sys.executable)
        with suppress(OSError):  # it cannot start: no helper (the matcher works its parts out itself)
            self.process = subprocess.Popen(  # noqa: S603 - our own module
                COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def send(self, request: object) -> None:
        """The request, pickled to the helper's standard input, which is then closed."""
        if self.process is None or self.process.stdin is None:
            return
        with suppress(OSError), self.process.stdin:  # OSError: it has gone (a broken pipe): the answers tell
            pickle.dump(request, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)

    def result(self) -> Any:
        """The first answer, once it is there; None if the helper failed (then it is stopped)."""
        process = self.process
        if process is not None and process.stdin is not None and not process.stdin.closed:
            process.stdin.close()  # never sent: the helper reads an empty request and stops
        answer = self._answer()
        if answer is None:
            self.close()
        return answer

    def fuzzy(self) -> Any:
        """The second answer, once it is there; None if the helper failed. The helper is done with either way."""
        answer = self._answer()
        self.close()
        return answer

    def _answer(self) -> Any:
        if self.process is None or self.process.stdout is None:
            return None
        try:
            return pickle.load(self.process.stdout)  # noqa: S301 - our own helper's answer
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError,
                IndexError):
            return None

    def close(self) -> None:
        """Stopped (if still at work) and reaped; no more answers."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    from huikuan.banking.matching.engine import _fuzzy_answer, _keys_answer

    request = pickle.load(sys.stdin.buffer)  # noqa: S301 - sent by the process that started this one
    out = sys.stdout.buffer
    answer = _keys_answer(request)
    # The matcher reads the first answer only once it has indexed the rest, and a pipe holds 64 KiB: written from a
    # thread (a blocked write waits without the GIL), while this one goes on to the second answer at once.
    first = threading.Thread(target=_write, args=(out, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)))
    first.start()
    try:
        fuzzy = _fuzzy_answer(answer["name"])
    finally:
        first.join()  # the first answer is whole even if the second fails
    _write(out, pickle.dumps(fuzzy, protocol=pickle.HIGHEST_PROTOCOL))


def _write(out: BinaryIO, data: bytes) -> None:
    with suppress(BrokenPipeError):  # the matcher has stopped this helper (it needs no more answers)
        out.write(data)
        out.flush()
