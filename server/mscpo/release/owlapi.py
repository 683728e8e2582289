"""The release as the OWL API sees it (Protégé's library): DL profile, imports, importing ontology, HermiT.

Two small Java programs ship beside this module (``java/``) and are compiled on first use with ``javac``:
``OwlCheck`` against Debian's OWL API 5 (``libowlapi-java``) opens each file alone and checks the OWL 2 DL
profile; ``HermitCheck`` against owlready2's ``HermiT.jar`` (HermiT 1.3.8 with the OWL API 3.4.3 it was built
for — HermiT does not run on the OWL API 5, and Debian ships no HermiT) classifies ontology + data. Neither
touches the network: imports that would need it count as unresolved. Both print one JSON object per result.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from mscpo import paths
from mscpo.errors import MscpoError

JAVA_DIR = Path(__file__).resolve().parent / "java"
SYSTEM_JARS = Path("/usr/share/java")
# Debian's OWL API 5 and the libraries its parsers need at run time (libowlapi-java's dependencies).
OWLAPI_JARS = (
    "owlapi-distribution",
    "guava",
    "caffeine",
    "commons-io",
    "commons-codec",
    "commons-lang3",
    "commons-logging",
    "commons-rdf-api",
    "commons-rdf-simple",
    "commons-rdf-jsonld-java",
    "jsonld-java",
    "httpclient",
    "httpclient-cache",
    "httpcore",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsr305",
    "hppcrt",
    "xz",
    "atinject-jsr330-api",
    "slf4j-api",
    "slf4j-nop",
)
INSTALL_HINT = "install Java 17 (with javac) and Debian's libowlapi-java: run .ci/install-system as root"
MSCPO_ONTOLOGY_IRI = paths.ONTOLOGY_IRI
_VERSIONED = re.compile(r"-\d+(\.\d+)+$")  # Debian links each jar as name.jar and name-x.y.z.jar


class OwlApiUnavailable(MscpoError):
    """javac, java or the jars are missing: the OWL API checks cannot run."""

    def __init__(self, message: str, hint: str = INSTALL_HINT) -> None:
        super().__init__(f"{message}\n  how to fix: {hint}")


@dataclass(frozen=True)
class Tools:
    """Compiled checkers and the classpaths they run with."""

    java: str
    owlcheck_classpath: str
    hermit_classpath: str


def hermit_jar() -> Path:
    import owlready2

    return Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"


def owlapi_classpath() -> list[Path]:
    """Debian's OWL API jars and dependencies; raises :class:`OwlApiUnavailable` naming any missing one."""
    jars = [SYSTEM_JARS / f"{name}.jar" for name in OWLAPI_JARS]
    jars += sorted(p for p in SYSTEM_JARS.glob("rdf4j-*.jar") if not _VERSIONED.search(p.stem))
    missing = [p.name for p in jars if not p.is_file()]
    if missing or not any(p.name.startswith("rdf4j-rio") for p in jars):
        raise OwlApiUnavailable(
            f"the OWL API jars are missing under {SYSTEM_JARS}: {', '.join(missing) or 'rdf4j-rio-*.jar'}"
        )
    return jars


