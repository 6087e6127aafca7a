"""kmatrix: the package behind scripts/kernel-matrix.

Modules, in the order a run uses them: config (parse and validate the
matrix), arches (cross compilers), trees (before/after source trees),
locate (which object holds a struct), cache (keys and paths), build (make
one object), failures (classify a failed build), report (manifest
fragments, merge, padguard check).  Python 3.9+ standard library only.
"""
