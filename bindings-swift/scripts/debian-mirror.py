#!/usr/bin/env python3
"""Prints the Debian mirror this machine's apt already uses: the URI of the first enabled `deb`
source that serves SUITE (the host's codename) with `main`, from /etc/apt/sources.list and
/etc/apt/sources.list.d/ (one-line `.list` files and deb822 `.sources` files). Exits 1 with a
message when there is none: no mirror host is ever guessed.
Usage: debian-mirror.py SUITE [APT_ETC]"""
import glob
import os
import sys


def one_line(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words or words[0] != "deb":
                continue
            words = words[1:]
            if words and words[0].startswith("["):  # [arch=amd64 signed-by=...]
                while words and not words[0].endswith("]"):
                    words = words[1:]
                words = words[1:]
            if len(words) >= 3:
                yield {"types": ["deb"], "uris": [words[0]], "suites": [words[1]], "components": words[2:]}


def deb822(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for stanza in text.split("\n\n"):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0] in " \t" and key:  # continuation line
                fields[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        yield {name: fields.get(name, "").split() for name in ("types", "uris", "suites", "components")}


def main():
    suite = sys.argv[1]
    etc = sys.argv[2] if len(sys.argv) > 2 else "/etc/apt"
    files = [os.path.join(etc, "sources.list")] + sorted(glob.glob(os.path.join(etc, "sources.list.d", "*")))
    for path in files:
        if path.endswith(".list") and os.path.isfile(path):
            entries = one_line(path)
        elif path.endswith(".sources") and os.path.isfile(path):
            entries = deb822(path)
        else:
            continue
        for e in entries:
            if "deb" in e["types"] and suite in e["suites"] and "main" in e["components"] and e["uris"]:
                print(e["uris"][0].rstrip("/"))
                return 0
    print(f"no enabled apt source serves '{suite}' with 'main' under {etc}: cannot tell which Debian mirror to use", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
