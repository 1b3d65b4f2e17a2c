#!/usr/bin/env python3
"""What a hook for a shell autovenv has no hook for does, in Python.

Before each prompt (or on each change of directory) such a hook runs
`autovenv export json` in the shell's environment and applies the change:
`unset` first, then `set`, then forgets cached command locations if
`rehash`. This script does it once for the directory DIR (default: here) and
prints the environment it ends with as JSON, or, given `-- COMMAND...`, runs
COMMAND in it. docs/recipes.md has the same in PowerShell; the test suite
runs this file.

Usage: apply-export-json.py [DIR] [-- COMMAND...]
"""
import json
import os
import subprocess
import sys

args = sys.argv[1:]
command = []
if "--" in args:
    at = args.index("--")
    args, command = args[:at], args[at + 1 :]
directory = os.path.abspath(args[0] if args else ".")
env = dict(os.environ)
# The hook's PWD is the shell's logical directory.
env["PWD"] = directory
autovenv = env.get("AUTOVENV", "autovenv")
out = subprocess.run(
    [autovenv, "export", "json"], cwd=directory, env=env, stdout=subprocess.PIPE, check=True
)
change = json.loads(out.stdout)
if change["version"] != 1:
    sys.exit("autovenv: export json format %r is not known here" % change["version"])
for name in change["unset"]:
    env.pop(name, None)
env.update(change["set"])
# (A shell would forget its command hash here when change["rehash"].)
if command:
    os.chdir(directory)
    os.execvpe(command[0], command, env)
json.dump(env, sys.stdout, sort_keys=True)