def compile_tools(build_dir: Path) -> Tools:
    """Compile both checkers into ``build_dir``; raises :class:`OwlApiUnavailable` when the JDK or jars are missing."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if not java or not javac:
        raise OwlApiUnavailable("java and javac are needed for the OWL API checks")
    owlapi = ":".join(str(p) for p in owlapi_classpath())
    hermit = hermit_jar()
    if not hermit.is_file():
        raise OwlApiUnavailable(f"owlready2's HermiT.jar is missing at {hermit}", hint="reinstall owlready2")
    targets = {"OwlCheck": owlapi, "HermitCheck": str(hermit)}
    for name, classpath in targets.items():
        out = build_dir / name
        out.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [javac, "-nowarn", "-encoding", "UTF-8", "-d", str(out), "-cp", classpath, str(JAVA_DIR / f"{name}.java")],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise OwlApiUnavailable(
                f"javac could not compile {name}.java: {done.stderr.strip()[:1500]}",
                hint="the jars under /usr/share/java are not the OWL API 5 / HermiT 1.3.8 these programs need",
            )
    return Tools(java, f"{build_dir / 'OwlCheck'}:{owlapi}", f"{build_dir / 'HermitCheck'}:{hermit}")


def _run(tools: Tools, classpath: str, main: str, args: list[str], timeout: float) -> list[dict]:
    done = subprocess.run(
        [tools.java, "-Xmx1g", "-cp", classpath, main, *args], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise MscpoError(f"{main} failed (exit {done.returncode}): {done.stderr.strip()[-1500:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def check_alone(tools: Tools, files: list[Path], timeout: float = 600) -> list[dict]:
    """Each file opened alone (fresh manager, no catalog): format, axioms, unresolved imports, DL violations."""
    return _run(tools, tools.owlcheck_classpath, "OwlCheck", ["alone", *map(str, files)], timeout)


def check_importer(tools: Tools, ontology_file: Path, iri: str = MSCPO_ONTOLOGY_IRI, timeout: float = 600) -> dict:
    """A new ontology whose only axiom is ``owl:imports <iri>``, with ``iri`` resolving to ``ontology_file``."""
    return _run(tools, tools.owlcheck_classpath, "OwlCheck", ["importer", iri, str(ontology_file)], timeout)[0]


def reasoning_input(ontology_file: Path, data_files: list[Path], out: Path) -> Path:
    """One RDF/XML file: the self-contained ontology with the data merged in, as a KG importing mscpo is seen.

    Each data file is read on its own (rdflib: the data's SPARQL-style ``PREFIX`` lines are Turtle 1.1, which
    the OWL API 3 that HermiT runs on rejects) and merged under the ontology's declarations, without which the
    OWL API reads a data file's property assertions as annotations.
    """
    graph = Graph().parse(ontology_file, format="xml")
    headers = {s for s in graph.subjects(RDF.type, OWL.Ontology)}
    for path in data_files:
        data = Graph().parse(path)
        for s, p, o in data:
            if (s, RDF.type, OWL.Ontology) in data and s not in headers:
                continue
            graph.add((s, p, o))
    graph.serialize(out, format="xml")
    return out


def classify(tools: Tools, files: list[Path], types_under: str = "", timeout: float = 900) -> dict:
    """HermiT (OWL API) over the union of ``files``: consistent, unsatisfiable, seconds and each individual's types."""
    args = (["--types-under", types_under] if types_under else []) + [str(p) for p in files]
    return _run(tools, tools.hermit_classpath, "HermitCheck", args, timeout)[0]


def qc_findings(release_dir: Path, build_dir: Path, skip: set[str] = frozenset()) -> list[tuple[str, str, str, str]]:
    """``mscpo qc``'s OWL API checks of the release files in ``release_dir`` but ``skip``: (rule, file, property,
    value).

    Raises :class:`OwlApiUnavailable` when Java, javac or the jars are missing (qc then skips these checks).
    """
    from mscpo.release.qc import RELEASE_FILES

    files = [release_dir / n for n in RELEASE_FILES if (release_dir / n).is_file() and n not in skip]
    if not files:
        return []
    findings: list[tuple[str, str, str, str]] = []
    for report in check_alone(compile_tools(build_dir), files):
        where = report["file"]
        if "error" in report:
            findings.append(("owlapi_dl_violation", where, "OWL API load", report["error"][:300]))
            continue
        for iri in report["unresolved_imports"]:
            findings.append(("owlapi_unresolved_import", where, "owl:imports", iri))
        for kind in report["dl_violation_kinds"]:
            example = next((e for e in report["dl_violation_examples"] if e.startswith(kind + ":")), "")
            findings.append(("owlapi_dl_violation", where, kind, example[len(kind) + 2 :][:300]))
        if report["unparsed_triples"]:
            findings.append(
                ("owlapi_unparsed_triple", where, "OWL API RDF parser", f"{report['unparsed_triples']} triple(s)")
            )
    return findings
