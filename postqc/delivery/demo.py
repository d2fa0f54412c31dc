"""The demo's 投递质量 (postqc.core.demo loader)."""


def load(*, stdout, seed: int) -> None:
    pass


def reset(*, stdout) -> None:
    pass
