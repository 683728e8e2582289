"""mscpo: the MSC Paracrine Ontology, its knowledge graph, validation and SPARQL endpoint."""

__version__ = "0.1.0"
