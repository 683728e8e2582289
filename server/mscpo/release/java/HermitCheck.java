// HermiT, through the OWL API, over the union of FILE... (ontology, imports, knowledge graph, examples):
// consistency, unsatisfiable classes, time, and the named types of every individual (one JSON object).
//
//   java HermitCheck [--types-under PREFIX] FILE...
//
// Compiled and run against owlready2's HermiT.jar, which bundles HermiT 1.3.8 with the OWL API 3.4.3 it was
// built for (Debian ships no HermiT, and HermiT 1.3.8 does not run on the OWL API 5). Every FILE is read
// by the OWL API in a fresh manager that never touches the network (imports are ignored: pass them as
// files); the axioms are copied into one ontology, as a reasoner in Protégé sees an imports closure.
// Datatypes outside the OWL 2 datatype map (xsd:date) are ignored, as Protégé's HermiT does by default.
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLNamedIndividual;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.reasoner.InferenceType;

public final class HermitCheck {
    private HermitCheck() {}

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String jsonList(Iterable<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (String s : items) b.append(b.length() > 1 ? "," : "").append(json(s));
        return b.append(']').toString();
    }

    static String version(org.semanticweb.owlapi.util.Version v) {
        return v.getMajor() + "." + v.getMinor() + "." + v.getPatch() + "." + v.getBuild();
    }

    public static void main(String[] args) throws Exception {
        String typesUnder = "";
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--types-under") && i + 1 < args.length) typesUnder = args[++i];
            else files.add(args[i]);
        }
        if (files.isEmpty()) {
            System.err.println("usage: HermitCheck [--types-under PREFIX] FILE...");
            System.exit(2);
        }
        long start = System.nanoTime();
        OWLOntologyManager merged = OWLManager.createOWLOntologyManager();
        OWLOntology all = merged.createOntology(IRI.create("https://w3id.org/mscpo/graph/reasoning"));
        int axioms = 0;
        for (String path : files) {
            OWLOntologyManager m = OWLManager.createOWLOntologyManager();
            m.clearIRIMappers();
            m.addIRIMapper(new OWLOntologyIRIMapper() {
                public IRI getDocumentIRI(IRI iri) {
                    return IRI.create("file:/nonexistent/mscpo-hermitcheck/" + Integer.toHexString(iri.hashCode()));
                }
            });
            OWLOntologyLoaderConfiguration conf = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
            OWLOntology o = m.loadOntologyFromOntologyDocument(new FileDocumentSource(new File(path)), conf);
            Set<OWLAxiom> ax = o.getAxioms();
            axioms += ax.size();
            merged.addAxioms(all, ax);
        }
        long loaded = System.nanoTime();
        Configuration config = new Configuration();
        config.ignoreUnsupportedDatatypes = true;
        Reasoner reasoner = new Reasoner(config, all);
        boolean consistent = reasoner.isConsistent();
        List<String> unsat = new ArrayList<>();
        TreeMap<String, TreeSet<String>> types = new TreeMap<>();
        if (consistent) {
            reasoner.precomputeInferences(InferenceType.CLASS_HIERARCHY, InferenceType.CLASS_ASSERTIONS);
            for (OWLClass c : reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                unsat.add(c.getIRI().toString());
            }
            for (OWLNamedIndividual ind : all.getIndividualsInSignature()) {
                TreeSet<String> named = new TreeSet<>();
                for (OWLClass c : reasoner.getTypes(ind, false).getFlattened()) {
                    String iri = c.getIRI().toString();
                    if (iri.startsWith(typesUnder) && !c.isOWLThing()) named.add(iri);
                }
                types.put(ind.getIRI().toString(), named);
            }
        }
        long done = System.nanoTime();
        StringBuilder out = new StringBuilder("{\"reasoner\":")
            .append(json(reasoner.getReasonerName() + " " + version(reasoner.getReasonerVersion())))
            .append(",\"files\":").append(jsonList(files))
            .append(",\"axioms\":").append(axioms)
            .append(",\"logical_axioms\":").append(all.getLogicalAxiomCount())
            .append(",\"consistent\":").append(consistent)
            .append(",\"unsatisfiable\":").append(jsonList(unsat))
            .append(",\"load_seconds\":").append((loaded - start) / 1e9)
            .append(",\"reason_seconds\":").append((done - loaded) / 1e9)
            .append(",\"types\":{");
        boolean first = true;
        for (String ind : types.keySet()) {
            out.append(first ? "" : ",").append(json(ind)).append(':').append(jsonList(types.get(ind)));
            first = false;
        }
        System.out.println(out.append("}}"));
        reasoner.dispose();
    }
}
