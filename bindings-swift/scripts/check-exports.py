"""A C-level check: every function the generated FFI headers declare is exported by the built
library (nm -D --defined-only). Usage: check-exports.py LIBRARY HEADER..."""

import re
import subprocess
import sys

lib, headers = sys.argv[1], sys.argv[2:]
declared = set()
for h in headers:
    text = open(h).read()
    # Declarations: `<type> name(<args>);` at the start of a line (the headers hold no bodies).
    declared |= set(re.findall(r"^[A-Za-z_][\w \*]*?\b([a-z_][a-z0-9_]*)\s*\(", text, re.M))
declared = {d for d in declared if d.startswith(("uniffi_", "ffi_"))}
out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
missing = sorted(declared - exported)
print(f"{len(declared)} FFI functions declared, {len(declared) - len(missing)} exported by {lib}")
if not declared or missing:
    print("missing:", *missing, sep="\n  ")
    sys.exit(1)
