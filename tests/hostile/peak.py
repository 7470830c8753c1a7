#!/usr/bin/env python3
"""Run a command and write its exit code, CPU seconds and peak resident
memory (MB) to a JSON file.

A child's peak memory as the kernel reports it carries over from the
process that forked it; run from this small, fresh interpreter, it is the
command's own (a test script that built large inputs would otherwise lend
it its own peak).

usage: peak.py OUTFILE COMMAND [ARGS...]   (the figures go to OUTFILE)
"""
import json
import os
import sys

out_path, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
with open(out_path, "w") as f:
    json.dump({"exit": os.waitstatus_to_exitcode(status), "cpu": ru.ru_utime + ru.ru_stime,
               "peak_mb": ru.ru_maxrss / 1024}, f)
