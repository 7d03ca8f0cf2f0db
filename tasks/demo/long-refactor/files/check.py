"""Checks the unit modules: each pkg/unit_<i>.py defines value_<i>() returning i."""
import importlib
import sys

total = 0
for i in range(1, 15):
    module = importlib.import_module(f"pkg.unit_{i}")
    value = getattr(module, f"value_{i}")()
    if value != i:
        sys.exit(f"unit_{i}: expected {i}, got {value}")
    total += value
print(f"ok: 14 units, total {total}")
sys.exit(0 if total == 105 else 1)
