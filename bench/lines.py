#!/usr/bin/env python3
"""Lines of a generated project's Rust that are not tests: non-blank lines of src/**/*.rs,
leaving out tests.rs and testing.rs files, files under a tests/ folder, and each file's `#[cfg(test)]`
module. Prints the total and the longest files.

    python3 bench/lines.py PROJECT_DIR [HOW_MANY_FILES]
"""
import os
import re
import sys

# A test module inline in a file: `#[cfg(test)]` then `mod x {` (any visibility), with
# the doc comment above it.
TEST_MODULE = re.compile(r"(?:^///.*\n)*^#\[cfg\(test\)\]\n(?:pub(?:\(crate\))? )?mod \w+ \{", re.M)


def code_lines(path, relative):
    text = open(path, encoding="utf-8").read()
    if "/tests/" in "/" + relative or os.path.basename(path) in ("tests.rs", "testing.rs"):
        return 0, len(text.splitlines())
    found = TEST_MODULE.search(text)
    code = text if found is None else text[: found.start()]
    return sum(1 for line in code.splitlines() if line.strip()), len(text.splitlines())


def main(root):
    rows = []
    for folder, _, files in os.walk(os.path.join(root, "src")):
        for name in files:
            if name.endswith(".rs"):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, root)
                rows.append((relative, *code_lines(path, relative)))
    rows.sort(key=lambda row: -row[1])
    print(f"non-test lines: {sum(row[1] for row in rows)}")
    print(f"all lines of .rs files: {sum(row[2] for row in rows)}")
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    for relative, code, total in rows[:limit]:
        print(f"  {relative:<35} {code:5} non-test, {total:5} in all")


if __name__ == "__main__":
    main(sys.argv[1])
