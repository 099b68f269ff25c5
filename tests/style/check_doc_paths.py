#!/usr/bin/python3
"""Every file path the docs and the code's comments name exists: a file moved is a doc changed.

  check_doc_paths.py SOURCE_DIR
"""
import os
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
tops = "src|tests|bench|helpers|hooks|cockpit|docs|udev-rules|packaging|fuzz|man|completions"
path = re.compile(r"(?<![\w./-])((?:%s)/[\w./-]*\w\.(?:cpp|h|md|py|sh|mjs|rules|json|png|8))(?![\w-]|\.\w)" % tops)
# The source tree as a clean clone has it (no git needed): build trees, npm's packages and built bundles left out.
skipped = {".git", "node_modules", "dist", "vendor"}
files = []
for directory, subdirectories, names in os.walk(root):
    relative = pathlib.Path(directory).relative_to(root)
    subdirectories[:] = [one for one in subdirectories
                         if one not in skipped and not (relative == pathlib.Path(".") and one.startswith("build"))]
    files += [str(relative / name) for name in names]
missing = []
for name in files:
    if not re.search(r"\.(md|8|cpp|h|py|sh|txt)$", name) and not name.endswith("CMakeLists.txt"):
        continue
    try:
        text = (root / name).read_text()
    except (UnicodeDecodeError, FileNotFoundError):
        continue
    for number, line in enumerate(text.splitlines(), 1):
        for found in path.findall(line):
            if "*" in found or "PATH" in found:
                continue
            if not (root / found).exists():
                missing.append(f"{name}:{number}: names {found}, which does not exist")
print("\n".join(missing) or "every path named exists")
sys.exit(1 if missing else 0)
