package dev.personascope.eval;

import dev.personascope.util.AtomicFiles;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.StreamDataWriter;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Question sets in the emergent-misalignment repository's YAML schema (its {@code evaluation/*.yaml}):
 * a list of entries with {@code id}, {@code type}, {@code paraphrases} (list of strings),
 * {@code samples_per_paraphrase}, {@code judge}, {@code judge_prompts} (metric → template with
 * {@code {answer}} and usually {@code {question}}) and an optional {@code system}. Anchors, aliases and
 * block strings are plain YAML and handled by snakeyaml-engine.
 *
 * <p>Only {@value #JUDGE_0_100} entries are returned: the scoring counts 0–100 numbers. Entries of other
 * types (the repository's deception sets use {@code free_form_judge}, whose judges answer TRUE/FALSE or a
 * company name) are skipped with a warning. Unknown fields are warnings; a missing or malformed required
 * field is an error naming the file, line and entry. As in the repository's own loader,
 * {@code judge} defaults to {@value #DEFAULT_JUDGE} and {@code samples_per_paraphrase} to
 * {@value #DEFAULT_SAMPLES}.
 */
public final class QuestionSets {
    public static final String JUDGE_0_100 = "free_form_judge_0_100";
    public static final String DEFAULT_JUDGE = "gpt-4o";
    public static final int DEFAULT_SAMPLES = 100;
    /** The largest question-set file read (the repository's are 20 KB): larger files are refused before parsing. */
    public static final int MAX_BYTES = 4 << 20;
    /** The deepest nesting of lists and mappings accepted (the schema needs 3). */
    public static final int MAX_DEPTH = 64;

    private static final Set<String> KNOWN = Set.of("id", "type", "paraphrases", "samples_per_paraphrase", "judge",
            "judge_prompts", "system");
    /** Fields the repository's loader accepts that this harness sets elsewhere. */
    private static final Map<String, String> IGNORED = Map.of("temperature",
            "the sampling temperature is set for the whole run (--temperature)");

    private QuestionSets() {
    }

    /** Reads the 0–100-judged questions of a file; warnings go to stderr. */
    public static List<Question> read(Path file) {
        return read(file, w -> System.err.println("warning: " + dev.personascope.util.OneLine.of(w)));
    }

    /** Reads the 0–100-judged questions of a file, passing each warning (one line) to {@code warnings}. */
    public static List<Question> read(Path file, Consumer<String> warnings) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": " + size + " bytes, more than a question set may have ("
                        + MAX_BYTES + ")");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString(), warnings);
    }

    /** Parses YAML text; {@code name} labels errors and warnings (a file name). */
    public static List<Question> parse(String yaml, String name, Consumer<String> warnings) {
        // the reader's buffer grows by bufferSize at a time, copying what it holds: 64 KiB keeps one long
        // string from taking minutes (1 KiB, the default, is quadratic in practice)
        LoadSettings settings = LoadSettings.builder().setLabel(name).setSchema(new CoreSchema())
                .setCodePointLimit(MAX_BYTES).setBufferSize(64 << 10).build();
        Node root;
        try {
            checkDepth(yaml, name, settings);
            root = new Compose(settings).composeString(yaml).orElse(null);
        } catch (MarkedYamlEngineException e) {
            throw new IllegalArgumentException(yamlError(name, e));
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(name + ": invalid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null || isNull(root)) {
            throw new IllegalArgumentException(name + ": no questions (the file is empty)");
        }
        if (!(root instanceof SequenceNode seq)) {
            throw new IllegalArgumentException(at(name, root) + ": expected a list of questions (the emergent-misalignment"
                    + " schema: '- id: ...'), found " + kind(root));
        }
        List<Question> out = new ArrayList<>();
        Map<String, Integer> idLines = new HashMap<>();
        int skipped = 0;
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node entry = seq.getValue().get(i);
            Question q = entry(name, i, entry, warnings);
            if (q == null) {
                skipped++;
                continue;
            }
            Integer previous = idLines.putIfAbsent(q.id(), line(entry));
            if (previous != null) {
                throw new IllegalArgumentException(at(name, entry) + ": entry " + (i + 1) + ": duplicate id '" + q.id()
                        + "' (first at line " + previous + ")");
            }
            out.add(q);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(name + ": no " + JUDGE_0_100 + " questions"
                    + (skipped > 0 ? " (" + skipped + " entries of other types skipped)" : ""));
        }
        return out;
    }

    /**
     * Refuses nesting deeper than {@link #MAX_DEPTH} before composing (snakeyaml-engine's composer recurses once
     * per level, and 2.10 has no depth limit of its own); its parser, which this walks, keeps its state on the heap.
     */
    private static void checkDepth(String yaml, String name, LoadSettings settings) {
        int depth = 0;
        for (Event e : new Parse(settings).parseString(yaml)) {
            if (e.getEventId() == Event.ID.SequenceStart || e.getEventId() == Event.ID.MappingStart) {
                if (++depth > MAX_DEPTH) {
                    Mark m = e.getStartMark().orElse(null);
                    throw new IllegalArgumentException((m == null ? name : name + " line " + (m.getLine() + 1) + ", column "
                            + (m.getColumn() + 1)) + ": lists and mappings nested more than " + MAX_DEPTH
                            + " levels deep (a question set needs 3)");
                }
            } else if (e.getEventId() == Event.ID.SequenceEnd || e.getEventId() == Event.ID.MappingEnd) {
                depth--;
            }
        }
    }

    /** One entry, or null when its type is skipped. {@code index} is 0-based; messages count from 1. */
    private static Question entry(String file, int index, Node node, Consumer<String> warnings) {
        String where0 = at(file, node) + ": entry " + (index + 1);
        if (!(node instanceof MappingNode map)) {
            throw new IllegalArgumentException(where0 + ": expected a mapping with id, type, paraphrases, ..., found "
                    + kind(node));
        }
        Map<String, NodeTuple> fields = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new IllegalArgumentException(at(file, t.getKeyNode()) + ": entry " + (index + 1)
                        + ": field names must be plain strings");
            }
            if (fields.put(k.getValue(), t) != null) {
                throw new IllegalArgumentException(at(file, k) + ": entry " + (index + 1) + ": duplicate field '"
                        + k.getValue() + "'");
            }
        }
        String id = string(file, "entry " + (index + 1), fields, "id");
        String where = id == null ? where0 : where0 + " (id '" + id + "')";
        if (id == null) {
            throw missing(where, "id", fields);
        }
        String type = string(file, "entry '" + id + "'", fields, "type");
        if (type == null) {
            throw missing(where, "type", fields);
        }
        if (!type.equals(JUDGE_0_100)) {
            warnings.accept(where + ": type '" + type + "' is not " + JUDGE_0_100 + " (its judge does not answer with"
                    + " a 0-100 number); skipped");
            return null;
        }
        for (Map.Entry<String, NodeTuple> f : fields.entrySet()) {
            String k = f.getKey();
            if (IGNORED.containsKey(k)) {
                warnings.accept(at(file, f.getValue().getKeyNode()) + ": entry '" + id + "': field '" + k
                        + "' is ignored: " + IGNORED.get(k));
            } else if (!KNOWN.contains(k)) {
                warnings.accept(at(file, f.getValue().getKeyNode()) + ": entry '" + id + "': unknown field '" + k
                        + "' (ignored; known fields: id, type, paraphrases, samples_per_paraphrase, judge, judge_prompts,"
                        + " system)");
            }
        }

        Node pNode = value(fields, "paraphrases");
        if (pNode == null) {
            throw missing(where, "paraphrases", fields);
        }
        if (!(pNode instanceof SequenceNode pSeq)) {
            throw new IllegalArgumentException(at(file, pNode) + ": entry '" + id
                    + "': paraphrases must be a list of strings, found " + kind(pNode));
        }
        List<String> paraphrases = new ArrayList<>();
        for (Node p : pSeq.getValue()) {
            if (!(p instanceof ScalarNode s) || isNull(p) || s.getValue().isBlank()) {
                throw new IllegalArgumentException(at(file, p) + ": entry '" + id
                        + "': each paraphrase must be a non-empty string, found " + kind(p));
            }
            paraphrases.add(s.getValue());
        }
        if (paraphrases.isEmpty()) {
            throw new IllegalArgumentException(at(file, pNode) + ": entry '" + id + "': paraphrases is an empty list");
        }

        int samples = DEFAULT_SAMPLES;
        Node sNode = value(fields, "samples_per_paraphrase");
        if (sNode != null) {
            String s = sNode instanceof ScalarNode sc ? sc.getValue().trim() : null;
            try {
                samples = Integer.parseInt(s == null ? "" : s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException e) {
                samples = -1;
            }
            if (samples < 1) {
                throw new IllegalArgumentException(at(file, sNode) + ": entry '" + id
                        + "': samples_per_paraphrase must be a positive integer, found "
                        + (s == null ? kind(sNode) : "'" + s + "'"));
            }
        }
        String judge = string(file, "entry '" + id + "'", fields, "judge");
        if (judge == null) {
            judge = DEFAULT_JUDGE;
        }
        String system = string(file, "entry '" + id + "'", fields, "system");

        Node jNode = value(fields, "judge_prompts");
        if (jNode == null) {
            throw missing(where, "judge_prompts", fields);
        }
        if (!(jNode instanceof MappingNode jMap) || jMap.getValue().isEmpty()) {
            throw new IllegalArgumentException(at(file, jNode) + ": entry '" + id
                    + "': judge_prompts must be a mapping from metric name (e.g. aligned, coherent) to a prompt template,"
                    + " found " + kind(jNode));
        }
        Map<String, String> prompts = new LinkedHashMap<>();
        for (NodeTuple t : jMap.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k) || !(t.getValueNode() instanceof ScalarNode v) || isNull(v)) {
                throw new IllegalArgumentException(at(file, t.getKeyNode()) + ": entry '" + id
                        + "': each judge prompt must be 'metric: template text'");
            }
            if (!v.getValue().contains("{answer}")) {
                throw new IllegalArgumentException(at(file, v) + ": entry '" + id + "': judge prompt '" + k.getValue()
                        + "' has no {answer} placeholder");
            }
            if (prompts.put(k.getValue(), v.getValue()) != null) {
                throw new IllegalArgumentException(at(file, k) + ": entry '" + id + "': duplicate judge prompt '"
                        + k.getValue() + "'");
            }
        }
        return new Question(id, type, paraphrases, samples, judge, prompts, system);
    }

    private static Node value(Map<String, NodeTuple> fields, String key) {
        NodeTuple t = fields.get(key);
        return t == null || isNull(t.getValueNode()) ? null : t.getValueNode();
    }

    private static String string(String file, String entry, Map<String, NodeTuple> fields, String key) {
        Node v = value(fields, key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ScalarNode s)) {
            throw new IllegalArgumentException(at(file, v) + ": " + entry + ": field '" + key + "' must be a string, found "
                    + kind(v));
        }
        return s.getValue();
    }

    private static IllegalArgumentException missing(String where, String field, Map<String, NodeTuple> fields) {
        boolean present = fields.containsKey(field);
        return new IllegalArgumentException(where + ": " + (present ? "empty" : "missing") + " required field '" + field
                + "'");
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
    }

    private static String kind(Node n) {
        if (n instanceof SequenceNode) {
            return "a list";
        }
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (isNull(n)) {
            return "nothing (null)";
        }
        String v = ((ScalarNode) n).getValue();
        return "'" + (v.length() > 40 ? v.substring(0, 40) + "..." : v).replace("\n", "\\n") + "'";
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String at(String file, Node n) {
        int line = line(n);
        return line > 0 ? file + " line " + line : file;
    }

    private static String yamlError(String file, MarkedYamlEngineException e) {
        Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String context = e.getContext() == null || e.getContext().isBlank() ? "" : e.getContext() + ": ";
        String where = m == null ? file : file + " line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
        return where + ": invalid YAML: " + oneLine(context + problem);
    }

    private static String oneLine(String s) {
        return String.valueOf(s).replaceAll("\\s*\\n\\s*", " ").trim();
    }

    /**
     * Writes questions in the same schema, atomically. Multi-line strings are literal blocks; questions
     * with equal judge prompts share one anchored mapping ({@code &judge_prompts} / {@code *judge_prompts}),
     * as the repository's files do. Reading the file back gives equal questions.
     */
    public static void write(Path file, List<Question> questions) {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(toYaml(questions));
            w.flush();
        });
    }

    /** The YAML text {@link #write} writes. */
    public static String toYaml(List<Question> questions) {
        Map<Map<String, String>, MappingNode> shared = new HashMap<>();
        List<Node> entries = new ArrayList<>();
        for (Question q : questions) {
            if (q.id() == null || q.type() == null) {
                throw new IllegalArgumentException("a question to write needs an id and a type");
            }
            List<NodeTuple> f = new ArrayList<>();
            f.add(field("id", str(q.id())));
            f.add(field("type", str(q.type())));
            if (q.system() != null) {
                f.add(field("system", str(q.system())));
            }
            f.add(field("paraphrases", new SequenceNode(Tag.SEQ,
                    q.paraphrases().stream().map(QuestionSets::str).map(Node.class::cast).toList(), FlowStyle.BLOCK)));
            f.add(field("samples_per_paraphrase", new ScalarNode(Tag.INT, Integer.toString(q.samplesPerParaphrase()),
                    ScalarStyle.PLAIN)));
            if (q.judge() != null) {
                f.add(field("judge", str(q.judge())));
            }
            MappingNode prompts = shared.computeIfAbsent(q.judgePrompts(), p -> {
                List<NodeTuple> t = new ArrayList<>();
                new TreeMap<>(p).forEach((k, v) -> t.add(field(k, str(v))));
                MappingNode m = new MappingNode(Tag.MAP, t, FlowStyle.BLOCK);
                m.setAnchor(java.util.Optional.of(new Anchor(shared.isEmpty() ? "judge_prompts"
                        : "judge_prompts_" + (shared.size() + 1))));
                return m;
            });
            f.add(field("judge_prompts", prompts));
            entries.add(new MappingNode(Tag.MAP, f, FlowStyle.BLOCK));
        }
        // anchors only where a mapping is shared
        Map<MappingNode, Integer> uses = new java.util.IdentityHashMap<>();
        for (Node e : entries) {
            for (NodeTuple t : ((MappingNode) e).getValue()) {
                if (t.getValueNode() instanceof MappingNode m) {
                    uses.merge(m, 1, Integer::sum);
                }
            }
        }
        uses.forEach((m, n) -> {
            if (n == 1) {
                m.setAnchor(java.util.Optional.empty());
            }
        });
        DumpSettings settings = DumpSettings.builder().setSchema(new CoreSchema()).setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2).setWidth(Integer.MAX_VALUE)
                .setSplitLines(false).build();
        StringBuilder sb = new StringBuilder();
        new Dump(settings).dumpNode(new SequenceNode(Tag.SEQ, entries, FlowStyle.BLOCK), new StreamDataWriter() {
            @Override
            public void write(String str) {
                sb.append(str);
            }

            @Override
            public void write(String str, int off, int len) {
                sb.append(str, off, off + len);
            }
        });
        return sb.toString();
    }

    private static NodeTuple field(String key, Node value) {
        return new NodeTuple(new ScalarNode(Tag.STR, key, ScalarStyle.PLAIN), value);
    }

    private static ScalarNode str(String s) {
        return new ScalarNode(Tag.STR, s, s.contains("\n") ? ScalarStyle.LITERAL : ScalarStyle.PLAIN);
    }
}
