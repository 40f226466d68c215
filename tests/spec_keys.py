"""Spec §3 keys typed by hand (not imported from audit.model, so a wrong key in
the model is caught) and helpers shared by the acceptance tests over ../shared."""

from __future__ import annotations

import functools

from audit.interpret import parse_path

T3_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
T3_ROWS = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "denied.state_secret",
    "denied.prohibited_by_law",
    "denied.security_stability",
    "denied.third_party",
    "denied.internal_affairs",
    "denied.process_information",
    "denied.enforcement_file",
    "denied.query_service",
    "unable.not_held",
    "unable.needs_creation",
    "unable.still_unclear",
    "not_processed.complaint",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
    "other.no_correction",
    "other.fee_unpaid",
    "other.other",
    "processed_total",
    "carried_forward",
)
T4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")


@functools.lru_cache(maxsize=None)
def parsed(path: str):
    return parse_path(path)


def typed(value):
    """A cell as compared here: ints stay ints, anything else shows its type."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return ("float", value)
    return (type(value).__name__, value)


def problems_of(rep, kind: str) -> list[dict]:
    return [p.to_dict() for p in rep.problems if p.kind == kind]


def located(rep, kind: str, **where) -> list[dict]:
    return [
        p
        for p in problems_of(rep, kind)
        if all(p["location"].get(key) == value for key, value in where.items())
    ]
