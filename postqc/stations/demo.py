"""The demo's 邮驿站 (postqc.core.demo loader)."""


def load(*, stdout, seed: int) -> None:
    pass


def reset(*, stdout) -> None:
    pass
