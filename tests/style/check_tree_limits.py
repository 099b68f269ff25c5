#!/usr/bin/python3
"""The tree's size rules (issue 12): no file over 400 lines, no C++ function over 60.

Functions are found the way clang-format lays them out here: a line holding only "{" at some indentation right after
a signature line, closed by "}" at the same indentation.
"""
import re
import os
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
SIGNATURE_END = re.compile(r"(\)|\)\s*(const|override|noexcept|final|->\s*[\w:<>]+)(\s+\w+)*|^\s+:\s.*)$")


def source_files(top):
    """Every file of the tree but build output and VCS data; no git needed (a fresh machine may not have it)."""
    for directory, subdirectories, files in os.walk(top):
        subdirectories[:] = sorted(
            name for name in subdirectories
            # cockpit/dist is esbuild's output and package-lock.json npm's: generated, never edited by hand; vendor/
            # holds other projects' files as they publish them.
            if not name.startswith((".", "build")) and name not in ("node_modules", "dist", "vendor")
            and not os.path.exists(os.path.join(directory, name, "CMakeCache.txt")))
        for name in sorted(files):
            if name == "package-lock.json":
                continue
            yield os.path.relpath(os.path.join(directory, name), top)


def long_functions(lines):
    for index, line in enumerate(lines[1:], start=1):
        opening = re.match(r"^(\s*)\{\s*$", line)
        if not opening or not SIGNATURE_END.search(lines[index - 1].rstrip()):
            continue
        indent = opening.group(1)
        for end in range(index + 1, len(lines)):
            if lines[end].rstrip() in (indent + "}", indent + "};"):
                length = end - index + 1
                if length > MAX_FUNCTION_LINES:
                    yield index, length, lines[index - 1].strip()
                break


def main(top):
    problems = []
    for path in source_files(top):
        try:
            with open(f"{top}/{path}", "rb") as probe:
                if b"\0" in probe.read(8192):  # an image or another binary file has no lines to count
                    continue
            with open(f"{top}/{path}", encoding="utf-8", errors="replace") as handle:
                lines = handle.read().split("\n")
        except (IsADirectoryError, FileNotFoundError):
            continue
        if len(lines) - 1 > MAX_FILE_LINES:
            problems.append(f"{path}: {len(lines) - 1} lines (at most {MAX_FILE_LINES})")
        if path.endswith((".cpp", ".h")):
            for line, length, signature in long_functions(lines):
                problems.append(f"{path}:{line}: a function of {length} lines (at most {MAX_FUNCTION_LINES}): "
                                f"{signature[:80]}")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} over the limits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
