"""One build step on top of pyproject.toml: ship the chat widget inside the package.

The widget lives in the repository's ``widget/`` folder (plain JavaScript and CSS, no
build step). A wheel gets a copy in ``selfservice/widget/``; an editable install has
none and serves the repository's folder instead (see
``selfservice.web.widget_routes.default_widget_dir``).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

WIDGET = Path(__file__).resolve().parent / "widget"


class BuildPyWithWidget(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not WIDGET.is_dir():
            return
        target = Path(self.build_lib) / "selfservice" / "widget"
        shutil.copytree(WIDGET, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithWidget})
