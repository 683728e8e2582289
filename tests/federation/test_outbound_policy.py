"""Every outbound SERVICE rule, attacked through a listener on 127.0.0.1 that records what got through.

The listener is only reachable when a test exempts its literal ``127.0.0.1:PORT`` (the documented UNSAFE test
setting); every attack checks both the refusing rule and the listener's record.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from mscpo.federation import (
    FederationSettings,
    MalformedService,
    ServiceFailed,
    ServiceRefused,
    federation_features,
    has_service,
    resolve_service_clauses,
)
from mscpo.federation.policy import DEFAULT_ALLOWED, address_problem, check_url
from mscpo.federation.service import SKOLEM_BASE

from tests.federation.fedkit import FIXTURES, Listener, self_signed_certificate

PROTEIN = "<http://purl.uniprot.org/uniprot/P14210>"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener(FIXTURES / "uniprot.ttl")
    yield server
    server.close()


@pytest.fixture()
def other() -> Iterator[Listener]:
    server = Listener(FIXTURES / "uniprot.ttl")
    yield server
    server.close()


def allowing(*listeners: Listener, **overrides: object) -> FederationSettings:
    """Settings that allow-list 127.0.0.1 and exempt exactly these listeners from the loopback ban."""
    values: dict[str, object] = {
        "enabled": True,
        "allowed": ("127.0.0.1", "localhost"),
        "unsafe_allow_loopback": tuple(item.exemption for item in listeners),
        "call_timeout": 5.0,
    }
    values.update(overrides)
    return FederationSettings(**values)  # type: ignore[arg-type]


def service_query(endpoint: str, silent: bool = False) -> str:
    keyword = "SERVICE SILENT" if silent else "SERVICE"
    return (
        "PREFIX up: <http://purl.uniprot.org/core/>\n"
        f"SELECT ?mnemonic WHERE {{ {keyword} <{endpoint}> {{ {PROTEIN} up:mnemonic ?mnemonic }} }}"
    )


def refused(query: str, settings: FederationSettings, **kwargs: object) -> ServiceRefused:
    with pytest.raises(ServiceRefused) as caught:
        resolve_service_clauses(query, settings, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_permitted_call_reaches_the_listener_and_is_inlined(listener: Listener) -> None:
    """The control case: with the exemption the call goes through, so the refusals below are the rules'."""
    resolved = resolve_service_clauses(service_query(listener.endpoint), allowing(listener))
    assert len(listener.hits) == 1
    assert not has_service(resolved)
    rows = [s["mnemonic"].value for s in ox.Store().query(resolved)]
    assert rows == ["HGF_HUMAN"]


def test_off_by_default(listener: Listener) -> None:
    error = refused(service_query(listener.endpoint), FederationSettings())
    assert error.rule == "disabled" and error.status == 403
    assert "rule 'disabled'" in str(error)
    assert listener.hits == []


def test_defaults_are_documented_public_endpoints() -> None:
    settings = FederationSettings()
    assert settings.enabled is False
    assert "https://sparql.uniprot.org/sparql" in DEFAULT_ALLOWED
    assert "https://query.wikidata.org/sparql" in DEFAULT_ALLOWED
    assert settings.allowed == DEFAULT_ALLOWED
    assert settings.unsafe_allow_loopback == ()


def test_host_not_on_the_allow_list(listener: Listener) -> None:
    settings = allowing(listener, allowed=("https://sparql.uniprot.org/sparql",))
    error = refused(service_query(listener.endpoint), settings)
    assert error.rule == "allow-list"
    assert listener.hits == []


def test_allow_listed_port_must_match(listener: Listener) -> None:
    settings = allowing(listener, allowed=(f"http://127.0.0.1:{listener.port + 1}/sparql",))
    assert refused(service_query(listener.endpoint), settings).rule == "allow-list"
    assert listener.hits == []


def test_loopback_literal_without_the_unsafe_exemption(listener: Listener) -> None:
    error = refused(service_query(listener.endpoint), allowing())
    assert error.rule == "address" and "loopback" in error.detail
    assert listener.hits == []


