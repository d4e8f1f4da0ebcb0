"""The `huikuan` command when its reader stops early (`huikuan export_matches | head`)."""

import os
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "banking" / "tests" / "fixtures" / "icbc_corporate_gbk.csv"


def _run_into_a_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before a line is written
    try:
        return subprocess.run([sys.executable, "-m", "huikuan.cli", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120, check=False)
    finally:
        os.close(write)


def test_a_reader_that_stops_early_ends_the_command_quietly():
    # when a command's output goes to a reader that has stopped reading
    done = _run_into_a_closed_pipe("parse_statement", str(FIXTURE), "--json")
    # then it ends as if killed by SIGPIPE, saying nothing more than the command itself does (no traceback)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert "detected format: csv" in done.stderr


def test_a_command_that_fails_still_fails_as_it_did():
    done = subprocess.run([sys.executable, "-m", "huikuan.cli", "parse_statement", str(FIXTURE.with_name(
        "garbage.bin"))], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "unrecognised file" in done.stderr
