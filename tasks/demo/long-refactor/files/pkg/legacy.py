"""The old monolith: fourteen numbered helpers that belong in their own modules."""

HELPERS = {i: (lambda i=i: i) for i in range(1, 15)}
