"""The chair portal's home is a to-do list: counts of what waits for the
chair in their community, each linking to the list behind it.

Each app says what waits in its own module `portal_todo.py` (members here,
dues and services above): members sits below the apps that know about
declarations and visits and may not import them, so their items are found
the way the admin finds `admin.py` modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Todo:
    """One line of the to-do list. `order` places it; `count` is what waits
    (0: nothing to do); `url` the list behind it."""

    order: int
    label: str
    count: int
    url: str
    hint: str = ""


_providers: list[Callable] = []
_discovered = False


def todo_provider(provider: Callable) -> Callable:
    """Register `provider(user) -> list[Todo]` (one cheap query per item)."""
    _providers.append(provider)
    return provider


def todo_list(user) -> list[Todo]:
    global _discovered
    if not _discovered:
        autodiscover_modules("portal_todo")
        _discovered = True
    return sorted((item for provider in _providers for item in provider(user)), key=_order)


def _order(item: Todo) -> int:
    return item.order
