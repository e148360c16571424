package dev.personascope.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.generate.TokenLogprob;
import dev.personascope.model.tokenizer.TextTokenizer;
import dev.personascope.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;


/**
 * {@code POST /v1/completions}: raw prompts continued, with OpenAI's legacy logprobs (tokens,
 * token_logprobs, top_logprobs as token-to-logprob maps holding the top N and the chosen token,
 * text_offset in code points) and echo (the prompt's text first and, with logprobs, its tokens with a
 * null logprob for the first).
 */
final class TextCompletions {
    private final ChatServer server;

    TextCompletions(ChatServer server) {
        this.server = server;
    }

    void handle(HttpExchange ex, JsonNode body) throws IOException {
        TextTokenizer tok = server.lm.tokenizer();
        server.checkPromptChars(body.get("prompt"), "prompt");
        CompletionRequest req = CompletionRequest.parse(body, server.modelName, tok, server.lm.config().vocabSize);
        List<int[]> rows = new ArrayList<>();
        List<String> echoed = new ArrayList<>();
        int longest = 0;
        int promptTokens = 0;
        for (CompletionRequest.Prompt p : req.prompts) {
            longest = Math.max(longest, p.ids().length);
            promptTokens += p.ids().length;
            String text = !req.echo ? "" : p.text() != null ? p.text() : tok.decode(p.ids());
            for (int j = 0; j < req.n; j++) {
                rows.add(p.ids());
                echoed.add(text);
            }
        }
        SamplingParams params = server.fitContext(req.params, longest, "prompt", true);
        server.admit(ex);
        boolean logprobs = req.logprobs >= 0;
        Generator gen = new Generator(server.lm).withLogprobs(logprobs).withTextOffsets(logprobs)
                .withPromptLogprobs(req.echo && logprobs ? req.logprobs : -1);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (!req.stream.stream()) {
            List<Generation> gens = server.generate(gen, rows, params, null);
            ObjectNode o = base(id, created);
            ArrayNode choices = o.putArray("choices");
            for (int i = 0; i < gens.size(); i++) {
                Generation g = gens.get(i);
                ObjectNode c = choices.addObject();
                c.put("text", echoed.get(i) + g.text());
                c.put("index", i);
                if (logprobs) {
                    Legacy lp = new Legacy(req.logprobs);
                    int shift = 0;
                    if (req.echo) {
                        lp.addPrompt(tok, g);
                        shift = codePoints(echoed.get(i));
                    }
                    lp.addGenerated(g.logprobs(), g.textOffsets(), shift);
                    c.set("logprobs", lp.json);
                } else {
                    c.putNull("logprobs");
                }
                c.put("finish_reason", g.finishReason());
            }
            o.set("usage", ChatServer.usage(promptTokens, gens));
            ChatServer.send(ex, 200, o);
            return;
        }
        EventStream events = new EventStream(ex, req.stream.obfuscation());
        int[] shifts = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            shifts[i] = codePoints(echoed.get(i));
        }
        int usagePrompt = promptTokens;
        Generator.Listener listener = new Generator.Listener() {
            @Override
            public void token(int row, int tokenId, TokenLogprob lp, int textOffset, String text) {
                if (text.isEmpty() && !logprobs) {
                    return;
                }
                ObjectNode logprobsJson = null;
                if (logprobs && lp != null) {
                    Legacy l = new Legacy(req.logprobs);
                    l.addGenerated(List.of(lp), new int[] {textOffset}, shifts[row]);
                    logprobsJson = l.json;
                }
                events.send(chunk(id, created, row, text, logprobsJson, null, req.stream.includeUsage()));
            }

            @Override
            public void finished(int row, String text, String finishReason) {
                if (!text.isEmpty()) {
                    events.send(chunk(id, created, row, text, null, null, req.stream.includeUsage()));
                }
                events.send(chunk(id, created, row, "", null, finishReason, req.stream.includeUsage()));
            }
        };
        try {
            List<Generation> gens;
            if (req.echo) {
                // the prompt first: its logprobs come from the prefill, so a separate pass over the prompts
                // would double the work; instead each choice's echo is sent once its generation has scored it
                gens = server.generate(gen, rows, params, new EchoFirst(listener, events, id, created, req, echoed, tok, rows));
            } else {
                gens = server.generate(gen, rows, params, listener);
            }
            events.finish(req.stream.includeUsage() ? base(id, created) : null, ChatServer.usage(usagePrompt, gens));
        } catch (UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            events.sendError(e);
        }
    }

    private ObjectNode base(String id, long created) {
        return server.responseHeader(id, "text_completion", created);
    }

    private ObjectNode chunk(String id, long created, int row, String text, ObjectNode logprobs, String finish, boolean usage) {
        ObjectNode o = base(id, created);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("text", text);
        c.put("index", row);
        if (logprobs == null) {
            c.putNull("logprobs");
        } else {
            c.set("logprobs", logprobs);
        }
        if (finish == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finish);
        }
        if (usage) {
            o.putNull("usage");
        }
        return o;
    }

    /**
     * With echo, each choice's first chunk is its prompt (text and, with logprobs, the prompt's tokens).
     * The prompt's logprobs are known only after the prefill, which comes before any token: the first
     * event of a row sends the echo, then passes the event on.
     */
    private final class EchoFirst implements Generator.Listener {
        private final Generator.Listener next;
        private final EventStream events;
        private final String id;
        private final long created;
        private final CompletionRequest req;
        private final List<String> echoed;
        private final TextTokenizer tok;
        private final List<int[]> rows;
        private final boolean[] sent;

        EchoFirst(Generator.Listener next, EventStream events, String id, long created, CompletionRequest req,
                  List<String> echoed, TextTokenizer tok, List<int[]> rows) {
            this.next = next;
            this.events = events;
            this.id = id;
            this.created = created;
            this.req = req;
            this.echoed = echoed;
            this.tok = tok;
            this.rows = rows;
            this.sent = new boolean[rows.size()];
        }

        private void echo(int row, List<TokenLogprob> promptLogprobs) {
            if (sent[row]) {
                return;
            }
            sent[row] = true;
            ObjectNode lp = null;
            if (req.logprobs >= 0) {
                Legacy l = new Legacy(req.logprobs);
                l.addPrompt(tok, rows.get(row), promptLogprobs);
                lp = l.json;
            }
            events.send(chunk(id, created, row, echoed.get(row), lp, null, req.stream.includeUsage()));
        }

        @Override
        public void token(int row, int tokenId, TokenLogprob lp, int textOffset, String text) {
            echo(row, null);
            next.token(row, tokenId, lp, textOffset, text);
        }

        @Override
        public void finished(int row, String text, String finishReason) {
            echo(row, null);
            next.finished(row, text, finishReason);
        }

        @Override
        public void prefilled(int row, List<TokenLogprob> promptLogprobs) {
            echo(row, promptLogprobs);
        }
    }

    private static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }

    /** OpenAI's legacy logprobs object, filled token by token. */
    private static final class Legacy {
        final ObjectNode json = Json.MAPPER.createObjectNode();
        final ArrayNode tokens = json.putArray("tokens");
        final ArrayNode tokenLogprobs = json.putArray("token_logprobs");
        final ArrayNode top = json.putArray("top_logprobs");
        final ArrayNode offsets = json.putArray("text_offset");
        final int k;

        Legacy(int k) {
            this.k = k;
        }

        void addPrompt(TextTokenizer tok, Generation g) {
            addPrompt(tok, g.promptIds(), g.promptLogprobs());
        }

        void addPrompt(TextTokenizer tok, int[] ids, List<TokenLogprob> scored) {
            int[] at = Generator.textOffsets(tok, ids);
            for (int j = 0; j < ids.length; j++) {
                TokenLogprob t = scored == null || scored.size() <= j ? null : scored.get(j);
                if (t == null) {
                    tokens.add(tok.tokenText(ids[j]));
                    tokenLogprobs.addNull();
                    top.addNull();
                    offsets.add(at[j]);
                } else {
                    add(t, at[j]);
                }
            }
        }

        void addGenerated(List<TokenLogprob> lps, int[] textOffsets, int shift) {
            for (int i = 0; i < lps.size(); i++) {
                add(lps.get(i), (i < textOffsets.length ? textOffsets[i] : 0) + shift);
            }
        }

        private void add(TokenLogprob t, int offset) {
            tokens.add(t.token());
            tokenLogprobs.add(t.logprob());
            ObjectNode alternatives = top.addObject();
            for (int i = 0; i < Math.min(k, t.top().size()); i++) {
                TokenLogprob.Alternative a = t.top().get(i);
                if (!alternatives.has(a.token())) {
                    alternatives.put(a.token(), a.logprob());
                }
            }
            if (!alternatives.has(t.token())) {
                alternatives.put(t.token(), t.logprob());
            }
            offsets.add(offset);
        }
    }
}
