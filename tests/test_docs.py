"""The README's Python snippets run, so the documentation cannot rot."""

from __future__ import annotations

import re

from .conftest import ROOT


def test_readme_python_snippets_run(monkeypatch, capsys):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    monkeypatch.chdir(ROOT)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "count" in capsys.readouterr().out
