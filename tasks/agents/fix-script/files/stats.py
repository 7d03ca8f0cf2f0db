"""Small statistics helpers used by the nightly report."""


def mean(values):
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / (len(values) - 1)


def spread(values):
    return max(values) - min(values)