def test_dns_name_resolving_to_loopback_is_refused(listener: Listener) -> None:
    """``localhost`` is allow-listed and 127.0.0.1:PORT exempt, yet the name still may not reach it."""
    url = f"http://localhost:{listener.port}/sparql"
    error = refused(service_query(url), allowing(listener))
    assert error.rule == "address" and "127.0.0.1" in error.detail
    assert listener.hits == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["93.184.216.34", "192.168.1.1"],
        ["169.254.169.254"],
        ["::ffff:127.0.0.1"],
    ],
)
def test_patched_resolver_to_forbidden_addresses(listener: Listener, addresses: list[str]) -> None:
    """An allow-listed public-looking name whose DNS answer (any of it) is internal is refused."""
    settings = allowing(listener, allowed=("sparql.example.org",))

    def resolver(host: str, port: int) -> list[str]:
        assert host == "sparql.example.org"
        return addresses

    url = "http://sparql.example.org/sparql"
    error = refused(service_query(url), settings, resolver=resolver)
    assert error.rule == "address"
    assert listener.hits == []


def test_unresolvable_host() -> None:
    """A resolver failure (patched: tests make no DNS queries beyond /etc/hosts) is refused by rule 'dns'."""

    def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    settings = FederationSettings(enabled=True, allowed=("no-such-host.invalid",))
    error = refused(service_query("https://no-such-host.invalid/sparql"), settings, resolver=resolver)
    assert error.rule == "dns" and "does not resolve" in error.detail


def test_redirect_to_a_private_address_is_refused(listener: Listener, other: Listener) -> None:
    """The allowed stand-in redirects to a loopback name and to a non-exempt port: neither hop is made."""
    settings = allowing(listener)
    for target in (f"http://localhost:{other.port}/sparql", other.endpoint):
        listener.redirect_to = target
        error = refused(service_query(listener.endpoint), settings)
        assert error.rule == "address", target
    assert len(listener.hits) == 2
    assert other.hits == []


def test_redirect_to_link_local_metadata_address(listener: Listener) -> None:
    listener.redirect_to = "http://169.254.169.254/latest/meta-data/"
    settings = allowing(listener, allowed=("127.0.0.1", "169.254.169.254"))
    error = refused(service_query(listener.endpoint), settings)
    assert error.rule == "address" and "link-local" in error.detail
    assert len(listener.hits) == 1


def test_redirect_to_a_host_off_the_allow_list(listener: Listener, other: Listener) -> None:
    listener.redirect_to = "https://evil.example.net/sparql"
    error = refused(service_query(listener.endpoint), allowing(listener, other))
    assert error.rule == "allow-list"
    assert len(listener.hits) == 1


def test_redirect_between_permitted_endpoints_is_followed(listener: Listener, other: Listener) -> None:
    listener.redirect_to = other.endpoint + "?from=redirect"
    listener.redirect_status = 307
    resolved = resolve_service_clauses(service_query(listener.endpoint), allowing(listener, other))
    assert [s["mnemonic"].value for s in ox.Store().query(resolved)] == ["HGF_HUMAN"]
    assert len(listener.hits) == 1 and len(other.hits) == 1
    assert "HGF" not in other.hits[0].query and "P14210" in other.hits[0].query


def test_redirect_loop_hits_the_limit(listener: Listener) -> None:
    listener.redirect_to = listener.endpoint
    error = refused(service_query(listener.endpoint), allowing(listener, max_redirects=2, max_calls=10))
    assert error.rule == "redirect-limit"
    assert len(listener.hits) == 3


@pytest.mark.parametrize("userinfo", ["user:secret@", "user@", ":@"])
def test_user_info_is_refused(listener: Listener, userinfo: str) -> None:
    url = f"http://{userinfo}127.0.0.1:{listener.port}/sparql"
    assert refused(service_query(url), allowing(listener)).rule == "user-info"
    assert listener.hits == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1:{port}/sparql", "gopher://127.0.0.1:{port}/", "urn:x:y"]
)
def test_other_schemes_are_refused(listener: Listener, url: str) -> None:
    error = refused(service_query(url.format(port=listener.port)), allowing(listener))
    assert error.rule == "scheme"
    assert listener.hits == []


def test_variable_endpoint_is_refused(listener: Listener) -> None:
    query = f"SELECT * WHERE {{ VALUES ?ep {{ <{listener.endpoint}> }} SERVICE ?ep {{ ?s ?p ?o }} }}"
    assert refused(query, allowing(listener)).rule == "variable-endpoint"
    assert listener.hits == []


def test_too_many_service_calls(listener: Listener) -> None:
    clause = f"SERVICE <{listener.endpoint}> {{ {PROTEIN} ?p ?o }}"
    query = f"SELECT * WHERE {{ {clause} {clause} {clause} }}"
    error = refused(query, allowing(listener, max_calls=2))
    assert error.rule == "call-limit"
    assert len(listener.hits) == 2


