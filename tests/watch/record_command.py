#!/usr/bin/env python3
"""The command of the watch tests' configuration: records its environment
(the GOROSCOPE_* variables) and the payload on its standard input."""
import json, os, sys
payload = sys.stdin.read()
env = {k: v for k, v in os.environ.items() if k.startswith("GOROSCOPE_")}
with open(sys.argv[1], "a") as f:
    f.write(json.dumps({"env": env, "payload": payload}) + "\n")
