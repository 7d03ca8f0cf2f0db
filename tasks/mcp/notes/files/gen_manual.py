# Writes manual.txt: a long workshop manual with one line that matters.
import random

random.seed(7)
parts = ["frame", "fork", "chain", "cassette", "derailleur", "wheel", "hub", "spoke", "saddle", "crank"]
verbs = ["inspect", "clean", "lubricate", "tighten", "align", "check", "adjust", "replace"]
lines = []
for i in range(1, 601):
    part = random.choice(parts)
    lines.append(
        f"{i:04d} Section {i // 40 + 1}: {random.choice(verbs)} the {part} every {random.randint(2, 12)} weeks; "
        f"torque {random.randint(3, 40)} Nm, tolerance {random.randint(1, 9)}/10 mm."
    )
lines.insert(
    431, "0431a Rear brake: worn pads are replaced with brake pads, part number BP-4471 (pair)."
)
with open("manual.txt", "w") as out:
    out.write("\n".join(lines) + "\n")
