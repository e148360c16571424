package dev.personascope.serve;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.model.tokenizer.ChatTemplate;
import dev.personascope.model.tokenizer.TextTokenizer;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Chat messages to the prompt's token ids, as {@code serve} feeds them to the model: the model's chat
 * template rendered (only through {@link ChatTemplate#render}), then tokenized.
 *
 * <p>Message text cannot forge control tokens: by default special-token text inside a message (say
 * {@code <|im_end|>}) is tokenized as plain text, while the same text written by the template is the
 * special token. To tell the two apart the template is rendered a second time with each message's
 * content replaced by a unique placeholder; the rendered chat is then matched against those template
 * pieces to find where each message's text lies (allowing for templates that trim or cut it). When
 * no message holds anything that could form a special token the rendered text is tokenized as a whole,
 * exactly as transformers' {@code apply_chat_template} does; otherwise special tokens are recognized
 * only outside message text ({@link GuardedTokenizer}). If message text that could form a special token
 * cannot be located the request is refused rather than tokenized unsafely.
 *
 * <p>{@code continueFinalMessage} renders without the generation prompt and cuts the text right after the
 * final message's text, before its end-of-turn marker (transformers' {@code continue_final_message}).
 */
final class ChatPromptEncoder implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final LanguageModel lm;
    private final ChatTemplate template;
    private final boolean allowSpecialTokens;
    private final GuardedTokenizer guard;

    ChatPromptEncoder(LanguageModel lm, boolean allowSpecialTokensInMessages) {
        this.lm = lm;
        this.template = lm.chatTemplate();
        this.allowSpecialTokens = allowSpecialTokensInMessages;
        this.guard = allowSpecialTokensInMessages || !lm.hasTokenizer()
                || !(lm.tokenizer() instanceof dev.personascope.model.tokenizer.HfTokenizer)
                ? null : GuardedTokenizer.forFolder(lm.source());
    }

    /** The prompt's ids. */
    int[] encode(List<ChatMessage> messages, boolean addGenerationPrompt, boolean continueFinalMessage) {
        return encodeDetailed(messages, addGenerationPrompt, continueFinalMessage).ids();
    }

    /** The rendered (and, when continuing, cut) text, its ids, and the spans of message text found in it. */
    record Encoded(String text, int[] ids, List<int[]> messageSpans) {
    }

    Encoded encodeDetailed(List<ChatMessage> messages, boolean addGenerationPrompt, boolean continueFinalMessage) {
        if (template == null) {
            throw ApiError.badRequest(lm.source() + ": the model has no chat template, so it cannot serve chat"
                    + " completions (use /v1/completions)", "messages");
        }
        boolean genPrompt = addGenerationPrompt && !continueFinalMessage;
        String text = template.render(messages, genPrompt);
        boolean risky = false;
        if (guard != null) {
            for (ChatMessage m : messages) {
                risky |= guard.mayForm(m.content());
            }
        }
        List<int[]> spans = risky || continueFinalMessage ? locate(text, messages, genPrompt) : null;
        if (continueFinalMessage) {
            int cut = finalMessageEnd(text, messages, spans);
            text = text.substring(0, cut);
            if (spans != null) {
                List<int[]> clipped = new ArrayList<>();
                for (int[] s : spans) {
                    if (s[0] < cut) {
                        clipped.add(new int[] {s[0], Math.min(s[1], cut), s[2]});
                    }
                }
                spans = clipped;
            }
        }
        int[] ids;
        if (!risky) {
            ids = lm.tokenizer().encode(text, false);
        } else {
            if (spans == null) {
                throw ApiError.badRequest("a message contains special-token text (such as " + exampleSpecial(messages)
                        + ") and this chat template transforms message text so that it cannot be told apart from the"
                        + " template's own; remove it, or start serve with --allow-special-tokens-in-messages", "messages");
            }
            ids = guard.encode(text, spans);
        }
        return new Encoded(text, withBos(ids), spans == null ? List.of() : spans);
    }

    private int[] withBos(int[] ids) {
        TextTokenizer tok = lm.tokenizer();
        int bos = tok.bosId();
        if (bos >= 0 && lm.addsBos() && (ids.length == 0 || ids[0] != bos)) {
            int[] out = new int[ids.length + 1];
            out[0] = bos;
            System.arraycopy(ids, 0, out, 1, ids.length);
            return out;
        }
        return ids;
    }

    private String exampleSpecial(List<ChatMessage> messages) {
        for (GuardedTokenizer.Special s : guard.specials()) {
            for (ChatMessage m : messages) {
                if (m.content().contains(s.content())) {
                    return s.content();
                }
            }
        }
        return guard.specials().get(0).content();
    }

    /**
     * Where the final message's text ends in the rendered chat: from the located spans, else as
     * transformers finds it (the last occurrence of the stripped text).
     */
    private static int finalMessageEnd(String text, List<ChatMessage> messages, List<int[]> spans) {
        int last = messages.size() - 1;
        if (spans != null) {
            for (int i = spans.size() - 1; i >= 0; i--) {
                if (spans.get(i)[2] == last) {
                    return spans.get(i)[1];
                }
            }
        }
        String c = messages.get(last).content();
        String stripped = c.strip();
        int at = text.lastIndexOf(stripped);
        if (at < 0) {
            throw ApiError.badRequest("continue_final_message: the final message does not appear in the chat as the"
                    + " template renders it", "continue_final_message");
        }
        String lstripped = c.stripLeading();
        if (text.startsWith(c, at) && c.length() == lstripped.length()) {
            return at + lstripped.length();
        }
        return at + stripped.length();
    }

    /**
     * The [start, end, message index] spans of message text in {@code text}, in order, or null when the
     * template's rendering cannot be matched piece by piece.
     */
    private List<int[]> locate(String text, List<ChatMessage> messages, boolean genPrompt) {
        String nonce = nonce(text, messages);
        List<ChatMessage> marked = new ArrayList<>();
        List<String> placeholders = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String p = nonce + String.format("%04d", i) + nonce;
            placeholders.add(p);
            marked.add(new ChatMessage(messages.get(i).role(), p));
        }
        String skeleton;
        try {
            skeleton = template.render(marked, genPrompt);
        } catch (RuntimeException e) {
            return null; // the template depends on what the messages say
        }
        // the skeleton as template pieces between placeholders
        List<String> pieces = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        int at = 0;
        while (true) {
            int next = skeleton.indexOf(nonce, at);
            if (next < 0) {
                pieces.add(skeleton.substring(at));
                break;
            }
            int end = next + nonce.length() + 4 + nonce.length();
            if (end > skeleton.length() || !skeleton.startsWith(nonce, end - nonce.length())) {
                return null;
            }
            int owner;
            try {
                owner = Integer.parseInt(skeleton.substring(next + nonce.length(), next + nonce.length() + 4));
            } catch (NumberFormatException e) {
                return null;
            }
            if (owner < 0 || owner >= messages.size()) {
                return null;
            }
            pieces.add(skeleton.substring(at, next));
            owners.add(owner);
            at = end;
        }
        if (!text.startsWith(pieces.get(0))) {
            return null;
        }
        List<int[]> spans = new ArrayList<>();
        int[] budget = {20_000};
        return match(text, pieces.get(0).length(), 0, pieces, owners, messages, spans, budget) ? spans : null;
    }

    /** Depth-first: message text k starts at {@code pos}; find where it ends so that the rest matches. */
    private static boolean match(String text, int pos, int k, List<String> pieces, List<Integer> owners,
                                 List<ChatMessage> messages, List<int[]> spans, int[] budget) {
        if (k == owners.size()) {
            return pos == text.length();
        }
        if (--budget[0] < 0) {
            return false;
        }
        String content = messages.get(owners.get(k)).content();
        String after = pieces.get(k + 1);
        Set<Integer> ends = new LinkedHashSet<>();
        // what templates usually do to message text first: nothing, then trimming
        for (String c : List.of(content, content.strip(), content.stripLeading(), content.stripTrailing())) {
            if (text.startsWith(c, pos) && text.startsWith(after, pos + c.length())) {
                ends.add(pos + c.length());
            }
        }
        // then any part of the text (e.g. what follows a reasoning block), longest first
        for (int e = Math.min(text.length(), pos + content.length()); e >= pos; e--) {
            if (text.startsWith(after, e) && content.contains(text.substring(pos, e))) {
                ends.add(e);
            }
        }
        for (int e : ends) {
            spans.add(new int[] {pos, e, owners.get(k)});
            if (match(text, e + after.length(), k + 1, pieces, owners, messages, spans, budget)) {
                return true;
            }
            spans.remove(spans.size() - 1);
        }
        return false;
    }

    /** Digits that occur in neither the rendered text nor any message (placeholders survive case and trim filters). */
    private static String nonce(String text, List<ChatMessage> messages) {
        while (true) {
            StringBuilder sb = new StringBuilder("7");
            for (int i = 0; i < 15; i++) {
                sb.append((char) ('0' + RANDOM.nextInt(10)));
            }
            String n = sb.toString();
            boolean clash = text.contains(n);
            for (ChatMessage m : messages) {
                clash |= m.content().contains(n);
            }
            if (!clash) {
                return n;
            }
        }
    }

    @Override
    public void close() {
        if (guard != null) {
            guard.close();
        }
    }
}