def test_slow_remote_times_out_on_a_wall_clock(listener: Listener) -> None:
    """The stand-in drips its answer over 3 s; the 0.5 s deadline holds although bytes keep arriving."""
    listener.delay = 3.0
    started = time.monotonic()
    with pytest.raises(ServiceFailed) as caught:
        resolve_service_clauses(service_query(listener.endpoint), allowing(listener, call_timeout=0.5))
    elapsed = time.monotonic() - started
    assert caught.value.rule == "timeout" and caught.value.status == 504
    assert elapsed < 2.0
    assert len(listener.hits) == 1


def test_silent_hides_a_remote_failure_but_not_a_refusal(listener: Listener) -> None:
    listener.status = 500
    resolved = resolve_service_clauses(service_query(listener.endpoint, silent=True), allowing(listener))
    assert not has_service(resolved)
    assert [s["mnemonic"] for s in ox.Store().query(resolved)] == [None]  # one empty solution
    with pytest.raises(ServiceFailed) as caught:
        resolve_service_clauses(service_query(listener.endpoint), allowing(listener))
    assert caught.value.rule == "remote-error" and "500" in caught.value.detail
    error = refused(service_query(listener.endpoint, silent=True), allowing())
    assert error.rule == "address"


def test_row_and_size_limits(listener: Listener) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{listener.endpoint}> {{ ?s ?p ?o }} }}"
    with pytest.raises(ServiceFailed) as caught:
        resolve_service_clauses(query, allowing(listener, max_rows=5))
    assert caught.value.rule == "row-limit"
    assert "LIMIT 6" in listener.hits[-1].query
    with pytest.raises(ServiceFailed) as caught:
        resolve_service_clauses(query, allowing(listener, max_response_bytes=200))
    assert caught.value.rule == "response-size"


def test_escaped_service_keyword_is_not_smuggled_past(listener: Listener) -> None:
    """``\\u0053ERVICE`` is SERVICE to a SPARQL parser; it must neither run nor survive into the output."""
    query = service_query(listener.endpoint).replace("SERVICE", "\\u0053ERVICE")
    assert has_service(query)
    with pytest.raises(MalformedService) as caught:
        resolve_service_clauses(query, allowing(listener))
    assert caught.value.status == 400
    assert listener.hits == []


