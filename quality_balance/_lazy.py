"""Packages whose public names are imported on first use (PEP 562), so that importing one stays light.

``import quality_balance`` used to import every stage — readers, validation, templates, the checker,
ledgers… — though a report kernel, handed a data slice, reads no file and writes no workbook. A
package made lazy by :func:`lazy_package` imports the submodule behind a name the first time the
name is looked up (``qb.assess``, ``from quality_balance import gap_to_pass``), then keeps it as a
plain attribute; ``dir()``, ``__all__`` and ``from … import *`` give every name as before.

A name that is also the name of the submodule defining it (``inputs.check``, the function of
``inputs/check.py``; ``planning.progress``) keeps meaning the function even after that submodule is
imported by another path: Python binds a submodule onto its package when it is first imported, and
the package puts the function back.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Iterable, Mapping

__all__ = ["lazy_package"]


class _LazyPackage(types.ModuleType):
    """A package whose names shadowing a submodule of the same name stay the functions (module docstring)."""

    def __setattr__(self, name: str, value) -> None:
        if (name in self.__dict__.get("_lazy_shadowed", ()) and isinstance(value, types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}"):
            value = getattr(value, name, value)  # the import system binding the submodule: keep its function
        super().__setattr__(name, value)


def lazy_package(package: str, names: Mapping[str, str], *, modules: Iterable[str] = ()) -> None:
    """Make the package ``package`` import each of ``names`` from its submodule on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (called from its ``__init__.py``).
    names : mapping of str to str
        Public name → the module that defines it, relative to ``package`` (``".inputs.loaders"``).
    modules : iterable of str, keyword-only
        Names of ``names`` that are the submodule itself (``qb.demo``), not an attribute of it.

    Returns
    -------
    None
        The package gets a module ``__getattr__`` and ``__dir__`` (PEP 562); its ``__all__`` is left as
        the package wrote it.
    """
    module = sys.modules[package]
    modules = frozenset(modules)
    shadowed = frozenset(n for n, where in names.items() if where == f".{n}" and n not in modules)

    def __getattr__(name: str):
        where = names.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = importlib.import_module(where, package)
        value = target if name in modules else getattr(target, name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(names))

    module.__dict__.update(__getattr__=__getattr__, __dir__=__dir__, _lazy_shadowed=shadowed)
    module.__class__ = _LazyPackage
