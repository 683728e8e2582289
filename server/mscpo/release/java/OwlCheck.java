// Opens release files the way an ontology engineer's tools do (the OWL API, as Protégé loads them) and
// reports, as one JSON object per line, what each one is on its own.
//
//   java OwlCheck alone FILE...            each FILE in a fresh manager: no catalog, no local IRI mapping
//   java OwlCheck importer ONTOLOGY_IRI FILE   a new ontology with one owl:imports of ONTOLOGY_IRI, which
//                                          only resolves (as the w3id PURL would) to FILE
//
// Compiled and run against Debian's OWL API 5 (libowlapi-java). Imports are never fetched from the network:
// every http(s) IRI not mapped maps to a file that does not exist, so an import that would need the network
// (or a catalog) is counted as unresolved instead of being fetched or silently ignored.
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFJsonLDDocumentFormat;
import org.semanticweb.owlapi.io.OWLParserException;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.io.StringDocumentSource;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class OwlCheck {
    private static final int MAX_LISTED = 50;
    private static final String NOWHERE = "file:/nonexistent/mscpo-owlcheck/";

    private OwlCheck() {}

    static String json(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String jsonList(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) b.append(i > 0 ? "," : "").append(json(items.get(i)));
        return b.append(']').toString();
    }

    /** A manager that resolves nothing from the network; {@code local} (may be null) maps one IRI to a file. */
    static OWLOntologyManager manager(IRI mapped, IRI local) {
        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        m.getIRIMappers().clear();
        OWLOntologyIRIMapper mapper = iri -> {
            if (mapped != null && iri.equals(mapped)) return local;
            String s = iri.toString();
            if (s.startsWith("http://") || s.startsWith("https://")) {
                return IRI.create(NOWHERE + Integer.toHexString(s.hashCode()) + ".owl");
            }
            return null;
        };
        m.getIRIMappers().add(mapper);
        return m;
    }

    static OWLOntologyLoaderConfiguration config() {
        return new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
    }

    static String report(String mode, String file, OWLOntologyManager m, OWLOntology o, List<String> missing,
                         long millis) {
        OWLDocumentFormat format = m.getOntologyFormat(o);
        long unparsed = 0;
        if (format != null && format.getOntologyLoaderMetaData().isPresent()
            && format.getOntologyLoaderMetaData().get() instanceof RDFParserMetaData) {
            unparsed = ((RDFParserMetaData) format.getOntologyLoaderMetaData().get()).getUnparsedTriples().count();
        }
        List<OWLProfileViolation> violations = new OWL2DLProfile().checkOntology(o).getViolations();
        TreeSet<String> kinds = new TreeSet<>();
        List<String> listed = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>();  // sorted, so the report is the same on every run
        for (OWLProfileViolation v : violations) {
            kinds.add(v.getClass().getSimpleName());
            all.add(v.getClass().getSimpleName() + ": " + v.getAxiom());
        }
        for (String kind : kinds) {  // the first of each kind, then more up to MAX_LISTED
            all.stream().filter(s -> s.startsWith(kind + ": ")).findFirst().ifPresent(listed::add);
        }
        for (String item : all) {
            if (listed.size() >= MAX_LISTED) break;
            if (!listed.contains(item)) listed.add(item);
        }
        long mscpoClasses = o.classesInSignature(Imports.INCLUDED)
            .map(OWLClass::getIRI).filter(i -> i.toString().startsWith("https://w3id.org/mscpo/MSCPO_")).count();
        return "{\"mode\":" + json(mode)
            + ",\"file\":" + json(file)
            + ",\"ontology_iri\":" + json(o.getOntologyID().getOntologyIRI().map(IRI::toString).orElse(null))
            + ",\"format\":" + json(format == null ? null : format.getKey())
            + ",\"axioms\":" + o.getAxiomCount()
            + ",\"closure_axioms\":" + o.getAxiomCount(Imports.INCLUDED)
            + ",\"imports_declared\":" + o.importsDeclarations().count()
            + ",\"imports_loaded\":" + o.imports().count()
            + ",\"unresolved_imports\":" + jsonList(missing)
            + ",\"unparsed_triples\":" + unparsed
            + ",\"mscpo_classes\":" + mscpoClasses
            + ",\"dl_violations\":" + violations.size()
            + ",\"dl_violation_kinds\":" + jsonList(new ArrayList<>(kinds))
            + ",\"dl_violation_examples\":" + jsonList(listed)
            + ",\"millis\":" + millis + "}";
    }

    static String failure(String mode, String file, Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof OWLParserException || message.length() > 2000) {
            message = message.substring(0, Math.min(message.length(), 2000));
        }
        return "{\"mode\":" + json(mode) + ",\"file\":" + json(file) + ",\"error\":"
            + json(e.getClass().getSimpleName() + ": " + message) + "}";
    }

    static String alone(String path) {
        long start = System.currentTimeMillis();
        OWLOntologyManager m = manager(null, null);
        List<String> missing = new ArrayList<>();
        m.addMissingImportListener(e -> missing.add(e.getImportedOntologyURI().toString()));
        try {
            // The OWL API tries its parsers in turn, and rdf4j's RDF/JSON parser aborts that on a JSON-LD file
            // (IllegalArgumentException "Not a valid (absolute) IRI: @context"), so JSON-LD is named up front.
            FileDocumentSource source = path.endsWith(".jsonld")
                ? new FileDocumentSource(new File(path), new RDFJsonLDDocumentFormat())
                : new FileDocumentSource(new File(path));
            OWLOntology o = m.loadOntologyFromOntologyDocument(source, config());
            return report("alone", path, m, o, missing, System.currentTimeMillis() - start);
        } catch (Exception e) {
            return failure("alone", path, e);
        }
    }

    static String importer(String ontologyIri, String path) {
        long start = System.currentTimeMillis();
        IRI target = IRI.create(ontologyIri);
        OWLOntologyManager m = manager(target, IRI.create(new File(path).getAbsoluteFile()));
        List<String> missing = new ArrayList<>();
        m.addMissingImportListener(e -> missing.add(e.getImportedOntologyURI().toString()));
        String doc = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            + "<http://example.org/an-importing-ontology> a owl:Ontology ; owl:imports <" + ontologyIri + "> .\n";
        try {
            OWLOntology o = m.loadOntologyFromOntologyDocument(new StringDocumentSource(doc), config());
            return report("importer", path, m, o, missing, System.currentTimeMillis() - start);
        } catch (Exception e) {
            return failure("importer", path, e);
        }
    }

    public static void main(String[] args) {
        if (args.length >= 2 && args[0].equals("alone")) {
            for (int i = 1; i < args.length; i++) System.out.println(alone(args[i]));
        } else if (args.length == 3 && args[0].equals("importer")) {
            System.out.println(importer(args[1], args[2]));
        } else {
            System.err.println("usage: OwlCheck alone FILE... | OwlCheck importer ONTOLOGY_IRI FILE");
            System.exit(2);
        }
    }
}
