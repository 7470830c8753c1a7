"""Help that cannot lie: walk every command's --help and
  - pass each option it lists, with a sample value, and check that the
    command takes it (no "unknown option", no complaint about the value);
  - pass every option it does not list (those of the other commands, and an
    abbreviation of one it does) and check that the command refuses it;
  - check that the man page documents each command's options, and that every
    option the man page names exists;
  - check that the bash completion offers exactly each command's options,
    and that the zsh completion parses and names them.
usage: check_options.py GOROSCOPE MANPAGE"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from checks import check, finish  # noqa: E402

G, MAN = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
missing = os.path.join(tmp, "no-such-input.txt")


def run(*args, cwd=tmp):
    return subprocess.run([G, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


# ---- what each command's help lists
OPTION = re.compile(r"^  (?:-(\w), )?--([a-z0-9][a-z0-9-]*)(?: ('[^']*'|\S+))?")


def commands():
    out = run("help").stdout
    names = re.findall(r"^  ([a-z]+) ", out.split("Commands:")[1], re.M)
    check(len(names) >= 12, f"help lists the commands ({names})")
    return names


def options_of(cmd):
    """{long name: (short, value name or None, section heading)}"""
    p = run(cmd, "--help")
    check(p.returncode == 0 and p.stdout.startswith(f"usage: goroscope {cmd}"), f"{cmd} --help")
    h = run("help", cmd)
    check(h.stdout == p.stdout, f"'help {cmd}' and '{cmd} --help' say the same")
    opts, heading = {}, ""
    for line in p.stdout.splitlines():
        if line and not line.startswith(" "):
            heading = line
        m = OPTION.match(line)
        if m:
            opts[m.group(2)] = (m.group(1), m.group(3), heading)
    check("help" in opts and opts["help"][0] == "h", f"{cmd}: -h, --help listed")
    return opts


# ---- sample values: by option where the value's name is shared, else by name
BY_OPTION = {"format": "debug1", "poll-format": "pprof", "factor": "2", "to": "json", "by": "creator",
             "color": "never", "pick": "1", "listen": "127.0.0.1:0"}
BY_VALUE = {"N": "3", "M": "3", "S": "2", "D": "5s", "RE": "main", "KEY=RE": "k=v", "'N: V'": "X-Test: 1",
            "TOKEN": "t0ken", "URL": "http://127.0.0.1:9/hook", "MODE": "stack", "WHEN": "never",
            "HOST:PORT": "127.0.0.1:0", "FORM": "json", "NAME": "goroscope.example", "I/N": "0/1"}


def sample(name, value):
    if value is None:
        return []
    if name in BY_OPTION:
        return [BY_OPTION[name]]
    if value == "FILE":
        return [os.path.join(tmp, f"sample-{name}.out")]
    if value == "DIR":
        return [tmp]
    check(value in BY_VALUE, f"a sample value for --{name} {value}")
    return [BY_VALUE.get(value, "x")]


# What each command is given besides the option: something that makes it
# stop right after reading its options (an input that does not exist, no
# target), so nothing runs for real.
WORDS = {"analyze": [missing], "leaks": [missing], "diff": [missing], "contention": [missing],
         "convert": [missing], "web": [missing], "schedtrace": [missing], "capture": ["not-a-url"],
         "completion": ["bash"], "help": ["analyze"]}

REFUSED = re.compile(r"unknown option|needs a value|takes no value")


def refused_value(stderr, name, short):
    names = [f"--{name}"] + ([f"-{short}"] if short else [])
    return any(re.search(rf"(^|\s){re.escape(n)} (needs|must|is) ", stderr) for n in names)


names = commands()
table = {c: options_of(c) for c in names}
everything = {o: v for c in names for o, v in table[c].items()}

for cmd in names:
    opts = table[cmd]
    for name, (short, value, _) in opts.items():
        if name == "help":
            continue
        for spelt in [f"--{name}"] + ([f"-{short}"] if short else []):
            p = run(cmd, spelt, *sample(name, value), *WORDS.get(cmd, []))
            # taken: it ran, or stopped later for a reason it names (the
            # input that does not exist...), never silently
            ok = not REFUSED.search(p.stderr) and not refused_value(p.stderr, name, short) and \
                (p.returncode in (0, 1) or (p.returncode == 2 and p.stderr.strip() != ""))
            check(ok, f"{cmd} takes {spelt} {value or ''}: exit {p.returncode}: {p.stderr.strip()[:200]}")
    # the reverse: what it does not list, it refuses
    for name, (_, value, _) in everything.items():
        if name in opts:
            continue
        p = run(cmd, f"--{name}", *sample(name, value), *WORDS.get(cmd, []))
        check(p.returncode == 2 and f"unknown option '--{name}'" in p.stderr,
              f"{cmd} refuses --{name}, which its help does not list: exit {p.returncode} {p.stderr.strip()[:200]}")
    longest = max((n for n in opts if n != "help"), key=len, default=None)
    if longest:
        p = run(cmd, f"--{longest[:-1]}", *WORDS.get(cmd, []))
        check(p.returncode == 2 and "unknown option" in p.stderr,
              f"{cmd} refuses the abbreviation --{longest[:-1]} (of --{longest})")

# A value given to a flag, and a missing value, are refused by name.
p = run("analyze", "--json=yes", missing)
check(p.returncode == 2 and "'--json' takes no value" in p.stderr, f"a flag with a value: {p.stderr.strip()}")
p = run("analyze", missing, "--limit")
check(p.returncode == 2 and "'--limit' needs a value" in p.stderr, f"a missing value: {p.stderr.strip()}")
p = run("analyze", "-qm", "main", "--", "-")
check(p.returncode == 2 and "empty input" in p.stderr, f"bundled short options, '--' then '-' (stdin): {p.stderr.strip()}")

# ---- the man page
man = open(MAN).read()
sections, current = {}, None
for line in man.splitlines():
    if line.startswith(".SH "):
        current = line[4:].strip().strip('"')
        sections[current] = ""
    elif current:
        sections[current] += line + "\n"
SECTION = {"analyze": "OPTIONS", "completion": "COMPLETION", "help": "SYNOPSIS"}


def names_in(text):
    return {n.replace("\\-", "-") for n in re.findall(r"\\-\\-((?:[a-z0-9]|\\-)+)", text)}


live = names_in(sections.get("LIVE SOURCES", ""))
common = names_in(sections.get("OPTIONS", ""))
for cmd in names:
    section = SECTION.get(cmd, cmd.upper())
    check(section in sections, f"the man page has a section for {cmd} ({section})")
    here = names_in(sections.get(section, ""))
    for name, (_, _, heading) in table[cmd].items():
        if name == "help":
            continue
        where = here | (live if heading.startswith("Live sources") else set()) | \
            (common if name in table["analyze"] else set())
        check(name in where, f"the man page documents {cmd} --{name} (in {section}"
              f"{', LIVE SOURCES' if heading.startswith('Live sources') else ''})")
for name in sorted(names_in(man)):
    check(name in everything or name in ("version",), f"the man page names --{name}, which no command takes")

# ---- the completions
bash = run("completion", "bash")
check(bash.returncode == 0 and "complete -F _goroscope goroscope" in bash.stdout, "completion bash")
script = os.path.join(tmp, "goroscope.bash")
open(script, "w").write(bash.stdout)


def complete(*words):
    """COMPREPLY of the bash completion for the command line words (the last
    one being completed)."""
    line = " ".join(["goroscope", *words])
    prog = (f'source "{script}"; COMP_WORDS=(goroscope {" ".join(repr(w) for w in words)}); '
            f'COMP_CWORD={len(words)}; COMP_LINE={line!r}; _goroscope; printf "%s\\n" "${{COMPREPLY[@]}}"')
    p = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, timeout=30, cwd=tmp)
    check(p.returncode == 0 and not p.stderr, f"bash completion of {line!r}: {p.stderr[:200]}")
    return set(p.stdout.split())


check(complete("") >= set(names), "bash: the first word completes to every command")
for cmd in names:
    want = {f"--{n}" for n in table[cmd]} | {f"-{s}" for s, _, _ in table[cmd].values() if s}
    got = complete(cmd, "-")
    check(got == want, f"bash: {cmd} - completes to its options exactly: extra {sorted(got - want)} "
          f"missing {sorted(want - got)}")
check(complete("analyze", "--color", "") == {"auto", "always", "never"}, "bash: --color completes its choices")
check(complete("completion", "") == {"bash", "zsh"}, "bash: completion's word is the shell")
check(complete("help", "an") == {"analyze"}, "bash: help completes a command")

zsh = run("completion", "zsh")
check(zsh.returncode == 0 and zsh.stdout.startswith("#compdef goroscope"), "completion zsh")
zfile = os.path.join(tmp, "_goroscope")
open(zfile, "w").write(zsh.stdout)
if shutil.which("zsh"):
    p = subprocess.run(["zsh", "-n", zfile], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, f"zsh parses its completion: {p.stderr[:300]}")
else:
    check(False, "zsh is installed (make deps) to check its completion script")
blocks = dict(re.findall(r"^    ([a-z]+)\)\n(.*?)^      ;;", zsh.stdout, re.M | re.S))
for cmd in names:
    named = set(re.findall(r"--([a-z0-9-]+)[=\[},]", blocks.get(cmd, "")))
    want = set(table[cmd])
    check(named == want, f"zsh: {cmd} offers its options exactly: extra {sorted(named - want)} missing {sorted(want - named)}")

p = run("completion", "fish")
check(p.returncode == 2 and "bash or zsh" in p.stderr, "completion refuses a shell it does not know")
shutil.rmtree(tmp)
finish("options")
