"""The wheel ships every package of the source tree: setuptools reads the explicit list in
pyproject.toml (the codemods install under another name), so a new sub-package must be added
there or an installed loopguard fails to import it."""

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_the_tree_is_listed_in_pyproject():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {name: Path(folder) for name, folder in settings["package-dir"].items()}
    folders.setdefault("flake8_loopguard", Path("flake8_loopguard"))
    on_disk = set()
    for top, folder in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            on_disk.add(".".join((top, *relative.parts)))
    assert sorted(settings["packages"]) == sorted(on_disk)
