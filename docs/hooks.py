"""MkDocs hooks: build the navigation from what this checkout holds.

- one API page per package of ``hai_sim`` that exists (models are added as they are written);
- one page per notebook in ``notebooks/`` (rendered by mkdocs-jupyter, never executed here);
- the corrections to the papers, written from ``hai_sim/atlas_notes.py`` (the notes the atlas
  cites), so the site and the atlas state the same corrections.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "engine": "The engine: grids, sweeps, stores, phase diagrams, checks, experiment records",
    "integration": "Integration: job success and its phase transition (Celis, Huang, Vishnoi)",
    "delegation": "Delegation and verification under AI (Huang, Xiao, Vishnoi)",
    "chaining": "Chaining tasks, redefining work (Demirer, Horton, Immorlica, Lucier, Shahidi)",
    "ensemble": "Human-centred ensembles (Amin, Yin, Khanna)",
    "capability": "Capability vectors (learning to collaborate)",
}
MODULES = {"plot": "Plotting helpers (hai_sim.plot)", "experiments": "The experiment registry (hai_sim.experiments)",
           "atlas": "The atlas (hai_sim.atlas)"}


def _present() -> list[str]:
    return [p for p in PACKAGES if (ROOT / "hai_sim" / p / "__init__.py").is_file()]


def _api_page(module: str, title: str) -> str:
    return f"# {title}\n\n::: hai_sim.{module}\n    options:\n      show_root_heading: false\n"


def _notes_page() -> str:
    spec = importlib.util.spec_from_file_location("_atlas_notes", ROOT / "hai_sim" / "atlas_notes.py")
    notes = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = notes  # dataclasses looks the module up while the class is built
    spec.loader.exec_module(notes)
    lines = ["# Corrections to the papers and specs", "",
             "An independent re-implementation of each model checked every specification against its "
             "paper. These are the corrections it found, in our words; the atlas cites them as "
             "`ERRATA n` and links to the same text.", ""]
    for model, items in notes.ERRATA.items():
        lines += [f"## {model}", ""]
        lines += [f"{n}. {text}" for n, text in items.items()]
        lines.append("")
    clinician = notes.SPECIAL["vn_exp"]
    lines += [f"## {clinician.title}", "", clinician.text, ""]
    return "\n".join(lines)


def on_config(config):
    api = [{"hai_sim": "api/hai_sim.md"}]
    api += [{f"hai_sim.{p}": f"api/{p}.md"} for p in _present()]
    api += [{f"hai_sim.{m}": f"api/{m}.md"} for m in MODULES]
    notebooks = [{nb.stem: f"notebooks/{nb.name}"} for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    config["nav"] = [
        {"Home": "index.md"},
        {"Design": "design.md"},
        {"Corrections to the papers": "corrections.md"},
        {"API reference": api},
        *([{"Notebooks": notebooks}] if notebooks else []),
    ]
    return config


@event_priority(100)  # before mkdocs-jupyter, which turns the notebooks added here into pages
def on_files(files, config):
    pages = {"api/hai_sim.md": "# hai_sim\n\n::: hai_sim\n    options:\n      show_root_heading: false\n"
                                "      members: [InputError, X64]\n",
             "corrections.md": _notes_page()}
    pages |= {f"api/{p}.md": _api_page(p, f"hai_sim.{p}: {PACKAGES[p]}") for p in _present()}
    pages |= {f"api/{m}.md": _api_page(m, title) for m, title in MODULES.items()}
    for path, content in pages.items():
        files.append(File.generated(config, path, content=content))
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(File(f"notebooks/{nb.name}", src_dir=str(ROOT), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files