def test_queries_without_service_pass_untouched() -> None:
    text = 'SELECT ?service WHERE { BIND("SERVICE <http://x/> {}" AS ?service) } # SERVICE <http://x/>'
    assert resolve_service_clauses(text, FederationSettings()) is text


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1",
        "ff02::1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::7f00:1",
    ],
)  # fmt: skip
def test_forbidden_address_ranges(address: str) -> None:
    assert address_problem(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


def test_unsafe_exemption_is_exact_and_loopback_only() -> None:
    with pytest.raises(ValueError, match="UNSAFE_ALLOW_LOOPBACK"):
        FederationSettings.from_env(
            {"MSCPO_FEDERATION": "true", "MSCPO_FEDERATION_UNSAFE_ALLOW_LOOPBACK": "10.0.0.1:80"}
        )
    settings = FederationSettings(enabled=True, allowed=("127.0.0.1",), unsafe_allow_loopback=("127.0.0.1:9",))
    assert check_url("http://127.0.0.1:9/sparql", settings).addresses == ("127.0.0.1",)
    with pytest.raises(ServiceRefused, match="'address'"):
        check_url("http://127.0.0.1:10/sparql", settings)


def test_settings_from_environment_and_features() -> None:
    settings = FederationSettings.from_env(
        {
            "MSCPO_FEDERATION": "on",
            "MSCPO_FEDERATION_ALLOW": "https://sparql.uniprot.org/sparql, query.wikidata.org",
            "MSCPO_FEDERATION_TIMEOUT": "2.5",
            "MSCPO_FEDERATION_MAX_CALLS": "3",
        }
    )
    assert settings.enabled and settings.call_timeout == 2.5 and settings.max_calls == 3
    assert settings.allowed == ("https://sparql.uniprot.org/sparql", "query.wikidata.org")
    assert federation_features(settings) == ["http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery"]
    assert federation_features(FederationSettings()) == []
    with pytest.raises(ValueError, match="MSCPO_FEDERATION_TIMEOUT"):
        FederationSettings.from_env({"MSCPO_FEDERATION_TIMEOUT": "soon"})


def test_total_timeout_spans_all_calls_of_a_query(listener: Listener) -> None:
    listener.delay = 0.4
    clause = f"SERVICE <{listener.endpoint}> {{ {PROTEIN} ?p ?o }}"
    query = f"SELECT * WHERE {{ {clause} {clause} {clause} }}"
    started = time.monotonic()
    with pytest.raises(ServiceFailed) as caught:
        resolve_service_clauses(query, allowing(listener, call_timeout=5.0, total_timeout=0.7))
    assert caught.value.rule == "timeout"
    assert time.monotonic() - started < 1.5
    assert len(listener.hits) == 2


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_tls_certificates_are_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS goes to the checked address but still verifies the certificate for the host name."""
    cert, key = self_signed_certificate(tmp_path)
    server = Listener(FIXTURES / "uniprot.ttl", tls=(cert, key))
    try:
        with pytest.raises(ServiceFailed) as caught:
            resolve_service_clauses(service_query(server.endpoint), allowing(server))
        assert caught.value.rule == "remote-error" and "certificate" in caught.value.detail.lower()
        assert server.hits == []
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now trusted: the same call goes through
        resolved = resolve_service_clauses(service_query(server.endpoint), allowing(server))
        assert [s["mnemonic"].value for s in ox.Store().query(resolved)] == ["HGF_HUMAN"]
        assert len(server.hits) == 1
    finally:
        server.close()


@pytest.mark.parametrize(
    "binding",
    [
        {"type": "uri", "value": "http://x> } } SERVICE <http://169.254.169.254/"},
        {"type": "literal", "value": "a", "xml:lang": "en } SERVICE"},
        {"type": "literal", "value": "a", "datatype": "http://x> . ?s ?p <y"},
    ],
)
def test_a_hostile_answer_cannot_inject_sparql(listener: Listener, binding: dict[str, str]) -> None:
    """Terms from the remote are validated before they become query text."""
    answer = {"head": {"vars": ["mnemonic"]}, "results": {"bindings": [{"mnemonic": binding}]}}
    listener.raw = ("application/sparql-results+json", json.dumps(answer).encode())
    with pytest.raises(ServiceFailed) as caught:
        resolve_service_clauses(service_query(listener.endpoint), allowing(listener))
    assert caught.value.rule == "remote-error" and "unreadable" in caught.value.detail


def test_literals_blank_nodes_and_triple_terms_survive_the_round_trip(listener: Listener) -> None:
    tricky = 'a "quoted"\nline \\ back\U0001f600'
    answer = {
        "head": {"vars": ["l", "b", "t"]},
        "results": {
            "bindings": [
                {
                    "l": {"type": "literal", "value": tricky, "xml:lang": "en-GB"},
                    "b": {"type": "bnode", "value": "n1"},
                    "t": {
                        "type": "triple",
                        "value": {
                            "subject": {"type": "bnode", "value": "n1"},
                            "predicate": {"type": "uri", "value": "http://example.org/p"},
                            "object": {"type": "literal", "value": "1", "datatype": XSD_INT},
                        },
                    },
                }
            ]
        },
    }
    listener.raw = ("application/sparql-results+json", json.dumps(answer).encode())
    query = f"SELECT * WHERE {{ SERVICE <{listener.endpoint}> {{ ?b ?x ?l . ?t ?y ?z }} }}"
    rows = list(ox.Store().query(resolve_service_clauses(query, allowing(listener))))
    assert len(rows) == 1
    row = rows[0]
    assert row["l"] == ox.Literal(tricky, language="en-gb")
    assert isinstance(row["b"], ox.NamedNode) and row["b"].value.startswith(SKOLEM_BASE)
    assert row["t"].subject == row["b"] and row["t"].object.value == "1"


def test_refusal_messages_name_the_endpoint_not_the_query(listener: Listener, other: Listener) -> None:
    listener.redirect_to = f"http://localhost:{other.port}/sparql?query=SELECT+*+WHERE+%7B%7D"
    error = refused(service_query(listener.endpoint), allowing(listener))
    assert str(error).startswith(f"SERVICE <http://localhost:{other.port}/sparql> refused by rule 'address': ")
    assert "SELECT" not in str(error)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MSCPO_FEDERATION_TIMEOUT", "0", "call_timeout must be greater than 0"),
        ("MSCPO_FEDERATION_MAX_CALLS", "0", "max_calls must be 1 or more"),
        ("MSCPO_FEDERATION_ALLOW", "ftp://files.example.org/", "only http:// and https://"),
        ("MSCPO_FEDERATION_ALLOW", "*.example.org", "exact host name"),
    ],
)
def test_unworkable_settings_are_refused_at_start(variable: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FederationSettings.from_env({"MSCPO_FEDERATION": "true", variable: value})
