"""Stub."""

from dataclasses import dataclass


@dataclass
class _Plan:
    text: str

    def as_dict(self):
        return {"text": self.text}

    def to_markdown(self):
        return self.text


def capacity_plan_from_history(history, memory_mb, cores):
    return _Plan("memory stub")
