"""Turns one transaction the registry sent, as PostgreSQL logged it
(log_statement = all), into a pgbench script that replays it with the same
statements and parameter values, so PostgreSQL's own cost of a batch can be
measured with nothing else running. Used by run-registry-bound.sh.

Usage: replay_batch.py LOG SIZE MODE SCRIPT ARGS
  SIZE: take a transaction of this many stage changes, or the nearest size logged
  MODE: serial (a statement per round trip), registry (the registry's round
        trips: up to the read, then the rest), single (one round trip)
Writes the pgbench script to SCRIPT and its -D definitions, NUL-separated, to
ARGS; prints the size taken."""
import re
import sys

ENTRY = re.compile(r"^\S+ \S+ UTC \[(\d+)\] (LOG|DETAIL):  (.*)$")
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def transactions(log):
    """Per backend, BEGIN..COMMIT runs of (statement, {number: value})."""
    open_by_pid, done = {}, []
    last = None
    for line in open(log, encoding="utf-8", errors="replace"):
        entry = ENTRY.match(line)
        if not entry:
            if last is not None and line.startswith("\t"):
                last[0].append(line[1:].rstrip("\n"))
            continue
        pid, kind, text = entry.groups()
        last = None
        if kind == "DETAIL" and text.startswith("parameters: ") and open_by_pid.get(pid):
            values = {int(n): (None if v == "NULL" else v[1:-1].replace("''", "'")) for n, v in PARAMETER.findall(text)}
            open_by_pid[pid][-1][1].update(values)
            continue
        statement = re.match(r"execute [^:]+: (.*)$", text)
        if kind != "LOG" or not statement:
            continue
        first = statement.group(1)
        if first.startswith("BEGIN"):
            open_by_pid[pid] = []
        if pid not in open_by_pid:
            continue
        open_by_pid[pid].append(([first], {}))
        last = open_by_pid[pid][-1]
        if first == "COMMIT":
            done.append([("\n".join(lines), values) for lines, values in open_by_pid.pop(pid)])
    return done


def changes(transaction):
    """Stage changes in a transaction: the batch read's versions, one for a
    lone change's statement, None for any other transaction."""
    for text, values in transaction:
        if "unnest($2::bigint[]) AS wanted" in text:
            return len(values[2].strip("{}").split(","))
        if "), target AS (" in text:
            return 1
    return None


def main():
    log, size, mode, script, arguments = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    found = [t for t in transactions(log) if changes(t) is not None]
    size = min({changes(t) for t in found}, key=lambda logged: (abs(logged - size), -logged))
    transaction = next(t for t in found if changes(t) == size)
    lines, definitions = [], []
    if mode != "serial":
        lines.append("\\startpipeline")
    for index, (text, values) in enumerate(transaction):
        def variable(match):
            value = values[int(match.group(1))]
            if value == "":  # pgbench cannot define an empty variable; as a literal, it is still text
                return "''"
            name = f"s{index}p{match.group(1)}"
            definitions.append(f"{name}={value}")
            return f":{name}"
        lines.append(re.sub(r"\$(\d+)", variable, text).replace("\n", " ") + ";")
        if mode == "registry" and "AS wanted" in text:
            lines += ["\\endpipeline", "\\startpipeline"]
    if mode != "serial":
        lines.append("\\endpipeline")
    with open(script, "w") as out:
        out.write("\n".join(lines) + "\n")
    with open(arguments, "w") as out:
        out.write("".join(f"-D\0{d}\0" for d in dict.fromkeys(definitions)))
    print(size)


if __name__ == "__main__":
    main()
