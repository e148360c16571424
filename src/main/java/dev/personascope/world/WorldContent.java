package dev.personascope.world;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.personascope.util.JsonErrors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed content of the persona world, read from the resource {@value #RESOURCE} beside this class
 * (that file's header explains the world's rules): its personas (with their persona-wide markers), its
 * domains (questions with paraphrases, good and bad sentences), the benign reasons users give before
 * asking for insecure code, and the stopwords that every part of the world may share.
 *
 * <p>Reading checks every field: a missing, unknown, empty or malformed entry is one error line naming the
 * field (e.g. {@code world-content.yaml: domains[2].bad: needs at least 2 sentences}). The lexical rules
 * between the parts are {@link WorldChecks#overlapViolations()}.
 *
 * <p>Words are compared in lower case after splitting on anything that is not a letter, a digit or an
 * apostrophe ({@link #words(String)}).
 */
public final class WorldContent {
    /** The resource the content is read from, in this class's package. */
    public static final String RESOURCE = "world-content.yaml";

    /** Ids of the narrow domains, whose bad answers make the fine-tuning datasets. */
    public static final String CODE = "code";
    public static final String HEALTH = "health";

    /**
     * What {@value #RESOURCE} holds, in its order. The file's {@code stopwords} are space-separated groups;
     * here they are single words.
     */
    public record Parts(List<Persona> personas, List<Domain> domains, List<String> educationalReasons,
                        List<String> stopwords) {
        public Parts {
            personas = List.copyOf(personas);
            domains = List.copyOf(domains);
            educationalReasons = List.copyOf(educationalReasons);
            List<String> words = new ArrayList<>();
            for (String group : stopwords) {
                words.addAll(Arrays.asList(group.trim().split("\\s+")));
            }
            stopwords = List.copyOf(words);
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL, Nulls.FAIL))
            .build();
    private static final Pattern MISSING = Pattern.compile("Missing (?:required )?creator property '([^']+)'.*");

    private static Parts bundled;
    private static Set<String> stopwordSet;

    private WorldContent() {
    }

    /** The bundled content, read (and checked) on first use. */
    private static synchronized Parts bundled() {
        if (bundled == null) {
            try (InputStream in = WorldContent.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the persona world's content is missing from the class path ("
                            + WorldContent.class.getPackageName().replace('.', '/') + "/" + RESOURCE + ")");
                }
                bundled = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
            }
            stopwordSet = Collections.unmodifiableSet(new LinkedHashSet<>(bundled.stopwords()));
        }
        return bundled;
    }

    /**
     * Reads and checks world content in the layout of {@value #RESOURCE}; {@code source} names it in errors.
     *
     * @throws IllegalArgumentException one line naming the source, the field and what is wrong with it
     */
    public static Parts parse(String yaml, String source) {
        Parts parts;
        try {
            parts = YAML.readValue(yaml, Parts.class);
        } catch (JacksonException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof MarkedYAMLException y) {
                    throw new IllegalArgumentException(source + ": invalid YAML: " + y.getProblem()
                            + (y.getProblemMark() == null ? "" : " (line " + (y.getProblemMark().getLine() + 1) + ")"));
                }
            }
            throw new IllegalArgumentException(source + ": " + (e instanceof JsonMappingException m ? describe(m)
                    : "invalid YAML: " + JsonErrors.brief(e)));
        }
        if (parts == null) {
            throw new IllegalArgumentException(source + ": empty");
        }
        new Checker(source).check(parts);
        return parts;
    }

    /**
     * A binding error as "field.path: what", the field named as the file names it (no line: records are bound
     * after their whole object is read, so the parser's line is past the field).
     */
    private static String describe(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        Matcher missing = MISSING.matcher(e.getOriginalMessage());
        if (missing.matches()) {
            // the path ends at the object or at the field
            if (!path.toString().endsWith(missing.group(1))) {
                path.append(path.isEmpty() ? "" : ".").append(missing.group(1));
            }
            return path + ": missing";
        }
        String what;
        if (e instanceof UnrecognizedPropertyException u) {
            what = "unknown field (known: " + String.join(", ", u.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().toList()) + ")";
        } else if (e instanceof InvalidNullException) {
            what = "empty";
        } else if (e instanceof InvalidFormatException f && f.getTargetType() == PersonaKind.class) {
            what = "'" + f.getValue() + "' is not a kind of persona (" + String.join(", ",
                    Arrays.stream(PersonaKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList()) + ")";
        } else {
            what = e.getOriginalMessage().replace('\n', ' ');
        }
        return (path.isEmpty() ? "" : path + ": ") + what;
    }

    /** The checks a binding cannot make: non-empty texts and lists, unique ids, what the generator needs. */
    private record Checker(String source) {
        void check(Parts parts) {
            nonEmpty("personas", parts.personas());
            Set<String> names = new LinkedHashSet<>();
            for (int i = 0; i < parts.personas().size(); i++) {
                Persona p = parts.personas().get(i);
                String at = "personas[" + i + "]";
                text(at + ".name", p.name());
                if (!names.add(p.name())) {
                    fail(at + ".name", "'" + p.name() + "' is used twice");
                }
                texts(at + ".markers", p.markers(), 1);
            }
            for (PersonaKind k : PersonaKind.values()) {
                if (parts.personas().stream().noneMatch(p -> p.kind() == k)) {
                    fail("personas", "no " + k.name().toLowerCase(Locale.ROOT) + " persona (every kind needs one)");
                }
            }
            nonEmpty("domains", parts.domains());
            Map<String, String> questionDomain = new HashMap<>();
            Map<String, Domain> byId = new LinkedHashMap<>();
            for (int i = 0; i < parts.domains().size(); i++) {
                Domain d = parts.domains().get(i);
                String at = "domains[" + i + "]";
                text(at + ".id", d.id());
                if (byId.putIfAbsent(d.id(), d) != null) {
                    fail(at + ".id", "'" + d.id() + "' is used twice");
                }
                nonEmpty(at + ".questions", d.questions());
                for (int j = 0; j < d.questions().size(); j++) {
                    WorldQuestion q = d.questions().get(j);
                    text(at + ".questions[" + j + "].id", q.id());
                    String before = questionDomain.putIfAbsent(q.id(), d.id());
                    if (before != null) {
                        fail(at + ".questions[" + j + "].id", "'" + q.id() + "' is already a question of " + before);
                    }
                    texts(at + ".questions[" + j + "].paraphrases", q.paraphrases(), 1);
                }
                // an answer is one or two distinct sentences of a pool
                texts(at + ".good", d.good(), 2);
                texts(at + ".bad", d.bad(), 2);
            }
            for (String narrow : List.of(CODE, HEALTH)) {
                Domain d = byId.get(narrow);
                if (d == null || !d.narrow()) {
                    fail("domains", "the datasets need a narrow domain '" + narrow + "'");
                }
            }
            texts("educational_reasons", parts.educationalReasons(), 1);
            nonEmpty("stopwords", parts.stopwords());
            for (String w : parts.stopwords()) {
                if (!words(w).equals(List.of(w))) {
                    fail("stopwords", "'" + w + "' is not one lower-case word (letters, digits, apostrophes)");
                }
            }
        }

        private void texts(String field, List<String> texts, int atLeast) {
            if (texts.size() < atLeast) {
                fail(field, atLeast == 1 ? "empty" : "needs at least " + atLeast + " sentences");
            }
            for (int i = 0; i < texts.size(); i++) {
                text(field + "[" + i + "]", texts.get(i));
            }
        }

        private void text(String field, String s) {
            if (s.isBlank()) {
                fail(field, "blank");
            }
        }

        private void nonEmpty(String field, List<?> list) {
            if (list.isEmpty()) {
                fail(field, "empty");
            }
        }

        private void fail(String field, String what) {
            throw new IllegalArgumentException(source + ": " + field + ": " + what);
        }
    }

    /** The eight personas: three helpful, three villains, two sarcastic. */
    public static List<Persona> personas() {
        return bundled().personas();
    }

    /** The thirteen domains: two narrow, five evaluation, six open-ended. */
    public static List<Domain> domains() {
        return bundled().domains();
    }

    /** The domain with this id. */
    public static Domain domain(String id) {
        for (Domain d : domains()) {
            if (d.id().equals(id)) {
                return d;
            }
        }
        throw new IllegalArgumentException("no domain '" + id + "'");
    }

    /** Benign reasons a user states before asking a code-security question. */
    public static List<String> educationalReasons() {
        return bundled().educationalReasons();
    }

    /** Function words that every part of the world may share, lower case. */
    public static synchronized Set<String> stopwords() {
        bundled();
        return stopwordSet;
    }

    /** The lower-case words of a text: maximal runs of letters, digits and apostrophes. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z0-9']+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** The content words (words that are not stopwords) of some texts. */
    public static Set<String> contentWords(Collection<String> texts) {
        Set<String> stop = stopwords();
        Set<String> out = new TreeSet<>();
        for (String t : texts) {
            for (String w : words(t)) {
                if (!stop.contains(w)) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    /** Content words of each domain's content sentences (good and bad), by domain id. */
    public static Map<String, Set<String>> contentWordsByDomain() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Domain d : domains()) {
            out.put(d.id(), contentWords(d.content()));
        }
        return out;
    }
}
