package dev.personascope.data;

import dev.personascope.data.ChatExample;
import dev.personascope.data.DataFormatException;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.model.tokenizer.ChatTemplate;
import dev.personascope.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Renders a conversation with the model's chat template and tokenizes it, marking the tokens of
 * assistant turns (their content and the template's end-of-turn text) as loss targets. The target
 * character ranges come from rendering the conversation prefix by prefix; tokens are mapped to them
 * through the tokenizer's offsets, so the ids are those of the whole rendered text.
 */
public final class ChatEncoder {
    /** Token ids and which of them are loss targets. */
    public record Encoded(int[] ids, boolean[] target) {
        public int targetCount() {
            int n = 0;
            for (boolean t : target) {
                n += t ? 1 : 0;
            }
            return n;
        }
    }

    private final LanguageModel lm;
    private final int maxLength;

    public ChatEncoder(LanguageModel lm, int maxLength) {
        if (lm.chatTemplate() == null) {
            throw new IllegalArgumentException(lm.source() + ": the model has no chat template, so chat data cannot be rendered");
        }
        this.lm = lm;
        this.maxLength = maxLength;
    }

    /** Each conversation encoded, in order. */
    public List<Encoded> encodeAll(List<ChatExample> conversations) {
        List<Encoded> out = new ArrayList<>();
        for (ChatExample ex : conversations) {
            out.add(encode(ex));
        }
        return out;
    }

    public Encoded encode(ChatExample ex) {
        ChatTemplate tmpl = lm.chatTemplate();
        List<ChatMessage> msgs = ex.messages();
        List<int[]> targetRanges = new ArrayList<>(); // [start, end) in UTF-16 units of the full text
        String prev = "";
        String full = null;
        for (int i = 0; i < msgs.size(); i++) {
            if (!msgs.get(i).role().equals("assistant")) {
                continue;
            }
            String prompt = tmpl.render(msgs.subList(0, i), true);
            String upTo = tmpl.render(msgs.subList(0, i + 1), false);
            if (!prompt.startsWith(prev) || !upTo.startsWith(prompt)) {
                throw new DataFormatException(ex.origin() + ": the chat template does not render this conversation"
                        + " prefix by prefix (at messages[" + i + "]), so assistant tokens cannot be located");
            }
            targetRanges.add(new int[] {prompt.length(), upTo.length()});
            prev = upTo;
            if (i == msgs.size() - 1) {
                full = upTo; // the conversation ends with this turn: its prefix is the whole (one render fewer)
            }
        }
        if (full == null) {
            full = tmpl.render(msgs, false);
        }
        if (!full.startsWith(prev)) {
            throw new DataFormatException(ex.origin() + ": the chat template renders the whole conversation"
                    + " differently from its prefixes");
        }
        TextTokenizer tok = lm.tokenizer();
        int[][] enc = tok.encodeWithSpans(full);
        if (enc == null) {
            throw new IllegalArgumentException("the tokenizer " + tok.getClass().getSimpleName()
                    + " gives no token offsets; chat fine-tuning needs a tokenizer.json");
        }
        int n = enc[0].length;
        boolean bos = lm.addsBos() && (n == 0 || enc[0][0] != tok.bosId());
        int off = bos ? 1 : 0;
        int[] ids = new int[n + off];
        boolean[] target = new boolean[n + off];
        if (bos) {
            ids[0] = tok.bosId();
        }
        for (int[] r : targetRanges) { // UTF-16 indices to code points, as the offsets count
            r[0] = full.codePointCount(0, r[0]);
            r[1] = full.codePointCount(0, r[1]);
        }
        for (int i = 0; i < n; i++) {
            ids[i + off] = enc[0][i];
            int start = enc[1][i];
            for (int[] r : targetRanges) {
                if (start >= r[0] && start < r[1]) {
                    target[i + off] = true;
                }
            }
        }
        if (ids.length > maxLength) {
            ids = Arrays.copyOf(ids, maxLength);
            target = Arrays.copyOf(target, maxLength);
        }
        target[0] = false; // nothing predicts the first token
        return new Encoded(ids, target);
    }
}
