"""Writes a deterministic application log with a known mix of levels."""
import random

random.seed(7)
levels = ["INFO"] * 14 + ["WARN"] * 4 + ["ERROR"] * 2
components = ["api", "db", "cache", "worker", "auth", "billing"]
messages = [
    "request completed", "slow query", "connection reset by peer", "retrying operation",
    "cache miss for key", "token refreshed", "job finished", "payload too large",
]
with open("app.log", "w") as out:
    for n in range(4000):
        level = random.choice(levels)
        out.write(
            f"2026-11-25T{(n // 3600) % 24:02d}:{(n // 60) % 60:02d}:{n % 60:02d}Z {level:5} "
            f"[{random.choice(components)}] {random.choice(messages)} id={random.randrange(10**8):08d}\n"
        )
