"""TextBlob's sentiment data, read by TextBlob's own loader without importing ``textblob`` (private).

``import textblob`` runs ``textblob/__init__.py``, which imports ``textblob.blob`` and with it
nltk -- and nltk imports scikit-learn, SciPy and pandas when they are installed (they are, for
the trained-model scorer): about a second of CPU per process, paid by every listener worker at
start. The TextBlob-exact scorer needs none of that: only the lexicon and the tokenizer's tables,
which live in two modules that import nothing but the standard library, ``textblob._text`` and
``textblob.en``.

:func:`textblob_modules` gives those two modules. When ``textblob`` is already imported, they are
the very modules ``TextBlob(...).sentiment`` uses. Otherwise they are loaded from the installed
TextBlob's own files (found with :func:`importlib.util.find_spec`, which runs no package code),
as modules that are not registered in ``sys.modules``: a later ``import textblob`` loads its own
copy, from the same files by the same code, hence with the same numbers. Nothing is copied from
TextBlob, and no cache can go stale.
"""

from __future__ import annotations

import builtins
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

__all__ = ["TextBlobModules", "textblob_modules"]


class TextBlobModules(NamedTuple):
    """``textblob._text`` (tokenizer tables, emoticons, the ``Sentiment`` class) and ``textblob.en``
    (its ``sentiment`` lexicon object)."""

    text: ModuleType
    en: ModuleType


def textblob_modules() -> TextBlobModules:
    """TextBlob's ``_text`` and ``en`` modules, without running ``textblob/__init__.py`` (and nltk)."""
    text, en = sys.modules.get("textblob._text"), sys.modules.get("textblob.en")
    if text is not None and en is not None:
        return TextBlobModules(text, en)
    spec = importlib.util.find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("textblob is not installed: run make setup (or pip install -r requirements.txt)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    text = _load("textblob._text", folder / "_text.py")
    en = _load("textblob.en", folder / "en" / "__init__.py", package=True, provides={"textblob._text": text})
    return TextBlobModules(text, en)


def _load(name: str, path: Path, package: bool = False, provides: dict[str, ModuleType] | None = None) -> ModuleType:
    """Execute the module file ``path`` as ``name``, without registering it in ``sys.modules``.

    Its absolute imports of the names in ``provides`` get those modules (``textblob.en`` does
    ``from textblob._text import ...``, which would otherwise run ``textblob/__init__.py``); every
    other import is the ordinary one.
    """
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(path.parent)] if package else None
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"can't load {path}: reinstall textblob (make setup)")
    module = importlib.util.module_from_spec(spec)
    if provides:
        module.__dict__["__builtins__"] = {**vars(builtins), "__import__": _importer(provides)}
    spec.loader.exec_module(module)
    return module


def _importer(provides: dict[str, ModuleType]) -> Any:
    real_import = builtins.__import__

    def import_(name: str, globals_: Any = None, locals_: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        if level == 0 and fromlist and name in provides:
            return provides[name]
        return real_import(name, globals_, locals_, fromlist, level)

    return import_
