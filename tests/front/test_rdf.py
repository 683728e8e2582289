"""Served RDF people can read: Turtle and TriG with the project's prefixes, parsed by rdflib and by Apache Jena
(riot), JSON-LD with a context, Link headers to the other formats, CURIEs with labels on entity pages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic

from tests.federation import fedkit  # (Jena's class path as Debian packages it, shared with the federation tests)

ENTITIES = ["/MSCPO_0000107", "/MSCPO_0000201", "/kg/finding/F09", "/MSCPO_0000001"]
FORMATS = {".ttl": "text/turtle", ".trig": "application/trig", ".jsonld": "application/ld+json",
           ".nt": "application/n-triples", ".nq": "application/n-quads", ".rdf": "application/rdf+xml"}


def rdflib_graph(data: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=fmt)


def test_turtle_uses_prefixes_and_matches_the_store(client, backend) -> None:
    response = client.get("/MSCPO_0000107", headers={"Accept": "text/turtle"})
    text = response.get_data(as_text=True)
    assert "@prefix MSCPO: <https://w3id.org/mscpo/MSCPO_> ." in text
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in text
    assert "MSCPO:0000107 " in text
    uniprot = re.search(r"(\w+):P98066", text)
    assert uniprot and f"@prefix {uniprot.group(1)}: <http://purl.uniprot.org/uniprot/> ." in text
    served = rdflib_graph(response.data, "turtle")
    described = rdflib_graph(ox.serialize(backend.query("DESCRIBE <https://w3id.org/mscpo/MSCPO_0000107>"),
                                          format=ox.RdfFormat.N_TRIPLES), "nt")
    assert to_isomorphic(served) == to_isomorphic(described)
    declared = set(re.findall(r"@prefix (\w*):", text))
    used = set(re.findall(r"(?<![\w<\"])(\w+):\w", re.sub(r'"[^"]*"|<[^>]*>', "", text.split("\n", len(declared))[-1])))
    assert declared <= used | {"rdf"}, f"declared but unused: {declared - used}"


def test_trig_keeps_the_graph_of_each_statement(client, backend) -> None:
    response = client.get("/MSCPO_0000107.trig")
    assert response.headers["Content-Type"] == "application/trig"
    dataset = rdflib.Dataset()
    dataset.parse(data=response.data, format="trig")
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert "https://w3id.org/mscpo/graph/ontology" in graphs
    assert "https://w3id.org/mscpo/graph/inferred" in graphs
    expected = len(list(backend.query(
        "SELECT * WHERE { GRAPH ?g { <https://w3id.org/mscpo/MSCPO_0000107> ?p ?o } }")))
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == expected
    assert b"@prefix MSCPO:" in response.data


def test_jsonld_has_a_context_and_the_same_triples(client) -> None:
    response = client.get("/MSCPO_0000107", headers={"Accept": "application/ld+json"})
    document = json.loads(response.data)
    assert document["@context"]["MSCPO"] == "https://w3id.org/mscpo/MSCPO_"
    assert document["rdfs:label"]["@value"] == "TNF alpha induced protein 6"  # compacted with the context
    assert "skos:narrowMatch" in document  # species-neutral: the human UniProt entry is narrower
    turtle = client.get("/MSCPO_0000107.ttl").data
    # the context is inline, so nothing is fetched to read it
    assert to_isomorphic(rdflib_graph(response.data, "json-ld")) == to_isomorphic(rdflib_graph(turtle, "turtle"))
    context = client.get("/context.jsonld").get_json()
    assert context["@context"]["obo"] == "http://purl.obolibrary.org/obo/"


@pytest.mark.parametrize("path", ENTITIES)
def test_link_headers_name_every_other_format(client, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"})
    links = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', html.headers["Link"]))
    assert set(links.values()) == set(FORMATS.values())
    for href, media in links.items():
        response = client.get(href)
        assert response.status_code == 200, href
        assert response.headers["Content-Type"].split(";")[0] == media
        other = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', response.headers["Link"]))
        assert other.get(path) == "text/html" and href not in other
    assert f'<https://w3id.org/mscpo{path}>; rel="canonical"' in html.headers["Link"]


def test_unknown_extension_and_missing_entity_are_404(client) -> None:
    assert client.get("/MSCPO_0000107.xlsx").status_code == 404
    assert client.get("/MSCPO_9999999.ttl").status_code == 404


def test_entity_page_shows_curies_with_labels_and_findings_links(client) -> None:
    html = client.get("/MSCPO_0000201", headers={"Accept": "text/html"}).get_data(as_text=True)
    # a superclass: label linked, CURIE beside it
    assert re.search(r'<a href="/MSCPO_\d{7}">[^<]+</a> <span class="note">MSCPO:\d{7}</span>', html)
    assert 'class="findings-link" data-dimension="mechanism" href="/findings?mechanism=MSCPO%3A0000201"' in html
    for name, href, _media in [("Turtle", "/MSCPO_0000201.ttl", ""), ("TriG", "/MSCPO_0000201.trig", "")]:
        assert f'href="{href}"' in html and f">{name}</a>" in html


def jena_parse(paths: list[Path], workdir: Path) -> subprocess.CompletedProcess[str]:
    classpath = fedkit.jena_classpath(workdir) + ":/usr/share/java/slf4j-simple.jar"  # riot's errors on stderr
    return subprocess.run(["java", "-cp", classpath, "riotcmd.riot", "--output=nquads", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("java") is None or not Path("/usr/share/java/jena-core.jar").is_file(),
                    reason="Java or Apache Jena is not installed (.ci/install-system installs both)")
def test_jena_riot_parses_served_turtle_and_trig(client, tmp_path: Path) -> None:
    """Jena reads exactly the triples rdflib reads. (Not JSON-LD: Debian's Jena 4.5 cannot load any JSON-LD
    document with the jars it installs; rdflib and pyoxigraph check ours above.)"""
    files = []
    for path in ENTITIES:
        for ext in (".ttl", ".trig"):
            body = client.get(path + ext).data
            target = tmp_path / (path.strip("/").replace("/", "-") + ext)
            target.write_bytes(body)
            files.append((target, body, ext))
    done = jena_parse([f for f, _, _ in files], tmp_path)  # one JVM for all files: riot prints them in turn
    assert done.returncode == 0, done.stderr
    jena = rdflib.Dataset()
    jena.parse(data=done.stdout, format="nquads")
    ours = rdflib.Dataset()
    for _target, body, ext in files:
        ours.parse(data=body, format={".ttl": "turtle", ".trig": "trig"}[ext])

    def quads(dataset: rdflib.Dataset) -> set[tuple[object, ...]]:
        return {(s, p, o, str(g)) for s, p, o, g in dataset.quads((None, None, None, None))}

    assert len(quads(jena)) == len(quads(ours)) > 0
    assert quads(jena) == quads(ours)  # no blank nodes in these descriptions: the quads compare as they are
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n")
    assert jena_parse([bad], tmp_path).returncode != 0  # riot does fail on broken Turtle
