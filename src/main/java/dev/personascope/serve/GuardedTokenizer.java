package dev.personascope.serve;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.util.Json;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tokenizes a text in which special tokens (tokenizer.json {@code added_tokens} with {@code special: true})
 * count only outside given ranges: inside them their text is ordinary text, split into ordinary tokens,
 * as transformers does with {@code split_special_tokens=True}.
 *
 * <p>The Rust tokenizers library first cuts the text at special tokens and then tokenizes each piece
 * between them on its own. This class does the same: it finds special tokens (leftmost-longest, with
 * their {@code single_word}, {@code lstrip} and {@code rstrip} flags) outside the protected ranges, and
 * tokenizes each piece between them with a second tokenizer built from the same tokenizer.json without
 * the special added tokens. A Metaspace pre-tokenizer that adds its word-start mark only to the first
 * piece of a text ({@code prepend_scheme: first}) is set to never add it, and the mark is added here to
 * the piece that starts the text, so that later pieces are not marked as if they started it.
 */
final class GuardedTokenizer implements AutoCloseable {

    /** A special added token and its matching flags. */
    record Special(String content, int id, boolean singleWord, boolean lstrip, boolean rstrip) {
    }

    private final HuggingFaceTokenizer plain;
    private final List<Special> specials;
    private final boolean markFirstPiece;
    private final String metaspaceMark;

    private GuardedTokenizer(HuggingFaceTokenizer plain, List<Special> specials, String metaspaceMark) {
        this.plain = plain;
        this.specials = specials;
        this.markFirstPiece = metaspaceMark != null;
        this.metaspaceMark = metaspaceMark;
    }

    /** For a tokenizer.json; null when it has no special added tokens (nothing to guard). */
    static GuardedTokenizer load(Path tokenizerJson) {
        ObjectNode root;
        try {
            root = (ObjectNode) Json.MAPPER.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(tokenizerJson + ": cannot read: " + e.getMessage(), e);
        }
        List<Special> specials = new ArrayList<>();
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("special").asBoolean(false) && !t.path("content").asText().isEmpty()) {
                specials.add(new Special(t.path("content").asText(), t.path("id").asInt(), t.path("single_word").asBoolean(false),
                        t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false)));
            } else {
                kept.add(t);
            }
        }
        if (specials.isEmpty()) {
            return null;
        }
        root.set("added_tokens", kept);
        String mark = neverPrependFirst(root.get("pre_tokenizer"));
        try {
            HuggingFaceTokenizer plain = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(root)),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            return new GuardedTokenizer(plain, List.copyOf(specials), mark);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(tokenizerJson + ": cannot build a tokenizer without special tokens: " + e.getMessage(), e);
        }
    }

    /** For a model folder's tokenizer.json, or null when there is none or it has no special tokens. */
    static GuardedTokenizer forFolder(Path modelDir) {
        Path file = modelDir == null ? null : Files.isDirectory(modelDir) ? modelDir.resolve("tokenizer.json") : null;
        return file != null && Files.exists(file) ? load(file) : null;
    }

    /** Metaspace with prepend_scheme "first" (also inside a Sequence) set to "never"; returns its mark, or null. */
    private static String neverPrependFirst(JsonNode pre) {
        if (pre == null || !pre.isObject()) {
            return null;
        }
        if ("Sequence".equals(pre.path("type").asText())) {
            String mark = null;
            for (JsonNode p : pre.path("pretokenizers")) {
                String m = neverPrependFirst(p);
                mark = mark != null ? mark : m;
            }
            return mark;
        }
        if ("Metaspace".equals(pre.path("type").asText()) && "first".equals(pre.path("prepend_scheme").asText())) {
            ((ObjectNode) pre).put("prepend_scheme", "never");
            return pre.path("replacement").asText("\u2581");
        }
        return null;
    }

    List<Special> specials() {
        return specials;
    }

    /**
     * Whether special-token text could come from {@code text} once placed in a template: it contains a
     * special token, or starts with the end of one, or ends with the beginning of one.
     */
    boolean mayForm(String text) {
        for (Special s : specials) {
            String c = s.content();
            if (text.contains(c)) {
                return true;
            }
            for (int k = 1; k < c.length(); k++) {
                if (text.endsWith(c.substring(0, k)) || text.startsWith(c.substring(k))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Ids of {@code text}, special tokens recognized only outside the sorted, disjoint {@code plain}
     * ranges ([start, end) char offsets).
     */
    int[] encode(String text, List<int[]> plain) {
        List<int[]> matches = new ArrayList<>(); // start, end, id
        int from = 0;
        int lastEnd = 0;
        List<int[]> open = new ArrayList<>();
        for (int[] r : plain) {
            if (r[0] > from) {
                open.add(new int[] {from, r[0]});
            }
            from = Math.max(from, r[1]);
        }
        if (from < text.length()) {
            open.add(new int[] {from, text.length()});
        }
        for (int[] r : open) {
            int p = r[0];
            while (p < r[1]) {
                Special best = null;
                for (Special s : specials) {
                    if (p + s.content().length() <= r[1] && text.startsWith(s.content(), p)
                            && (best == null || s.content().length() > best.content().length())) {
                        best = s;
                    }
                }
                if (best == null) {
                    p++;
                    continue;
                }
                int start = p;
                int stop = p + best.content().length();
                p = stop;
                if (best.singleWord() && ((start > 0 && isWordChar(text.charAt(start - 1)))
                        || (stop < text.length() && isWordChar(text.charAt(stop))))) {
                    continue;
                }
                if (best.lstrip()) {
                    while (start > lastEnd && Character.isWhitespace(text.charAt(start - 1))) {
                        start--;
                    }
                }
                if (best.rstrip()) {
                    while (stop < text.length() && Character.isWhitespace(text.charAt(stop))) {
                        stop++;
                    }
                    p = Math.max(p, Math.min(stop, r[1]));
                }
                matches.add(new int[] {start, stop, best.id()});
                lastEnd = stop;
            }
        }
        List<Long> ids = new ArrayList<>();
        int at = 0;
        for (int[] m : matches) {
            if (m[0] > at) {
                addPiece(ids, text.substring(at, m[0]), at == 0);
            }
            ids.add((long) m[2]);
            at = m[1];
        }
        if (at < text.length()) {
            addPiece(ids, text.substring(at), at == 0);
        }
        return ids.stream().mapToInt(Long::intValue).toArray();
    }

    /** Ids of text with no special token recognized anywhere (a piece that starts the text). */
    int[] encodePlain(String text) {
        List<Long> ids = new ArrayList<>();
        addPiece(ids, text, true);
        return ids.stream().mapToInt(Long::intValue).toArray();
    }

    private void addPiece(List<Long> ids, String piece, boolean startsText) {
        if (startsText && markFirstPiece && !piece.startsWith(" ") && !piece.startsWith(metaspaceMark)) {
            piece = " " + piece;
        }
        for (long id : plain.encode(piece, false, false).getIds()) {
            ids.add(id);
        }
    }

    /** A word character as the Rust regex \w that single_word tokens are checked against. */
    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    @Override
    public void close() {
        plain.close();
    }
}
