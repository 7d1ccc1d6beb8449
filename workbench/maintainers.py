#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""maintainers.py ENTRY < MAINTAINERS > MAINTAINERS.new

Put ENTRY (the text of one MAINTAINERS entry, title first) into MAINTAINERS:
an entry with the same title goes, and ENTRY follows the entry whose title
is the greatest one below its own, which is its place in the sorted list.
"""
import re
import sys

FIELD = re.compile(r"^[A-Z]:\t")


def main():
    entry = sys.argv[1].strip("\n").split("\n")
    title = entry[0]
    lines = sys.stdin.read().split("\n")

    def is_title(i):
        return (0 < i < len(lines) - 1 and lines[i - 1] == "" and lines[i]
                and not FIELD.match(lines[i]) and FIELD.match(lines[i + 1]))

    def block_end(i):  # the empty line after the entry starting at i
        while i < len(lines) and lines[i] != "":
            i += 1
        return i

    for i in range(len(lines)):
        if is_title(i) and lines[i] == title:
            del lines[i:block_end(i) + 1]
            break
    below = [i for i in range(len(lines)) if is_title(i) and lines[i] < title]
    if not below:
        sys.exit("maintainers.py: no entry sorts before " + title)
    at = block_end(max(below, key=lambda i: lines[i])) + 1
    lines[at:at] = entry + [""]
    sys.stdout.write("\n".join(lines))


main()
