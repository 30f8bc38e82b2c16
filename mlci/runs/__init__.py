"""Runs: what one training of one model produced (`run`), where it came from (`lineage`), and the
content fingerprints that tell an unchanged model from a changed one (`fingerprint`)."""

from mlci.runs.run import (
    RUN_FILE,
    TEST_INPUTS_KEY,
    Run,
    decode_run,
    encode_run,
    read_latest_runs,
    read_run,
    run_file,
    runs_dir,
    write_run,
)

__all__ = [
    "RUN_FILE",
    "TEST_INPUTS_KEY",
    "Run",
    "decode_run",
    "encode_run",
    "read_latest_runs",
    "read_run",
    "run_file",
    "runs_dir",
    "write_run",
]
