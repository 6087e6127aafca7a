"""pytest set-up for the kernel-matrix tests: scripts/ on sys.path (for the
kmatrix package) and a fake kernel tree fixture (faketree.py)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "scripts"))
sys.path.insert(0, HERE)
